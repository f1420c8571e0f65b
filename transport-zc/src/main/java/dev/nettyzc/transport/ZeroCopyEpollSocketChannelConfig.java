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
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/**
 * Configuration of a {@link ZeroCopyEpollSocketChannel}. It supports exactly the options of Netty's
 * {@code EpollSocketChannelConfig} (whose constructor is package-private, hence this mirror) plus
 * {@link ZeroCopyChannelOption}s. Options Netty implements through package-private {@code LinuxSocket} methods
 * are set with the equivalent {@code setsockopt} through the public {@code Socket#setIntOpt}.
 * {@code TCP_FASTOPEN_CONNECT} is implemented with the kernel's {@code TCP_FASTOPEN_CONNECT} socket option
 * (Linux 4.11+) instead of Netty's {@code sendto(MSG_FASTOPEN)} in a package-private {@code doConnect0}.
 */
public final class ZeroCopyEpollSocketChannelConfig extends EpollChannelConfig implements SocketChannelConfig {
    static final int SOL_SOCKET = 1;
    static final int SOL_IP = 0;
    static final int IPPROTO_TCP = 6;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int TCP_CORK = 3;
    static final int TCP_DEFER_ACCEPT = 9;
    static final int TCP_QUICKACK = 12;
    static final int TCP_USER_TIMEOUT = 18;
    static final int TCP_FASTOPEN = 23;
    static final int TCP_NOTSENT_LOWAT = 25;
    static final int TCP_FASTOPEN_CONNECT = 30;
    static final int SO_BUSY_POLL = 46;
    static final int IP_FREEBIND = 15;
    static final int IP_TRANSPARENT = 19;
    static final int IP_BIND_ADDRESS_NO_PORT = 24;

    static final int DEFAULT_CLOSE_TIMEOUT_MILLIS = 30000;

    private final ZeroCopyEpollSocketChannel zcChannel;
    private volatile boolean allowHalfClosure;
    private volatile boolean tcpFastopen;
    private volatile ZeroCopyNotificationMode notificationMode = ZeroCopyNotificationMode.AUTO;
    private volatile int closeTimeoutMillis = DEFAULT_CLOSE_TIMEOUT_MILLIS;

    ZeroCopyEpollSocketChannelConfig(ZeroCopyEpollSocketChannel channel) {
        super(channel);
        this.zcChannel = channel;
        if (PlatformDependent.canEnableTcpNoDelayByDefault()) {
            setTcpNoDelay(true);
        }
        calculateMaxBytesPerGatheringWrite();
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(
                super.getOptions(),
                SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER, IP_TOS,
                ALLOW_HALF_CLOSURE, EpollChannelOption.TCP_CORK, EpollChannelOption.TCP_NOTSENT_LOWAT,
                EpollChannelOption.TCP_KEEPCNT, EpollChannelOption.TCP_KEEPIDLE, EpollChannelOption.TCP_KEEPINTVL,
                EpollChannelOption.TCP_MD5SIG, EpollChannelOption.TCP_QUICKACK,
                EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, EpollChannelOption.IP_TRANSPARENT,
                ChannelOption.TCP_FASTOPEN_CONNECT, EpollChannelOption.SO_BUSY_POLL,
                ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        }
        if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == EpollChannelOption.TCP_CORK) {
            return (T) Boolean.valueOf(isTcpCork());
        }
        if (option == EpollChannelOption.TCP_NOTSENT_LOWAT) {
            return (T) Long.valueOf(getTcpNotSentLowAt());
        }
        if (option == EpollChannelOption.TCP_KEEPIDLE) {
            return (T) Integer.valueOf(getTcpKeepIdle());
        }
        if (option == EpollChannelOption.TCP_KEEPINTVL) {
            return (T) Integer.valueOf(getTcpKeepIntvl());
        }
        if (option == EpollChannelOption.TCP_KEEPCNT) {
            return (T) Integer.valueOf(getTcpKeepCnt());
        }
        if (option == EpollChannelOption.TCP_USER_TIMEOUT) {
            return (T) Integer.valueOf(getTcpUserTimeout());
        }
        if (option == EpollChannelOption.TCP_QUICKACK) {
            return (T) Boolean.valueOf(isTcpQuickAck());
        }
        if (option == EpollChannelOption.IP_BIND_ADDRESS_NO_PORT) {
            return (T) Boolean.valueOf(isIpBindAddressNoPort());
        }
        if (option == EpollChannelOption.IP_TRANSPARENT) {
            return (T) Boolean.valueOf(isIpTransparent());
        }
        if (option == ChannelOption.TCP_FASTOPEN_CONNECT) {
            return (T) Boolean.valueOf(isTcpFastOpenConnect());
        }
        if (option == EpollChannelOption.SO_BUSY_POLL) {
            return (T) Integer.valueOf(getSoBusyPoll());
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
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == EpollChannelOption.TCP_CORK) {
            setTcpCork((Boolean) value);
        } else if (option == EpollChannelOption.TCP_NOTSENT_LOWAT) {
            setTcpNotSentLowAt((Long) value);
        } else if (option == EpollChannelOption.TCP_KEEPIDLE) {
            setTcpKeepIdle((Integer) value);
        } else if (option == EpollChannelOption.TCP_KEEPCNT) {
            setTcpKeepCnt((Integer) value);
        } else if (option == EpollChannelOption.TCP_KEEPINTVL) {
            setTcpKeepIntvl((Integer) value);
        } else if (option == EpollChannelOption.TCP_USER_TIMEOUT) {
            setTcpUserTimeout((Integer) value);
        } else if (option == EpollChannelOption.IP_BIND_ADDRESS_NO_PORT) {
            setIpBindAddressNoPort((Boolean) value);
        } else if (option == EpollChannelOption.IP_TRANSPARENT) {
            setIpTransparent((Boolean) value);
        } else if (option == EpollChannelOption.TCP_MD5SIG) {
            @SuppressWarnings("unchecked")
            final Map<InetAddress, byte[]> m = (Map<InetAddress, byte[]>) value;
            setTcpMd5Sig(m);
        } else if (option == EpollChannelOption.TCP_QUICKACK) {
            setTcpQuickAck((Boolean) value);
        } else if (option == ChannelOption.TCP_FASTOPEN_CONNECT) {
            setTcpFastOpenConnect((Boolean) value);
        } else if (option == EpollChannelOption.SO_BUSY_POLL) {
            setSoBusyPoll((Integer) value);
        } else if (option == ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE) {
            setNotificationMode((ZeroCopyNotificationMode) value);
        } else if (option == ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS) {
            setCloseTimeoutMillis((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    // ---- zero-copy options ----

    /** The configured mode ({@link ZeroCopyNotificationMode#AUTO} unless changed). */
    public ZeroCopyNotificationMode getNotificationMode() {
        return notificationMode;
    }

    /**
     * Sets the notification mode.
     *
     * @throws ChannelException if {@code mode} is {@code CMSG} and the kernel does not accept
     *                          {@code SCM_ZC_NOTIFICATION} (see {@link ZeroCopy#isInbandNotificationSupported()})
     */
    public ZeroCopyEpollSocketChannelConfig setNotificationMode(ZeroCopyNotificationMode mode) {
        ObjectUtil.checkNotNull(mode, "mode");
        checkNotificationMode(mode);
        this.notificationMode = mode;
        return this;
    }

    static void checkNotificationMode(ZeroCopyNotificationMode mode) {
        if (mode == ZeroCopyNotificationMode.CMSG && !ZeroCopy.isInbandNotificationSupported()) {
            throw new ChannelException("ZEROCOPY_NOTIFICATION_MODE=CMSG is not supported by this kernel ("
                    + System.getProperty("os.version") + "): " + ZeroCopy.inbandProbeDescription()
                    + "; use AUTO or ERRQUEUE");
        }
    }

    /** {@code true} if sends carry the in-band placeholder (CMSG, or AUTO on a kernel that supports it). */
    boolean isInbandEffective() {
        ZeroCopyNotificationMode mode = notificationMode;
        return mode == ZeroCopyNotificationMode.CMSG
                || mode == ZeroCopyNotificationMode.AUTO && ZeroCopy.isInbandNotificationSupported();
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS}. */
    public int getCloseTimeoutMillis() {
        return closeTimeoutMillis;
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS}. */
    public ZeroCopyEpollSocketChannelConfig setCloseTimeoutMillis(int millis) {
        this.closeTimeoutMillis = ObjectUtil.checkPositiveOrZero(millis, "millis");
        return this;
    }

    long maxBytesPerGatheringWrite() {
        return getMaxBytesPerGatheringWrite();
    }

    void maxBytesPerGatheringWrite(long value) {
        setMaxBytesPerGatheringWrite(value);
    }

    // ---- socket options (mirror of EpollSocketChannelConfig) ----

    private int getInt(int level, int opt) {
        try {
            return socket().getIntOpt(level, opt);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    private ZeroCopyEpollSocketChannelConfig setInt(int level, int opt, int value) {
        try {
            socket().setIntOpt(level, opt, value);
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
    public int getSendBufferSize() {
        try {
            return socket().getSendBufferSize();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public int getSoLinger() {
        try {
            return socket().getSoLinger();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public int getTrafficClass() {
        try {
            return socket().getTrafficClass();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public boolean isKeepAlive() {
        try {
            return socket().isKeepAlive();
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
    public boolean isTcpNoDelay() {
        try {
            return socket().isTcpNoDelay();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** {@code TCP_CORK}, see {@code man 7 tcp}. */
    public boolean isTcpCork() {
        return getInt(IPPROTO_TCP, TCP_CORK) != 0;
    }

    /** {@code SO_BUSY_POLL}. */
    public int getSoBusyPoll() {
        return getInt(SOL_SOCKET, SO_BUSY_POLL);
    }

    /** {@code TCP_NOTSENT_LOWAT} (a uint32_t). */
    public long getTcpNotSentLowAt() {
        return getInt(IPPROTO_TCP, TCP_NOTSENT_LOWAT) & 0xFFFFFFFFL;
    }

    /** {@code TCP_KEEPIDLE}. */
    public int getTcpKeepIdle() {
        return getInt(IPPROTO_TCP, TCP_KEEPIDLE);
    }

    /** {@code TCP_KEEPINTVL}. */
    public int getTcpKeepIntvl() {
        return getInt(IPPROTO_TCP, TCP_KEEPINTVL);
    }

    /** {@code TCP_KEEPCNT}. */
    public int getTcpKeepCnt() {
        return getInt(IPPROTO_TCP, TCP_KEEPCNT);
    }

    /** {@code TCP_USER_TIMEOUT}. */
    public int getTcpUserTimeout() {
        return getInt(IPPROTO_TCP, TCP_USER_TIMEOUT);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setKeepAlive(boolean keepAlive) {
        try {
            socket().setKeepAlive(keepAlive);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setPerformancePreferences(int connectionTime, int latency,
                                                                      int bandwidth) {
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        try {
            socket().setReceiveBufferSize(receiveBufferSize);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        try {
            socket().setReuseAddress(reuseAddress);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        try {
            socket().setSendBufferSize(sendBufferSize);
            calculateMaxBytesPerGatheringWrite();
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setSoLinger(int soLinger) {
        try {
            socket().setSoLinger(soLinger);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        try {
            socket().setTcpNoDelay(tcpNoDelay);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** {@code TCP_CORK}. */
    public ZeroCopyEpollSocketChannelConfig setTcpCork(boolean tcpCork) {
        return setInt(IPPROTO_TCP, TCP_CORK, tcpCork ? 1 : 0);
    }

    /** {@code SO_BUSY_POLL}. */
    public ZeroCopyEpollSocketChannelConfig setSoBusyPoll(int loopMicros) {
        return setInt(SOL_SOCKET, SO_BUSY_POLL, loopMicros);
    }

    /** {@code TCP_NOTSENT_LOWAT}, a uint32_t. */
    public ZeroCopyEpollSocketChannelConfig setTcpNotSentLowAt(long tcpNotSentLowAt) {
        if (tcpNotSentLowAt < 0 || tcpNotSentLowAt > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("tcpNotSentLowAt must be a uint32_t");
        }
        return setInt(IPPROTO_TCP, TCP_NOTSENT_LOWAT, (int) tcpNotSentLowAt);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setTrafficClass(int trafficClass) {
        try {
            socket().setTrafficClass(trafficClass);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** {@code TCP_KEEPIDLE}. */
    public ZeroCopyEpollSocketChannelConfig setTcpKeepIdle(int seconds) {
        return setInt(IPPROTO_TCP, TCP_KEEPIDLE, seconds);
    }

    /** {@code TCP_KEEPINTVL}. */
    public ZeroCopyEpollSocketChannelConfig setTcpKeepIntvl(int seconds) {
        return setInt(IPPROTO_TCP, TCP_KEEPINTVL, seconds);
    }

    /** {@code TCP_KEEPCNT}. */
    public ZeroCopyEpollSocketChannelConfig setTcpKeepCnt(int probes) {
        return setInt(IPPROTO_TCP, TCP_KEEPCNT, probes);
    }

    /** {@code TCP_USER_TIMEOUT}. */
    public ZeroCopyEpollSocketChannelConfig setTcpUserTimeout(int milliseconds) {
        return setInt(IPPROTO_TCP, TCP_USER_TIMEOUT, milliseconds);
    }

    /** {@code IP_BIND_ADDRESS_NO_PORT}. */
    public boolean isIpBindAddressNoPort() {
        return getInt(SOL_IP, IP_BIND_ADDRESS_NO_PORT) != 0;
    }

    /** {@code IP_BIND_ADDRESS_NO_PORT}. */
    public ZeroCopyEpollSocketChannelConfig setIpBindAddressNoPort(boolean ipBindAddressNoPort) {
        return setInt(SOL_IP, IP_BIND_ADDRESS_NO_PORT, ipBindAddressNoPort ? 1 : 0);
    }

    /** {@code IP_TRANSPARENT}. */
    public boolean isIpTransparent() {
        return getInt(SOL_IP, IP_TRANSPARENT) != 0;
    }

    /** {@code IP_TRANSPARENT}. */
    public ZeroCopyEpollSocketChannelConfig setIpTransparent(boolean transparent) {
        return setInt(SOL_IP, IP_TRANSPARENT, transparent ? 1 : 0);
    }

    /** {@code TCP_MD5SIG} keys. */
    public ZeroCopyEpollSocketChannelConfig setTcpMd5Sig(Map<InetAddress, byte[]> keys) {
        try {
            zcChannel.setTcpMd5Sig(keys);
            return this;
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** {@code TCP_QUICKACK}. */
    public ZeroCopyEpollSocketChannelConfig setTcpQuickAck(boolean quickAck) {
        return setInt(IPPROTO_TCP, TCP_QUICKACK, quickAck ? 1 : 0);
    }

    /** {@code TCP_QUICKACK}. */
    public boolean isTcpQuickAck() {
        return getInt(IPPROTO_TCP, TCP_QUICKACK) != 0;
    }

    /**
     * TCP fast open on connect, implemented with the kernel's {@code TCP_FASTOPEN_CONNECT} socket option; set it
     * before connecting.
     */
    public ZeroCopyEpollSocketChannelConfig setTcpFastOpenConnect(boolean fastOpenConnect) {
        setInt(IPPROTO_TCP, TCP_FASTOPEN_CONNECT, fastOpenConnect ? 1 : 0);
        tcpFastopen = fastOpenConnect;
        return this;
    }

    /** See {@link #setTcpFastOpenConnect(boolean)}. */
    public boolean isTcpFastOpenConnect() {
        return tcpFastopen;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public ZeroCopyEpollSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public ZeroCopyEpollSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public ZeroCopyEpollSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setEpollMode(EpollMode mode) {
        super.setEpollMode(mode);
        return this;
    }

    private void calculateMaxBytesPerGatheringWrite() {
        // As Netty: twice the send buffer, in case the OS drains faster than we provide.
        int newSendBufferSize = getSendBufferSize() << 1;
        if (newSendBufferSize > 0) {
            setMaxBytesPerGatheringWrite(newSendBufferSize);
        }
    }
}
