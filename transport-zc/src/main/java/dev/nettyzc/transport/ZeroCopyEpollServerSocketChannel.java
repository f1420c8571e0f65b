/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.AbstractEpollServerChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.ZeroCopyEpollBridge;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;

import static io.netty.channel.unix.NativeInetAddress.address;

/**
 * Drop-in replacement for {@code EpollServerSocketChannel} whose accepted children are
 * {@link ZeroCopyEpollSocketChannel}s. {@code SO_ZEROCOPY} is set on the listening socket right after it is
 * created (the kernel only allows it in the initial state), so every accepted socket inherits it.
 * {@link ZeroCopyChannelOption}s set on the server channel are the defaults of its children.
 */
public final class ZeroCopyEpollServerSocketChannel extends AbstractEpollServerChannel implements ServerSocketChannel {
    private final ZeroCopyEpollServerSocketChannelConfig config;
    private volatile Collection<InetAddress> tcpMd5SigAddresses = Collections.emptyList();

    public ZeroCopyEpollServerSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    public ZeroCopyEpollServerSocketChannel(SocketProtocolFamily protocol) {
        super(ZeroCopyEpollSocketChannel.newZeroCopySocket(protocol), false);
        config = new ZeroCopyEpollServerSocketChannelConfig(this);
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        int tcpFastopen = config.getTcpFastopen();
        if (tcpFastopen > 0) {
            socket.setIntOpt(ZeroCopyEpollSocketChannelConfig.IPPROTO_TCP,
                    ZeroCopyEpollSocketChannelConfig.TCP_FASTOPEN, tcpFastopen);
        }
        socket.listen(config.getBacklog());
        active = true;
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
    public ZeroCopyEpollServerSocketChannelConfig config() {
        return config;
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) throws Exception {
        ZeroCopyEpollSocketChannel child = new ZeroCopyEpollSocketChannel(this, LinuxSocket.newSocket(fd),
                address(address, offset, len));
        config.copyZeroCopyOptionsTo(child.config());
        return child;
    }

    Collection<InetAddress> tcpMd5SigAddresses() {
        return tcpMd5SigAddresses;
    }

    void setTcpMd5Sig(Map<InetAddress, byte[]> keys) throws IOException {
        synchronized (this) {
            tcpMd5SigAddresses = ZeroCopyEpollBridge.newTcpMd5Sigs(this, tcpMd5SigAddresses, keys);
        }
    }
}
