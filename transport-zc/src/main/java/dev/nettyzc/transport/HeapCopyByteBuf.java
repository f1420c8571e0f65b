/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.WrappedByteBuf;

/**
 * Marks the private direct copy Netty makes of a heap buffer in {@code filterOutboundMessage}, so the policy can
 * send it by copy ("heap buffers take the normal path"). Only created for copies at or above the threshold;
 * reference counting is delegated.
 */
final class HeapCopyByteBuf extends WrappedByteBuf {
    HeapCopyByteBuf(ByteBuf copy) {
        super(copy);
    }
}
