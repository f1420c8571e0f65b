/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.ZeroCopyEpollDatagramSocketOptions;
import io.netty.channel.socket.DatagramChannelConfig;
import io.netty.util.internal.ObjectUtil;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Map;

/**
 * Configuration of a {@link ZeroCopyEpollDatagramChannel}: the options of Netty's {@code EpollDatagramChannelConfig}
 * (whose constructor is package-private and takes an {@code EpollDatagramChannel}) plus the
 * {@link ZeroCopyChannelOption}s. Like Netty's, it receives into 2048-byte buffers by default
 * ({@code FixedRecvByteBufAllocator}); set a larger allocator for larger datagrams.
 *
 * <p>Not supported (yet): {@link EpollChannelOption#UDP_GRO} = {@code true}, which needs a read path that splits
 * coalesced datagrams by the {@code UDP_GRO} cmsg; setting it fails with a {@link ChannelException} instead of
 * delivering merged datagrams.
 */
public final class ZeroCopyEpollDatagramChannelConfig
        extends ZeroCopyChannelConfigBase<ZeroCopyEpollDatagramChannelConfig> implements DatagramChannelConfig {

    private static final ConfigOptionTable<ZeroCopyEpollDatagramChannelConfig> OPTIONS =
            ConfigOptionTable.<ZeroCopyEpollDatagramChannelConfig>builder()
                    .include(COMMON_OPTIONS)
                    .add(ChannelOption.SO_SNDBUF, ZeroCopyEpollDatagramChannelConfig::getSendBufferSize,
                            ZeroCopyEpollDatagramChannelConfig::setSendBufferSize)
                    .add(ChannelOption.SO_BROADCAST, ZeroCopyEpollDatagramChannelConfig::isBroadcast,
                            ZeroCopyEpollDatagramChannelConfig::setBroadcast)
                    .add(ChannelOption.IP_TOS, ZeroCopyEpollDatagramChannelConfig::getTrafficClass,
                            ZeroCopyEpollDatagramChannelConfig::setTrafficClass)
                    .add(ChannelOption.IP_MULTICAST_LOOP_DISABLED,
                            ZeroCopyEpollDatagramChannelConfig::isLoopbackModeDisabled,
                            ZeroCopyEpollDatagramChannelConfig::setLoopbackModeDisabled)
                    .add(ChannelOption.IP_MULTICAST_ADDR, ZeroCopyEpollDatagramChannelConfig::getInterface,
                            ZeroCopyEpollDatagramChannelConfig::setInterface)
                    .add(ChannelOption.IP_MULTICAST_IF, ZeroCopyEpollDatagramChannelConfig::getNetworkInterface,
                            ZeroCopyEpollDatagramChannelConfig::setNetworkInterface)
                    .add(ChannelOption.IP_MULTICAST_TTL, ZeroCopyEpollDatagramChannelConfig::getTimeToLive,
                            ZeroCopyEpollDatagramChannelConfig::setTimeToLive)
                    .add(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION,
                            ZeroCopyEpollDatagramChannelConfig::isActiveOnRegistration,
                            ZeroCopyEpollDatagramChannelConfig::setActiveOnRegistration)
                    .add(EpollChannelOption.SO_REUSEPORT, ZeroCopyEpollDatagramChannelConfig::isReusePort,
                            ZeroCopyEpollDatagramChannelConfig::setReusePort)
                    .add(EpollChannelOption.IP_FREEBIND, ZeroCopyEpollDatagramChannelConfig::isFreeBind,
                            ZeroCopyEpollDatagramChannelConfig::setFreeBind)
                    .add(EpollChannelOption.IP_RECVORIGDSTADDR,
                            ZeroCopyEpollDatagramChannelConfig::isIpRecvOrigDestAddr,
                            ZeroCopyEpollDatagramChannelConfig::setIpRecvOrigDestAddr)
                    .add(EpollChannelOption.IP_MULTICAST_ALL, ZeroCopyEpollDatagramChannelConfig::isIpMulticastAll,
                            ZeroCopyEpollDatagramChannelConfig::setIpMulticastAll)
                    .add(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE,
                            ZeroCopyEpollDatagramChannelConfig::getMaxDatagramPayloadSize,
                            ZeroCopyEpollDatagramChannelConfig::setMaxDatagramPayloadSize)
                    .add(EpollChannelOption.UDP_GRO, ZeroCopyEpollDatagramChannelConfig::isUdpGro,
                            ZeroCopyEpollDatagramChannelConfig::setUdpGro)
                    .build();

    private final ZeroCopyEpollDatagramChannel zcChannel;
    private volatile boolean activeOnRegistration;
    private volatile int maxDatagramPayloadSize;

    ZeroCopyEpollDatagramChannelConfig(ZeroCopyEpollDatagramChannel channel) {
        super(channel, new FixedRecvByteBufAllocator(2048), OPTIONS);
        this.zcChannel = channel;
    }

    @Override
    void setTcpMd5SigOnChannel(Map<InetAddress, byte[]> keys) throws IOException {
        throw new IOException("TCP_MD5SIG is a TCP option; a datagram channel has no use for it");
    }

    // ---- DatagramChannelConfig ----

    @Override
    public int getSendBufferSize() {
        return read(LinuxSocket::getSendBufferSize);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setSendBufferSize(int sendBufferSize) {
        return write(s -> s.setSendBufferSize(sendBufferSize));
    }

    @Override
    public int getTrafficClass() {
        return read(LinuxSocket::getTrafficClass);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setTrafficClass(int trafficClass) {
        return write(s -> s.setTrafficClass(trafficClass));
    }

    @Override
    public boolean isBroadcast() {
        return read(LinuxSocket::isBroadcast);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setBroadcast(boolean broadcast) {
        return write(s -> s.setBroadcast(broadcast));
    }

    @Override
    public boolean isLoopbackModeDisabled() {
        return read(ZeroCopyEpollDatagramSocketOptions::isLoopbackModeDisabled);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setLoopbackModeDisabled(boolean loopbackModeDisabled) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setLoopbackModeDisabled(s, loopbackModeDisabled));
    }

    @Override
    public int getTimeToLive() {
        return read(ZeroCopyEpollDatagramSocketOptions::getTimeToLive);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setTimeToLive(int ttl) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setTimeToLive(s, ttl));
    }

    @Override
    public InetAddress getInterface() {
        return read(ZeroCopyEpollDatagramSocketOptions::getInterface);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setInterface(InetAddress interfaceAddress) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setInterface(s, interfaceAddress));
    }

    @Override
    public NetworkInterface getNetworkInterface() {
        return read(ZeroCopyEpollDatagramSocketOptions::getNetworkInterface);
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig setNetworkInterface(NetworkInterface networkInterface) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setNetworkInterface(s, networkInterface));
    }

    // ---- EpollDatagramChannelConfig's own ----

    /** {@code SO_REUSEPORT}. */
    public boolean isReusePort() {
        return read(LinuxSocket::isReusePort);
    }

    /** {@code SO_REUSEPORT}: several sockets may bind the same address; set before bind. */
    public ZeroCopyEpollDatagramChannelConfig setReusePort(boolean reusePort) {
        return write(s -> s.setReusePort(reusePort));
    }

    /** {@code IP_FREEBIND}. */
    public boolean isFreeBind() {
        return read(ZeroCopyEpollDatagramSocketOptions::isIpFreeBind);
    }

    /** {@code IP_FREEBIND}: bind to addresses that are not (yet) local. */
    public ZeroCopyEpollDatagramChannelConfig setFreeBind(boolean freeBind) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setIpFreeBind(s, freeBind));
    }

    /** {@code IP_RECVORIGDSTADDR}. */
    public boolean isIpRecvOrigDestAddr() {
        return read(ZeroCopyEpollDatagramSocketOptions::isIpRecvOrigDestAddr);
    }

    /** {@code IP_RECVORIGDSTADDR}: a received packet's recipient is its original destination. */
    public ZeroCopyEpollDatagramChannelConfig setIpRecvOrigDestAddr(boolean on) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setIpRecvOrigDestAddr(s, on));
    }

    /** {@code IP_MULTICAST_ALL}. */
    public boolean isIpMulticastAll() {
        return read(ZeroCopyEpollDatagramSocketOptions::isIpMulticastAll);
    }

    /** {@code IP_MULTICAST_ALL}. */
    public ZeroCopyEpollDatagramChannelConfig setIpMulticastAll(boolean on) {
        return write(s -> ZeroCopyEpollDatagramSocketOptions.setIpMulticastAll(s, on));
    }

    /** See {@link ChannelOption#DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION}. */
    public boolean isActiveOnRegistration() {
        return activeOnRegistration;
    }

    /** See {@link ChannelOption#DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION}; only before registration. */
    public ZeroCopyEpollDatagramChannelConfig setActiveOnRegistration(boolean activeOnRegistration) {
        if (zcChannel.isRegistered()) {
            throw new IllegalStateException("Can only changed before channel was registered");
        }
        this.activeOnRegistration = activeOnRegistration;
        return this;
    }

    /**
     * {@link EpollChannelOption#MAX_DATAGRAM_PAYLOAD_SIZE}: the most bytes one read takes from a receive buffer
     * (0: the whole buffer).
     */
    public int getMaxDatagramPayloadSize() {
        return maxDatagramPayloadSize;
    }

    /** See {@link #getMaxDatagramPayloadSize()}. */
    public ZeroCopyEpollDatagramChannelConfig setMaxDatagramPayloadSize(int maxDatagramSize) {
        this.maxDatagramPayloadSize = ObjectUtil.checkPositiveOrZero(maxDatagramSize, "maxDatagramSize");
        return this;
    }

    /** {@link EpollChannelOption#UDP_GRO}: always {@code false} (see the class javadoc). */
    public boolean isUdpGro() {
        return false;
    }

    /**
     * {@link EpollChannelOption#UDP_GRO}: {@code false} is accepted, {@code true} fails (see the class javadoc).
     *
     * @throws ChannelException for {@code true}
     */
    public ZeroCopyEpollDatagramChannelConfig setUdpGro(boolean gro) {
        if (gro) {
            throw new ChannelException("UDP_GRO is not supported by ZeroCopyEpollDatagramChannel: its read path "
                    + "does not split coalesced datagrams; use EpollDatagramChannel for GRO receivers");
        }
        return this;
    }

    // ---- fluent setters of DatagramChannelConfig that the base does not cover ----

    @Override
    @Deprecated
    public ZeroCopyEpollDatagramChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        return super.setMaxMessagesPerRead(maxMessagesPerRead);
    }
}
