/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package io.netty.channel.epoll;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;

/**
 * Forwards the datagram socket options that {@link LinuxSocket} has only package-private (multicast, TTL,
 * IP_FREEBIND, IP_RECVORIGDSTADDR, IP_MULTICAST_ALL, group membership), so that the config of
 * {@code dev.nettyzc.transport.ZeroCopyEpollDatagramChannel} behaves exactly like {@code EpollDatagramChannelConfig}
 * without re-implementing Netty's JNI. Pure one-line forwarders.
 */
public final class ZeroCopyEpollDatagramSocketOptions {
    private ZeroCopyEpollDatagramSocketOptions() {
    }

    public static int getTimeToLive(LinuxSocket s) throws IOException {
        return s.getTimeToLive();
    }

    public static void setTimeToLive(LinuxSocket s, int ttl) throws IOException {
        s.setTimeToLive(ttl);
    }

    public static InetAddress getInterface(LinuxSocket s) throws IOException {
        return s.getInterface();
    }

    public static void setInterface(LinuxSocket s, InetAddress address) throws IOException {
        s.setInterface(address);
    }

    public static NetworkInterface getNetworkInterface(LinuxSocket s) throws IOException {
        return s.getNetworkInterface();
    }

    public static void setNetworkInterface(LinuxSocket s, NetworkInterface netInterface) throws IOException {
        s.setNetworkInterface(netInterface);
    }

    public static boolean isLoopbackModeDisabled(LinuxSocket s) throws IOException {
        return s.isLoopbackModeDisabled();
    }

    public static void setLoopbackModeDisabled(LinuxSocket s, boolean disabled) throws IOException {
        s.setLoopbackModeDisabled(disabled);
    }

    public static boolean isIpFreeBind(LinuxSocket s) throws IOException {
        return s.isIpFreeBind();
    }

    public static void setIpFreeBind(LinuxSocket s, boolean on) throws IOException {
        s.setIpFreeBind(on);
    }

    public static boolean isIpRecvOrigDestAddr(LinuxSocket s) throws IOException {
        return s.isIpRecvOrigDestAddr();
    }

    public static void setIpRecvOrigDestAddr(LinuxSocket s, boolean on) throws IOException {
        s.setIpRecvOrigDestAddr(on);
    }

    public static boolean isIpMulticastAll(LinuxSocket s) throws IOException {
        return s.isIpMulticastAll();
    }

    public static void setIpMulticastAll(LinuxSocket s, boolean on) throws IOException {
        s.setIpMulticastAll(on);
    }

    public static void joinGroup(LinuxSocket s, InetAddress group, NetworkInterface netInterface, InetAddress source)
            throws IOException {
        s.joinGroup(group, netInterface, source);
    }

    public static void leaveGroup(LinuxSocket s, InetAddress group, NetworkInterface netInterface, InetAddress source)
            throws IOException {
        s.leaveGroup(group, netInterface, source);
    }
}
