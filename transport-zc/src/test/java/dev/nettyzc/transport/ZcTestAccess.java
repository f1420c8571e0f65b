/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelConfig;

/** Package-private hooks for test classes in other packages (the testsuite glue). */
public final class ZcTestAccess {
    private ZcTestAccess() {
    }

    /** {@code EpollChannelConfig.setMaxBytesPerGatheringWrite} (protected in Netty) for our channel config. */
    public static void setMaxBytesPerGatheringWrite(ChannelConfig config, long bytes) {
        if (config instanceof ZeroCopyEpollSocketChannelConfig) {
            ((ZeroCopyEpollSocketChannelConfig) config).maxBytesPerGatheringWrite(bytes);
        }
    }
}
