/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;
import io.netty.util.internal.ObjectUtil;

/**
 * Pipeline user event ({@code userEventTriggered}) fired by a {@link ZeroCopyEpollSocketChannel} after completion
 * notifications released pinned memory: the reference each zero-copy send held on its buffers has been dropped,
 * so memory the application handed to {@code write} is free again once the application's own references are
 * gone. <b>This is the project's "memory is free again" signal.</b> The write promise completes earlier, as soon
 * as the kernel accepted the bytes (as with Netty io_uring's {@code SEND_ZC}); this event says the kernel is done
 * reading them.
 *
 * <p>The event carries no counts: it is immutable, one instance per channel, so firing it allocates nothing and
 * a handler added with its own {@code EventExecutorGroup} may read it on any thread. The counts are in the
 * channel's {@link ZeroCopyStats} ({@code completedSends}, {@code copiedSends}, {@code outstandingSends},
 * {@code outstandingBytes}, ...), a consistent snapshot from any thread. It is fired at most once per batch of
 * completions (one error-queue drain; during a flush, between two writes, for everything that came back in-band
 * since the last firing).
 *
 * <p><b>After close</b> the pipeline is gone, so completions that arrive while the closed channel still collects
 * them fire no event; {@link ZeroCopyEpollSocketChannel#zeroCopyReleaseFuture()} completes when the last of
 * them arrived.
 */
public final class ZeroCopyCompletionEvent {
    private final Channel channel;

    ZeroCopyCompletionEvent(Channel channel) {
        this.channel = ObjectUtil.checkNotNull(channel, "channel");
    }

    /** The channel whose sends completed. */
    public Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "ZeroCopyCompletionEvent(" + channel + ')';
    }
}
