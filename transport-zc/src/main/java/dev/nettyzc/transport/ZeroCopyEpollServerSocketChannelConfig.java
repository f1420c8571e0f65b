/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;
import io.netty.util.internal.ObjectUtil;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

import static dev.nettyzc.transport.ZeroCopyEpollSocketChannelConfig.IPPROTO_TCP;
import static dev.nettyzc.transport.ZeroCopyEpollSocketChannelConfig.IP_FREEBIND;
import static dev.nettyzc.transport.ZeroCopyEpollSocketChannelConfig.IP_TRANSPARENT;
import static dev.nettyzc.transport.ZeroCopyEpollSocketChannelConfig.SOL_IP;
import static dev.nettyzc.transport.ZeroCopyEpollSocketChannelConfig.TCP_DEFER_ACCEPT;
import static dev.nettyzc.transport.ZeroCopyEpollSocketChannelConfig.TCP_QUICKACK;
import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.TCP_FASTOPEN;

/**
 * Configuration of a {@link ZeroCopyEpollServerSocketChannel}: the options of Netty's
 * {@code EpollServerSocketChannelConfig} (SO_RCVBUF, SO_REUSEADDR, SO_BACKLOG, TCP_FASTOPEN, SO_REUSEPORT,
 * IP_FREEBIND, IP_TRANSPARENT, TCP_DEFER_ACCEPT, TCP_MD5SIG) plus {@link ZeroCopyChannelOption}s, which on the
 * server are the defaults of accepted children ({@code ZEROCOPY_NOTIFICATION_MODE=CMSG} on a kernel without
 * support throws here, so {@code bind} fails).
 */
public final class ZeroCopyEpollServerSocketChannelConfig extends EpollChannelConfig
        implements ServerSocketChannelConfig {
    private final ZeroCopyEpollServerSocketChannel zcChannel;
    private volatile int backlog = NetUtil.SOMAXCONN;
    private volatile int pendingFastOpenRequestsThreshold;
    private volatile ZeroCopyNotificationMode notificationMode = ZeroCopyNotificationMode.AUTO;
    private volatile int closeTimeoutMillis = ZeroCopyEpollSocketChannelConfig.DEFAULT_CLOSE_TIMEOUT_MILLIS;

    ZeroCopyEpollServerSocketChannelConfig(ZeroCopyEpollServerSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
        this.zcChannel = channel;
        setReuseAddress(true);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_REUSEADDR, SO_BACKLOG, TCP_FASTOPEN,
                EpollChannelOption.SO_REUSEPORT, EpollChannelOption.IP_FREEBIND, EpollChannelOption.IP_TRANSPARENT,
                EpollChannelOption.TCP_DEFER_ACCEPT, ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE,
                ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        if (option == TCP_FASTOPEN) {
            return (T) Integer.valueOf(getTcpFastopen());
        }
        if (option == EpollChannelOption.SO_REUSEPORT) {
            return (T) Boolean.valueOf(isReusePort());
        }
        if (option == EpollChannelOption.IP_FREEBIND) {
            return (T) Boolean.valueOf(isFreeBind());
        }
        if (option == EpollChannelOption.IP_TRANSPARENT) {
            return (T) Boolean.valueOf(isIpTransparent());
        }
        if (option == EpollChannelOption.TCP_DEFER_ACCEPT) {
            return (T) Integer.valueOf(getTcpDeferAccept());
        }
        if (option == ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE) {
            return (T) getNotificationMode();
        }
        if (option == ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS) {
            return (T) Integer.valueOf(getCloseTimeoutMillis());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_BACKLOG) {
            setBacklog((Integer) value);
        } else if (option == TCP_FASTOPEN) {
            setTcpFastopen((Integer) value);
        } else if (option == EpollChannelOption.SO_REUSEPORT) {
            setReusePort((Boolean) value);
        } else if (option == EpollChannelOption.IP_FREEBIND) {
            setFreeBind((Boolean) value);
        } else if (option == EpollChannelOption.IP_TRANSPARENT) {
            setIpTransparent((Boolean) value);
        } else if (option == EpollChannelOption.TCP_MD5SIG) {
            @SuppressWarnings("unchecked")
            final Map<InetAddress, byte[]> m = (Map<InetAddress, byte[]>) value;
            setTcpMd5Sig(m);
        } else if (option == EpollChannelOption.TCP_DEFER_ACCEPT) {
            setTcpDeferAccept((Integer) value);
        } else if (option == ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE) {
            setNotificationMode((ZeroCopyNotificationMode) value);
        } else if (option == ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS) {
            setCloseTimeoutMillis((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /** Default notification mode of accepted children. */
    public ZeroCopyNotificationMode getNotificationMode() {
        return notificationMode;
    }

    /**
     * Default notification mode of accepted children.
     *
     * @throws ChannelException if {@code CMSG} is not supported by the kernel
     */
    public ZeroCopyEpollServerSocketChannelConfig setNotificationMode(ZeroCopyNotificationMode mode) {
        ObjectUtil.checkNotNull(mode, "mode");
        ZeroCopyEpollSocketChannelConfig.checkNotificationMode(mode);
        this.notificationMode = mode;
        return this;
    }

    /** Default close timeout of accepted children, see {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS}. */
    public int getCloseTimeoutMillis() {
        return closeTimeoutMillis;
    }

    /** Default close timeout of accepted children. */
    public ZeroCopyEpollServerSocketChannelConfig setCloseTimeoutMillis(int millis) {
        this.closeTimeoutMillis = ObjectUtil.checkPositiveOrZero(millis, "millis");
        return this;
    }

    private int getInt(int level, int opt) {
        try {
            return socket().getIntOpt(level, opt);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    private ZeroCopyEpollServerSocketChannelConfig setInt(int level, int opt, int value) {
        try {
            socket().setIntOpt(level, opt, value);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public boolean isReuseAddress() {
        try {
            return socket().isReuseAddress();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        try {
            socket().setReuseAddress(reuseAddress);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public int getReceiveBufferSize() {
        try {
            return socket().getReceiveBufferSize();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        try {
            socket().setReceiveBufferSize(receiveBufferSize);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
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

    /** {@code SO_REUSEPORT}. */
    public boolean isReusePort() {
        try {
            return socket().isReusePort();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** {@code SO_REUSEPORT}. */
    public ZeroCopyEpollServerSocketChannelConfig setReusePort(boolean reusePort) {
        try {
            socket().setReusePort(reusePort);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** {@code IP_FREEBIND}. */
    public boolean isFreeBind() {
        return getInt(SOL_IP, IP_FREEBIND) != 0;
    }

    /** {@code IP_FREEBIND}. */
    public ZeroCopyEpollServerSocketChannelConfig setFreeBind(boolean freeBind) {
        return setInt(SOL_IP, IP_FREEBIND, freeBind ? 1 : 0);
    }

    /** {@code IP_TRANSPARENT}. */
    public boolean isIpTransparent() {
        return getInt(SOL_IP, IP_TRANSPARENT) != 0;
    }

    /** {@code IP_TRANSPARENT}. */
    public ZeroCopyEpollServerSocketChannelConfig setIpTransparent(boolean transparent) {
        return setInt(SOL_IP, IP_TRANSPARENT, transparent ? 1 : 0);
    }

    /** {@code TCP_DEFER_ACCEPT}. */
    public int getTcpDeferAccept() {
        return getInt(IPPROTO_TCP, TCP_DEFER_ACCEPT);
    }

    /** {@code TCP_DEFER_ACCEPT}. */
    public ZeroCopyEpollServerSocketChannelConfig setTcpDeferAccept(int deferAccept) {
        return setInt(IPPROTO_TCP, TCP_DEFER_ACCEPT, deferAccept);
    }

    /** {@code TCP_QUICKACK}. */
    public boolean isTcpQuickAck() {
        return getInt(IPPROTO_TCP, TCP_QUICKACK) != 0;
    }

    /** {@code TCP_MD5SIG} keys. */
    public ZeroCopyEpollServerSocketChannelConfig setTcpMd5Sig(Map<InetAddress, byte[]> keys) {
        try {
            zcChannel.setTcpMd5Sig(keys);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setPerformancePreferences(int connectionTime, int latency,
                                                                            int bandwidth) {
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public ZeroCopyEpollServerSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    @Deprecated
    public ZeroCopyEpollServerSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public ZeroCopyEpollServerSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public ZeroCopyEpollServerSocketChannelConfig setEpollMode(EpollMode mode) {
        super.setEpollMode(mode);
        return this;
    }
}
