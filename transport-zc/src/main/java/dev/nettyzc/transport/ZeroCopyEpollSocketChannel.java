/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.ZeroCopyEpollBridge;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;

/**
 * Drop-in replacement for {@code EpollSocketChannel} that sends large direct buffers with MSG_ZEROCOPY
 * (skeleton: implementation in progress).
 */
public final class ZeroCopyEpollSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private final ZeroCopyEpollSocketChannelConfig config;
    private volatile Collection<InetAddress> tcpMd5SigAddresses = Collections.emptyList();
    private volatile ZeroCopyHandler policy;

    public ZeroCopyEpollSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    public ZeroCopyEpollSocketChannel(SocketProtocolFamily protocol) {
        super(newZeroCopySocket(protocol), false);
        config = new ZeroCopyEpollSocketChannelConfig(this);
    }

    ZeroCopyEpollSocketChannel(Channel parent, LinuxSocket fd, InetSocketAddress remoteAddress) {
        super(parent, fd, remoteAddress);
        config = new ZeroCopyEpollSocketChannelConfig(this);
        if (parent instanceof ZeroCopyEpollServerSocketChannel) {
            tcpMd5SigAddresses = ((ZeroCopyEpollServerSocketChannel) parent).tcpMd5SigAddresses();
        }
    }

    static LinuxSocket newZeroCopySocket(SocketProtocolFamily protocol) {
        ZeroCopy.ensureAvailability();
        LinuxSocket socket = protocol == null ? LinuxSocket.newSocketStream() : LinuxSocket.newSocketStream(protocol);
        try {
            Native.setSoZeroCopy(socket.intValue(), true);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignore) {
                // ignore
            }
            throw new io.netty.channel.ChannelException("setsockopt(SO_ZEROCOPY) failed", e);
        }
        return socket;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig config() {
        return config;
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    /** Statistics snapshot of this channel. */
    public ZeroCopyStats zeroCopyStats() {
        return ZeroCopyStats.EMPTY;
    }

    void policy(ZeroCopyHandler handler) {
        policy = handler;
    }

    void policy(ZeroCopyHandler expected, ZeroCopyHandler handler) {
        if (policy == expected) {
            policy = handler;
        }
    }

    void setTcpMd5Sig(Map<InetAddress, byte[]> keys) throws IOException {
        synchronized (this) {
            tcpMd5SigAddresses = ZeroCopyEpollBridge.newTcpMd5Sigs(this, tcpMd5SigAddresses, keys);
        }
    }
}
