/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;
import io.netty.util.internal.ObjectUtil;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

/**
 * Configuration of a {@link ZeroCopyEpollServerSocketChannel}: the options of Netty's
 * {@code EpollServerSocketChannelConfig} (SO_RCVBUF, SO_REUSEADDR, SO_BACKLOG, TCP_FASTOPEN, SO_REUSEPORT,
 * IP_FREEBIND, IP_TRANSPARENT, TCP_DEFER_ACCEPT, TCP_MD5SIG) plus {@link ZeroCopyChannelOption}s, which on the
 * server are the defaults of accepted children ({@code ZEROCOPY_NOTIFICATION_MODE=CMSG} on a kernel without
 * support throws here, so {@code bind} fails).
 */
public final class ZeroCopyEpollServerSocketChannelConfig
        extends ZeroCopyChannelConfigBase<ZeroCopyEpollServerSocketChannelConfig> implements ServerSocketChannelConfig {
    static final int IPPROTO_TCP = ZeroCopyEpollSocketChannelConfig.IPPROTO_TCP;
    static final int IP_FREEBIND = 15;
    static final int TCP_DEFER_ACCEPT = 9;

    /** The server's own options; the socket-option ones are implemented here, their accessors delegate. */
    private static final ConfigOptionTable<ZeroCopyEpollServerSocketChannelConfig> OPTIONS =
            ConfigOptionTable.<ZeroCopyEpollServerSocketChannelConfig>builder()
                    .include(COMMON_OPTIONS)
                    .add(ChannelOption.SO_BACKLOG, ZeroCopyEpollServerSocketChannelConfig::getBacklog,
                            ZeroCopyEpollServerSocketChannelConfig::setBacklog)
                    .add(ChannelOption.TCP_FASTOPEN, ZeroCopyEpollServerSocketChannelConfig::getTcpFastopen,
                            ZeroCopyEpollServerSocketChannelConfig::setTcpFastopen)
                    .add(EpollChannelOption.SO_REUSEPORT, c -> c.read(LinuxSocket::isReusePort),
                            (c, on) -> c.write(s -> s.setReusePort(on)))
                    .add(EpollChannelOption.IP_FREEBIND, c -> c.getInt(SOL_IP, IP_FREEBIND) != 0,
                            (c, on) -> c.setInt(SOL_IP, IP_FREEBIND, on ? 1 : 0))
                    .add(EpollChannelOption.TCP_DEFER_ACCEPT, c -> c.getInt(IPPROTO_TCP, TCP_DEFER_ACCEPT),
                            (c, seconds) -> c.setInt(IPPROTO_TCP, TCP_DEFER_ACCEPT, seconds))
                    .build();

    private final ZeroCopyEpollServerSocketChannel zcChannel;
    private volatile int backlog = NetUtil.SOMAXCONN;
    private volatile int pendingFastOpenRequestsThreshold;

    ZeroCopyEpollServerSocketChannelConfig(ZeroCopyEpollServerSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator(), OPTIONS);
        this.zcChannel = channel;
        setReuseAddress(true);
    }

    @Override
    void setTcpMd5SigOnChannel(Map<InetAddress, byte[]> keys) throws IOException {
        zcChannel.setTcpMd5Sig(keys);
    }

    @Override
    public int getBacklog() {
        return backlog;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setBacklog(int backlog) {
        this.backlog = ObjectUtil.checkPositiveOrZero(backlog, "backlog");
        return this;
    }

    /** Pending TCP fast open requests (queue length given to {@code TCP_FASTOPEN}); 0 = off. */
    public int getTcpFastopen() {
        return pendingFastOpenRequestsThreshold;
    }

    /** See {@link #getTcpFastopen()}; applied at bind. */
    public ZeroCopyEpollServerSocketChannelConfig setTcpFastopen(int pendingFastOpenRequestsThreshold) {
        this.pendingFastOpenRequestsThreshold = ObjectUtil.checkPositiveOrZero(pendingFastOpenRequestsThreshold,
                "pendingFastOpenRequestsThreshold");
        return this;
    }

    /** {@code SO_REUSEPORT}: several sockets may bind the same address and port (set before bind). */
    public boolean isReusePort() {
        return getOption(EpollChannelOption.SO_REUSEPORT);
    }

    /** See {@link #isReusePort()}. */
    public ZeroCopyEpollServerSocketChannelConfig setReusePort(boolean reusePort) {
        setOption(EpollChannelOption.SO_REUSEPORT, reusePort);
        return this;
    }

    /** {@code IP_FREEBIND}: bind to an address that is not (yet) configured locally. */
    public boolean isFreeBind() {
        return getOption(EpollChannelOption.IP_FREEBIND);
    }

    /** See {@link #isFreeBind()}. */
    public ZeroCopyEpollServerSocketChannelConfig setFreeBind(boolean freeBind) {
        setOption(EpollChannelOption.IP_FREEBIND, freeBind);
        return this;
    }

    /** {@code TCP_DEFER_ACCEPT}: seconds to wait for the first data before a connection is accepted. */
    public int getTcpDeferAccept() {
        return getOption(EpollChannelOption.TCP_DEFER_ACCEPT);
    }

    /** See {@link #getTcpDeferAccept()}. */
    public ZeroCopyEpollServerSocketChannelConfig setTcpDeferAccept(int deferAccept) {
        setOption(EpollChannelOption.TCP_DEFER_ACCEPT, deferAccept);
        return this;
    }

    /** {@code TCP_QUICKACK}. */
    public boolean isTcpQuickAck() {
        return getInt(IPPROTO_TCP, ZeroCopyEpollSocketChannelConfig.TCP_QUICKACK) != 0;
    }
}
