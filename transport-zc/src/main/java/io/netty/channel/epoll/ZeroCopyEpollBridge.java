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
 * module-info, so on the module path this split package is refused). It exists because what is needed to own
 * EPOLLERR is package-private in Netty 4.2: {@code EpollStreamUnsafe} and its {@code epollOutReady()},
 * {@code AbstractEpollChannel.clearFlag}, and {@code EpollIoOps.eventOf}.
 *
 * <p>{@link #handle} gives the channel the first look at EPOLLERR ({@link #consumeEpollErr}). If the channel
 * consumed it (zero-copy notifications, or nothing at all), Netty's own {@code handle} runs on the same event
 * with EPOLLERR stripped, so a completion never costs a {@code read()}; otherwise Netty's {@code handle} runs on
 * the event unchanged, which surfaces the socket error. Nothing of Netty's dispatch is re-implemented here.
 *
 * <p>Besides that it only forwards a few package-private helpers. It holds no state and no logic of its own.
 */
public abstract class ZeroCopyEpollBridge extends AbstractEpollStreamChannel.EpollStreamUnsafe {

    private static final int DISPATCHED = Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP;
    /** The event without EPOLLERR, for every combination of the bits Netty dispatches on (no allocation). */
    private static final EpollIoEvent[] WITHOUT_ERR = new EpollIoEvent[8];

    static {
        for (int i = 0; i < WITHOUT_ERR.length; i++) {
            WITHOUT_ERR[i] = EpollIoOps.eventOf(opsOf(i));
        }
    }

    private static int indexOf(int ops) {
        return ((ops & Native.EPOLLIN) != 0 ? 1 : 0) | ((ops & Native.EPOLLOUT) != 0 ? 2 : 0)
                | ((ops & Native.EPOLLRDHUP) != 0 ? 4 : 0);
    }

    private static int opsOf(int index) {
        return ((index & 1) != 0 ? Native.EPOLLIN : 0) | ((index & 2) != 0 ? Native.EPOLLOUT : 0)
                | ((index & 4) != 0 ? Native.EPOLLRDHUP : 0);
    }

    protected ZeroCopyEpollBridge(AbstractEpollStreamChannel channel) {
        channel.super();
    }

    @Override
    public final void handle(IoRegistration registration, IoEvent event) {
        final int ops = ((EpollIoEvent) event).ops().value();
        final boolean err = (ops & Native.EPOLLERR) != 0;
        onEpollEvent(err);
        if (err && consumeEpollErr((ops & Native.EPOLLOUT) != 0)) {
            if ((ops & DISPATCHED) == 0) {
                return;
            }
            event = WITHOUT_ERR[indexOf(ops)];
        }
        super.handle(registration, event);
    }

    /** Called first for every epoll event dispatched to the channel (statistics). */
    protected abstract void onEpollEvent(boolean epollErr);

    /**
     * EPOLLERR is set. Collect (or deliberately defer) zero-copy completions.
     *
     * @param writable EPOLLOUT is set in the same event
     * @return {@code true} if EPOLLERR is handled (Netty then sees the event without it); {@code false} to let
     *         Netty handle the whole event, because a socket error is pending
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

    /** Package-private {@code TcpMd5Util.newTcpMd5Sigs} for {@code EpollChannelOption.TCP_MD5SIG}. */
    public static Collection<InetAddress> newTcpMd5Sigs(Channel channel, Collection<InetAddress> current,
                                                        Map<InetAddress, byte[]> keys) throws IOException {
        return TcpMd5Util.newTcpMd5Sigs((AbstractEpollChannel) channel, current, keys);
    }
}
