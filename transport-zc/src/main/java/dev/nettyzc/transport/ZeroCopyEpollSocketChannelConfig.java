/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

/**
 * Configuration of a {@link ZeroCopyEpollSocketChannel}. It supports exactly the options of Netty's
 * {@code EpollSocketChannelConfig} plus {@link ZeroCopyChannelOption}s. Options Netty implements through
 * package-private {@code LinuxSocket} methods are set with the equivalent {@code setsockopt} through the public
 * {@code Socket#setIntOpt}. {@code TCP_FASTOPEN_CONNECT} is implemented with the kernel's
 * {@code TCP_FASTOPEN_CONNECT} socket option (Linux 4.11+) instead of Netty's {@code sendto(MSG_FASTOPEN)} in a
 * package-private {@code doConnect0}.
 */
public final class ZeroCopyEpollSocketChannelConfig extends ZeroCopyChannelConfigBase<ZeroCopyEpollSocketChannelConfig>
        implements SocketChannelConfig {
    static final int IPPROTO_TCP = 6;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int TCP_CORK = 3;
    static final int TCP_QUICKACK = 12;
    static final int TCP_USER_TIMEOUT = 18;
    static final int TCP_FASTOPEN = 23;
    static final int TCP_NOTSENT_LOWAT = 25;
    static final int TCP_FASTOPEN_CONNECT = 30;
    static final int SO_BUSY_POLL = 46;
    static final int IP_BIND_ADDRESS_NO_PORT = 24;

    private static final ConfigOptionTable<ZeroCopyEpollSocketChannelConfig> OPTIONS =
            ConfigOptionTable.<ZeroCopyEpollSocketChannelConfig>builder()
                    .include(COMMON_OPTIONS)
                    .add(ChannelOption.SO_SNDBUF,
                            ZeroCopyEpollSocketChannelConfig::getSendBufferSize, ZeroCopyEpollSocketChannelConfig::setSendBufferSize)
                    .add(ChannelOption.TCP_NODELAY,
                            ZeroCopyEpollSocketChannelConfig::isTcpNoDelay, ZeroCopyEpollSocketChannelConfig::setTcpNoDelay)
                    .add(ChannelOption.SO_KEEPALIVE,
                            ZeroCopyEpollSocketChannelConfig::isKeepAlive, ZeroCopyEpollSocketChannelConfig::setKeepAlive)
                    .add(ChannelOption.SO_LINGER,
                            ZeroCopyEpollSocketChannelConfig::getSoLinger, ZeroCopyEpollSocketChannelConfig::setSoLinger)
                    .add(ChannelOption.IP_TOS,
                            ZeroCopyEpollSocketChannelConfig::getTrafficClass, ZeroCopyEpollSocketChannelConfig::setTrafficClass)
                    .add(ChannelOption.ALLOW_HALF_CLOSURE,
                            ZeroCopyEpollSocketChannelConfig::isAllowHalfClosure, ZeroCopyEpollSocketChannelConfig::setAllowHalfClosure)
                    .add(EpollChannelOption.TCP_CORK,
                            ZeroCopyEpollSocketChannelConfig::isTcpCork, ZeroCopyEpollSocketChannelConfig::setTcpCork)
                    .add(EpollChannelOption.TCP_NOTSENT_LOWAT,
                            ZeroCopyEpollSocketChannelConfig::getTcpNotSentLowAt, ZeroCopyEpollSocketChannelConfig::setTcpNotSentLowAt)
                    .add(EpollChannelOption.TCP_KEEPIDLE,
                            ZeroCopyEpollSocketChannelConfig::getTcpKeepIdle, ZeroCopyEpollSocketChannelConfig::setTcpKeepIdle)
                    .add(EpollChannelOption.TCP_KEEPINTVL,
                            ZeroCopyEpollSocketChannelConfig::getTcpKeepIntvl, ZeroCopyEpollSocketChannelConfig::setTcpKeepIntvl)
                    .add(EpollChannelOption.TCP_KEEPCNT,
                            ZeroCopyEpollSocketChannelConfig::getTcpKeepCnt, ZeroCopyEpollSocketChannelConfig::setTcpKeepCnt)
                    .add(EpollChannelOption.TCP_USER_TIMEOUT,
                            ZeroCopyEpollSocketChannelConfig::getTcpUserTimeout, ZeroCopyEpollSocketChannelConfig::setTcpUserTimeout)
                    .add(EpollChannelOption.TCP_QUICKACK,
                            ZeroCopyEpollSocketChannelConfig::isTcpQuickAck, ZeroCopyEpollSocketChannelConfig::setTcpQuickAck)
                    .add(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT,
                            ZeroCopyEpollSocketChannelConfig::isIpBindAddressNoPort, ZeroCopyEpollSocketChannelConfig::setIpBindAddressNoPort)
                    .add(ChannelOption.TCP_FASTOPEN_CONNECT,
                            ZeroCopyEpollSocketChannelConfig::isTcpFastOpenConnect, ZeroCopyEpollSocketChannelConfig::setTcpFastOpenConnect)
                    .add(EpollChannelOption.SO_BUSY_POLL,
                            ZeroCopyEpollSocketChannelConfig::getSoBusyPoll, ZeroCopyEpollSocketChannelConfig::setSoBusyPoll)
                    .build();

    private final ZeroCopyEpollSocketChannel zcChannel;
    private volatile boolean allowHalfClosure;
    private volatile boolean tcpFastopen;

    ZeroCopyEpollSocketChannelConfig(ZeroCopyEpollSocketChannel channel) {
        super(channel, OPTIONS);
        this.zcChannel = channel;
        if (PlatformDependent.canEnableTcpNoDelayByDefault()) {
            setTcpNoDelay(true);
        }
        calculateMaxBytesPerGatheringWrite();
    }

    @Override
    void setTcpMd5SigOnChannel(Map<InetAddress, byte[]> keys) throws IOException {
        zcChannel.setTcpMd5Sig(keys);
    }

    long maxBytesPerGatheringWrite() {
        return getMaxBytesPerGatheringWrite();
    }

    void maxBytesPerGatheringWrite(long value) {
        setMaxBytesPerGatheringWrite(value);
    }

    private void calculateMaxBytesPerGatheringWrite() {
        // As Netty: twice the send buffer, in case the OS drains faster than we provide.
        int newSendBufferSize = getSendBufferSize() << 1;
        if (newSendBufferSize > 0) {
            setMaxBytesPerGatheringWrite(newSendBufferSize);
        }
    }

    // ---- socket options (mirror of EpollSocketChannelConfig) ----

    @Override
    public int getSendBufferSize() {
        return read(LinuxSocket::getSendBufferSize);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        write(s -> s.setSendBufferSize(sendBufferSize));
        calculateMaxBytesPerGatheringWrite();
        return this;
    }

    @Override
    public int getSoLinger() {
        return read(LinuxSocket::getSoLinger);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setSoLinger(int soLinger) {
        return write(s -> s.setSoLinger(soLinger));
    }

    @Override
    public int getTrafficClass() {
        return read(LinuxSocket::getTrafficClass);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setTrafficClass(int trafficClass) {
        return write(s -> s.setTrafficClass(trafficClass));
    }

    @Override
    public boolean isKeepAlive() {
        return read(LinuxSocket::isKeepAlive);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setKeepAlive(boolean keepAlive) {
        return write(s -> s.setKeepAlive(keepAlive));
    }

    @Override
    public boolean isTcpNoDelay() {
        return read(LinuxSocket::isTcpNoDelay);
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        return write(s -> s.setTcpNoDelay(tcpNoDelay));
    }

    /** {@code TCP_CORK}, see {@code man 7 tcp}. */
    public boolean isTcpCork() {
        return getInt(IPPROTO_TCP, TCP_CORK) != 0;
    }

    /** {@code TCP_CORK}. */
    public ZeroCopyEpollSocketChannelConfig setTcpCork(boolean tcpCork) {
        return setInt(IPPROTO_TCP, TCP_CORK, tcpCork ? 1 : 0);
    }

    /** {@code SO_BUSY_POLL}. */
    public int getSoBusyPoll() {
        return getInt(SOL_SOCKET, SO_BUSY_POLL);
    }

    /** {@code SO_BUSY_POLL}. */
    public ZeroCopyEpollSocketChannelConfig setSoBusyPoll(int loopMicros) {
        return setInt(SOL_SOCKET, SO_BUSY_POLL, loopMicros);
    }

    /** {@code TCP_NOTSENT_LOWAT} (a uint32_t). */
    public long getTcpNotSentLowAt() {
        return getInt(IPPROTO_TCP, TCP_NOTSENT_LOWAT) & 0xFFFFFFFFL;
    }

    /** {@code TCP_NOTSENT_LOWAT}, a uint32_t. */
    public ZeroCopyEpollSocketChannelConfig setTcpNotSentLowAt(long tcpNotSentLowAt) {
        if (tcpNotSentLowAt < 0 || tcpNotSentLowAt > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("tcpNotSentLowAt must be a uint32_t");
        }
        return setInt(IPPROTO_TCP, TCP_NOTSENT_LOWAT, (int) tcpNotSentLowAt);
    }

    /** {@code TCP_KEEPIDLE}. */
    public int getTcpKeepIdle() {
        return getInt(IPPROTO_TCP, TCP_KEEPIDLE);
    }

    /** {@code TCP_KEEPIDLE}. */
    public ZeroCopyEpollSocketChannelConfig setTcpKeepIdle(int seconds) {
        return setInt(IPPROTO_TCP, TCP_KEEPIDLE, seconds);
    }

    /** {@code TCP_KEEPINTVL}. */
    public int getTcpKeepIntvl() {
        return getInt(IPPROTO_TCP, TCP_KEEPINTVL);
    }

    /** {@code TCP_KEEPINTVL}. */
    public ZeroCopyEpollSocketChannelConfig setTcpKeepIntvl(int seconds) {
        return setInt(IPPROTO_TCP, TCP_KEEPINTVL, seconds);
    }

    /** {@code TCP_KEEPCNT}. */
    public int getTcpKeepCnt() {
        return getInt(IPPROTO_TCP, TCP_KEEPCNT);
    }

    /** {@code TCP_KEEPCNT}. */
    public ZeroCopyEpollSocketChannelConfig setTcpKeepCnt(int probes) {
        return setInt(IPPROTO_TCP, TCP_KEEPCNT, probes);
    }

    /** {@code TCP_USER_TIMEOUT}. */
    public int getTcpUserTimeout() {
        return getInt(IPPROTO_TCP, TCP_USER_TIMEOUT);
    }

    /** {@code TCP_USER_TIMEOUT}. */
    public ZeroCopyEpollSocketChannelConfig setTcpUserTimeout(int milliseconds) {
        return setInt(IPPROTO_TCP, TCP_USER_TIMEOUT, milliseconds);
    }

    /** {@code TCP_QUICKACK}. */
    public boolean isTcpQuickAck() {
        return getInt(IPPROTO_TCP, TCP_QUICKACK) != 0;
    }

    /** {@code TCP_QUICKACK}. */
    public ZeroCopyEpollSocketChannelConfig setTcpQuickAck(boolean quickAck) {
        return setInt(IPPROTO_TCP, TCP_QUICKACK, quickAck ? 1 : 0);
    }

    /** {@code IP_BIND_ADDRESS_NO_PORT}. */
    public boolean isIpBindAddressNoPort() {
        return getInt(SOL_IP, IP_BIND_ADDRESS_NO_PORT) != 0;
    }

    /** {@code IP_BIND_ADDRESS_NO_PORT}. */
    public ZeroCopyEpollSocketChannelConfig setIpBindAddressNoPort(boolean ipBindAddressNoPort) {
        return setInt(SOL_IP, IP_BIND_ADDRESS_NO_PORT, ipBindAddressNoPort ? 1 : 0);
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
}
