/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.util.internal.PlatformDependent;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The {@code msg_name} of an unconnected datagram send: the recipient as {@code struct sockaddr_in} (IPv4 socket)
 * or {@code struct sockaddr_in6} (IPv6 socket; an IPv4 recipient as v4-mapped {@code ::ffff:a.b.c.d}, as Netty's
 * JNI does). The bytes of the last recipient are kept, so replying to the same peer again costs a copy of at most
 * 28 bytes and no allocation ({@link InetAddress#getAddress()} allocates, so it is called only for a new peer).
 * One per channel, event-loop confined.
 */
final class DestinationAddress {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCKADDR_IN_LEN = 16;
    private static final int SOCKADDR_IN6_LEN = 28;

    private final boolean ipv6Socket;
    private final byte[] bytes = new byte[SOCKADDR_IN6_LEN];
    private InetSocketAddress last;
    private int length;

    DestinationAddress(boolean ipv6Socket) {
        this.ipv6Socket = ipv6Socket;
    }

    /** Writes the sockaddr of {@code recipient} at {@code address}; returns its length ({@code msg_namelen}). */
    int write(InetSocketAddress recipient, long address) {
        if (!recipient.equals(last)) {
            encode(recipient);
            last = recipient;
        }
        PlatformDependent.copyMemory(bytes, 0, address, length);
        return length;
    }

    private void encode(InetSocketAddress recipient) {
        InetAddress ip = recipient.getAddress();
        byte[] raw = ip.getAddress();
        int port = recipient.getPort();
        java.util.Arrays.fill(bytes, (byte) 0);
        if (!ipv6Socket) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv6 recipient " + recipient + " on an IPv4 socket");
            }
            putShortNative(0, AF_INET);
            putShortBigEndian(2, port);
            System.arraycopy(raw, 0, bytes, 4, 4);
            length = SOCKADDR_IN_LEN;
            return;
        }
        putShortNative(0, AF_INET6);
        putShortBigEndian(2, port);
        // flowinfo (4..7) stays 0
        if (ip instanceof Inet6Address) {
            System.arraycopy(raw, 0, bytes, 8, 16);
            putIntNative(24, ((Inet6Address) ip).getScopeId());
        } else {
            bytes[18] = (byte) 0xff;
            bytes[19] = (byte) 0xff;
            System.arraycopy(raw, 0, bytes, 20, 4);
        }
        length = SOCKADDR_IN6_LEN;
    }

    // sa_family and sin6_scope_id are host order (x86_64: little endian), the port is network order.
    private void putShortNative(int at, int v) {
        bytes[at] = (byte) v;
        bytes[at + 1] = (byte) (v >>> 8);
    }

    private void putShortBigEndian(int at, int v) {
        bytes[at] = (byte) (v >>> 8);
        bytes[at + 1] = (byte) v;
    }

    private void putIntNative(int at, int v) {
        for (int i = 0; i < 4; i++) {
            bytes[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
