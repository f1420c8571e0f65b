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
 * The one class netty-transport-zc places in Netty's package (it works on the class path; Netty's jars carry a
 * module-info, so on the module path this split package is refused). It exists because the pieces needed to own
 * EPOLLERR handling are package-private in Netty 4.2: {@code EpollStreamUnsafe}, {@code epollInReady()},
 * {@code epollOutReady()}, {@code epollRdHupReady()}, {@code clearFlag} and {@code isFlagSet}.
 *
 * <p>It replaces {@link AbstractEpollUnsafe#handle} with the same dispatch except for EPOLLERR: the channel
 * first gets {@link #consumeEpollErr(boolean)}. If the channel consumed the EPOLLERR as zero-copy notifications,
 * only the bits that are really set are dispatched (EPOLLOUT to {@code epollOutReady()}, EPOLLIN to
 * {@code epollInReady()}, EPOLLRDHUP to {@code epollRdHupReady()}) so a completion never costs a {@code read()}.
 * Otherwise Netty's own handling runs unchanged, which surfaces a real socket error and closes the channel.
 *
 * <p>Besides that it only forwards a few package-private helpers. It holds no state and no logic of its own.
 */
public abstract class ZeroCopyEpollBridge extends AbstractEpollStreamChannel.EpollStreamUnsafe {

    protected ZeroCopyEpollBridge(AbstractEpollStreamChannel channel) {
        channel.super();
    }

    @Override
    public final void handle(IoRegistration registration, IoEvent event) {
        final int ops = ((EpollIoEvent) event).ops().value();
        final boolean err = (ops & Native.EPOLLERR) != 0;
        final boolean out = (ops & Native.EPOLLOUT) != 0;
        onEpollEvent(err);
        if (err && !consumeEpollErr(out)) {
            // Not (only) zero-copy notifications: Netty's default EPOLLERR handling.
            super.handle(registration, event);
            return;
        }
        if (out) {
            epollOutReady();
        }
        if ((ops & Native.EPOLLIN) != 0) {
            epollInReady();
        }
        if ((ops & Native.EPOLLRDHUP) != 0) {
            epollRdHupReady();
        }
    }

    /** Called first for every epoll event dispatched to the channel (statistics). */
    protected abstract void onEpollEvent(boolean epollErr);

    /**
     * EPOLLERR is set. Collect (or deliberately defer) zero-copy completions.
     *
     * @param writable EPOLLOUT is set in the same event
     * @return {@code true} if EPOLLERR was caused by zero-copy notifications only and is handled;
     *         {@code false} to run Netty's default error handling for the whole event
     */
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

    /** Package-private {@code AbstractEpollChannel.isFlagSet(EPOLLOUT)}. */
    public static boolean isEpollOutSet(AbstractEpollStreamChannel channel) {
        return channel.isFlagSet(Native.EPOLLOUT);
    }

    /** Package-private {@code TcpMd5Util.newTcpMd5Sigs} for {@code EpollChannelOption.TCP_MD5SIG}. */
    public static Collection<InetAddress> newTcpMd5Sigs(Channel channel, Collection<InetAddress> current,
                                                        Map<InetAddress, byte[]> keys) throws IOException {
        return TcpMd5Util.newTcpMd5Sigs((AbstractEpollChannel) channel, current, keys);
    }
}
