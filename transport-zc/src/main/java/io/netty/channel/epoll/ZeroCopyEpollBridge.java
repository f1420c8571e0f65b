/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Map;

/**
 * The stream channel's unsafe, one of the few minimal classes netty-transport-zc places in Netty's package (it
 * works on the class path; Netty's jars carry a module-info, so on the module path this split package is refused). It exists because what is needed to own
 * EPOLLERR is package-private in Netty 4.2: {@code EpollStreamUnsafe} and its {@code epollOutReady()},
 * {@code AbstractEpollChannel.clearFlag}, and {@code EpollIoOps.eventOf}.
 *
 * <p>{@link #handle} gives the channel the first look at EPOLLERR ({@link #consumeEpollErr}) through
 * {@link ZeroCopyEpollErrFilter}, shared with the datagram bridge. Nothing of Netty's dispatch is re-implemented
 * here.
 *
 * <p>Besides that it only forwards a few package-private helpers. It holds no state and no logic of its own.
 */
public abstract class ZeroCopyEpollBridge extends AbstractEpollStreamChannel.EpollStreamUnsafe {

    private final ZeroCopyEpollErrFilter.Consumer hook = new ZeroCopyEpollErrFilter.Consumer() {
        @Override
        public void onEpollEvent(boolean epollErr) {
            ZeroCopyEpollBridge.this.onEpollEvent(epollErr);
        }

        @Override
        public boolean consumeEpollErr(boolean writable) {
            return ZeroCopyEpollBridge.this.consumeEpollErr(writable);
        }
    };

    protected ZeroCopyEpollBridge(AbstractEpollStreamChannel channel) {
        channel.super();
    }

    @Override
    public final void handle(IoRegistration registration, IoEvent event) {
        IoEvent rest = ZeroCopyEpollErrFilter.filter(event, hook);
        if (rest != null) {
            super.handle(registration, rest);
        }
    }

    /** See {@link ZeroCopyEpollErrFilter.Consumer#onEpollEvent}. */
    protected abstract void onEpollEvent(boolean epollErr);

    /** See {@link ZeroCopyEpollErrFilter.Consumer#consumeEpollErr}. */
    protected abstract boolean consumeEpollErr(boolean writable);

    /**
     * Package-private {@code epollOutReady()}: flush now even while waiting for EPOLLOUT. Call only on an active
     * channel (with a connect pending it would finish the connect instead).
     */
    protected final void forceFlush() {
        epollOutReady();
    }

    /** Package-private {@code AbstractEpollChannel.clearFlag(EPOLLOUT)}. */
    public static void clearEpollOut(AbstractEpollStreamChannel channel) throws IOException {
        channel.clearFlag(Native.EPOLLOUT);
    }

    /** Package-private {@code TcpMd5Util.newTcpMd5Sigs} for {@code EpollChannelOption.TCP_MD5SIG}. */
    public static Collection<InetAddress> newTcpMd5Sigs(Channel channel, Collection<InetAddress> current,
                                                        Map<InetAddress, byte[]> keys) throws IOException {
        return TcpMd5Util.newTcpMd5Sigs((AbstractEpollChannel) channel, current, keys);
    }
}
