/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.UnixChannelOption;

/**
 * {@link ChannelOption}s understood by {@link ZeroCopyEpollSocketChannel} and
 * {@link ZeroCopyEpollServerSocketChannel} (on the server use them with {@code childOption(..)}).
 * All {@link io.netty.channel.epoll.EpollChannelOption}s of {@code EpollSocketChannel} work as well.
 */
public final class ZeroCopyChannelOption<T> extends UnixChannelOption<T> {

    /**
     * How completions are collected: {@link ZeroCopyNotificationMode#AUTO} (default), {@code CMSG} or
     * {@code ERRQUEUE}. Setting {@code CMSG} on a kernel that does not accept {@code SCM_ZC_NOTIFICATION}
     * throws {@link io.netty.channel.ChannelException} from {@code setOption} (so bootstrap fails at
     * configuration time, not at the first write). Changing the mode is allowed at any time; it applies to the
     * next {@code sendmsg}.
     */
    public static final ChannelOption<ZeroCopyNotificationMode> ZEROCOPY_NOTIFICATION_MODE =
            valueOf(ZeroCopyChannelOption.class, "ZEROCOPY_NOTIFICATION_MODE");

    /**
     * Milliseconds a closed channel keeps waiting for the completions of its outstanding zero-copy sends
     * before it aborts the connection with an RST ({@code SO_LINGER 0}), which makes the kernel drop the
     * queued data and release the pages; only then is the memory released. Default 30000. 0 aborts at once.
     */
    public static final ChannelOption<Integer> ZEROCOPY_CLOSE_TIMEOUT_MILLIS =
            valueOf(ZeroCopyChannelOption.class, "ZEROCOPY_CLOSE_TIMEOUT_MILLIS");

    @SuppressWarnings({ "unused", "deprecation" })
    private ZeroCopyChannelOption() {
    }
}
