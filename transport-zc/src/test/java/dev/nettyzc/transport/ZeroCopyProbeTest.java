/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-band support probe and the configuration-time check of {@code ZEROCOPY_NOTIFICATION_MODE=CMSG}.
 * Direction: {@code ZC_EXPECT_INBAND=1} (set by the VM runner on the patched kernel) expects support,
 * {@code ZC_EXPECT_INBAND=0} expects none (the stock host kernel); unset, whatever the probe says must be
 * consistent, but its direction is not asserted.
 */
class ZeroCopyProbeTest {
    private static EventLoopGroup group;

    @BeforeAll
    static void setUp() {
        assertTrue(ZeroCopy.isAvailable(), () -> "unavailable: " + ZeroCopy.unavailabilityCause());
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static Boolean expected() {
        String env = System.getenv("ZC_EXPECT_INBAND");
        if ("1".equals(env)) {
            return Boolean.TRUE;
        }
        if ("0".equals(env)) {
            return Boolean.FALSE;
        }
        return null;
    }

    @Test
    void probeDirection() {
        boolean supported = ZeroCopy.isInbandNotificationSupported();
        Boolean expected = expected();
        if (expected != null) {
            assertEquals(expected, supported, "kernel " + System.getProperty("os.version") + ": "
                    + ZeroCopy.inbandProbeDescription());
        }
        int type = ZeroCopy.inbandNotificationCmsgType();
        if (supported) {
            assertEquals(99, type);
        } else {
            assertEquals(-1, type);
        }
        if (expected != null) {
            // The VM's kernel carries the whole series, patch 6 (SO_ZEROCOPY_DEFER_POLLERR) included.
            assertEquals(expected, ZeroCopy.isDeferPollerrSupported(), ZeroCopy.inbandProbeDescription());
        }
        if (!supported) {
            assertTrue(!ZeroCopy.isDeferPollerrSupported(), "only used in CMSG mode, so only probed with it");
        }
        // Probed once: stable.
        assertEquals(supported, ZeroCopy.isInbandNotificationSupported());
    }

    @Test
    void forcingCmsgFailsAtConfigurationTimeWithoutSupport() {
        ZeroCopyEpollSocketChannel ch = new ZeroCopyEpollSocketChannel();
        try {
            if (ZeroCopy.isInbandNotificationSupported()) {
                assertTrue(ch.config().setOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE,
                        ZeroCopyNotificationMode.CMSG));
                assertEquals(ZeroCopyNotificationMode.CMSG,
                        ch.config().getOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE));
                assertTrue(ch.config().isInbandEffective());
            } else {
                ChannelException e = assertThrows(ChannelException.class, () -> ch.config().setOption(
                        ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyNotificationMode.CMSG));
                assertTrue(e.getMessage().contains("CMSG is not supported by this kernel"), e.getMessage());
                assertEquals(ZeroCopyNotificationMode.AUTO,
                        ch.config().getOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE));
                assertFalse(ch.config().isInbandEffective());
            }
            // ERRQUEUE and AUTO are always accepted.
            ch.config().setOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyNotificationMode.ERRQUEUE);
            assertFalse(ch.config().isInbandEffective());
            ch.config().setOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyNotificationMode.AUTO);
            assertEquals(ZeroCopy.isInbandNotificationSupported(), ch.config().isInbandEffective());
        } finally {
            ch.unsafe().closeForcibly();
        }
    }

    @Test
    void serverOptionFailsBindWithoutSupport() {
        ZeroCopyEpollServerSocketChannel server = new ZeroCopyEpollServerSocketChannel();
        try {
            if (!ZeroCopy.isInbandNotificationSupported()) {
                assertThrows(ChannelException.class, () -> server.config().setNotificationMode(
                        ZeroCopyNotificationMode.CMSG));
            } else {
                server.config().setNotificationMode(ZeroCopyNotificationMode.CMSG);
                assertEquals(ZeroCopyNotificationMode.CMSG, server.config().getNotificationMode());
            }
        } finally {
            server.unsafe().closeForcibly();
        }
    }

    @Test
    void socketOptionsOfEpollSocketChannelStillWork() throws Exception {
        // A drop-in check of the mirrored config on a registered, unconnected channel.
        ChannelFuture f = new Bootstrap().group(group).channel(ZeroCopyEpollSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).register().sync();
        ZeroCopyEpollSocketChannelConfig c = (ZeroCopyEpollSocketChannelConfig) f.channel().config();
        try {
            c.setTcpCork(true);
            assertTrue(c.isTcpCork());
            c.setTcpKeepIdle(77);
            assertEquals(77, c.getTcpKeepIdle());
            c.setTcpNotSentLowAt(12345);
            assertEquals(12345, c.getTcpNotSentLowAt());
            c.setTcpUserTimeout(1234);
            assertEquals(1234, c.getTcpUserTimeout());
            c.setSendBufferSize(65536);
            assertTrue(c.getSendBufferSize() >= 65536);
            assertTrue(c.getOptions().containsKey(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE));
            assertEquals(1, ((io.netty.channel.epoll.LinuxSocket) ((ZeroCopyEpollSocketChannel) f.channel()).fd()).getIntOpt(1, 60),
                    "SO_ZEROCOPY set");
        } finally {
            f.channel().close().sync();
        }
        assertTrue(InetAddress.getLoopbackAddress() != null && new InetSocketAddress(0).getPort() == 0);
    }
}
