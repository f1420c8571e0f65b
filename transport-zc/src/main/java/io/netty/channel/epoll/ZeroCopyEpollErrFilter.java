/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package io.netty.channel.epoll;

import io.netty.channel.IoEvent;

/**
 * The EPOLLERR hand-off both bridges ({@link ZeroCopyEpollBridge}, {@link ZeroCopyEpollDatagramBridge}) share. It
 * lives in Netty's package because {@code EpollIoEvent}, {@code EpollIoOps.eventOf} and the {@code ops()} value
 * are package-private. The channel gets the first look at EPOLLERR; if it consumed it, Netty's {@code handle}
 * runs on the same event with EPOLLERR stripped (a completion never costs a {@code read()}), otherwise on the
 * event unchanged, which surfaces the socket error. No state, no allocation.
 */
final class ZeroCopyEpollErrFilter {

    /** The channel's side of the hand-off. */
    interface Consumer {
        /** Called first for every epoll event dispatched to the channel (statistics). */
        void onEpollEvent(boolean epollErr);

        /**
         * EPOLLERR is set. Collect (or deliberately defer) zero-copy completions.
         *
         * @param writable EPOLLOUT is set in the same event
         * @return {@code true} if EPOLLERR is handled (Netty then sees the event without it); {@code false} to let
         *         Netty handle the whole event, because a socket error is pending
         */
        boolean consumeEpollErr(boolean writable);
    }

    private static final int DISPATCHED = Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP;
    /** The event without EPOLLERR, for every combination of the bits Netty dispatches on (no allocation). */
    private static final EpollIoEvent[] WITHOUT_ERR = new EpollIoEvent[8];

    static {
        for (int i = 0; i < WITHOUT_ERR.length; i++) {
            WITHOUT_ERR[i] = EpollIoOps.eventOf(opsOf(i));
        }
    }

    private ZeroCopyEpollErrFilter() {
    }

    private static int indexOf(int ops) {
        return ((ops & Native.EPOLLIN) != 0 ? 1 : 0) | ((ops & Native.EPOLLOUT) != 0 ? 2 : 0)
                | ((ops & Native.EPOLLRDHUP) != 0 ? 4 : 0);
    }

    private static int opsOf(int index) {
        return ((index & 1) != 0 ? Native.EPOLLIN : 0) | ((index & 2) != 0 ? Native.EPOLLOUT : 0)
                | ((index & 4) != 0 ? Native.EPOLLRDHUP : 0);
    }

    /** The event Netty's {@code handle} should see, or {@code null} if nothing is left to dispatch. */
    static IoEvent filter(IoEvent event, Consumer consumer) {
        final int ops = ((EpollIoEvent) event).ops().value();
        final boolean err = (ops & Native.EPOLLERR) != 0;
        consumer.onEpollEvent(err);
        if (err && consumer.consumeEpollErr((ops & Native.EPOLLOUT) != 0)) {
            return (ops & DISPATCHED) == 0 ? null : WITHOUT_ERR[indexOf(ops)];
        }
        return event;
    }
}
