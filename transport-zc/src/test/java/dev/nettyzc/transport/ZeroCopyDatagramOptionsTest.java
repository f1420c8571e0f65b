/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import dev.nettyzc.transport.ZeroCopyDatagramTest.Receiver;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.nettyzc.transport.ZeroCopyDatagramTest.closeAndAwaitRelease;
import static dev.nettyzc.transport.ZeroCopyDatagramTest.fill;
import static dev.nettyzc.transport.ZeroCopyDatagramTest.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12's API on the datagram channel, without a {@link ZeroCopyHandler}: {@link
 * ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} alone turns zero-copy on, {@link ZeroCopyWrite} marks win over it, and
 * {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} is never exceeded (a datagram that does not fit under
 * the bound goes out whole by copy), and {@code SO_ZEROCOPY_DEFER_POLLERR} follows the notification mode. Every
 * datagram is checked at the receiver, every buffer's lifecycle too.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyDatagramOptionsTest {
    private static final int THRESHOLD = 4096;
    private static final int LARGE = 9000;
    private static final int SMALL = 1000;
    private static final int ROUNDS = 32;

    @ParameterizedTest
    @EnumSource(value = ZeroCopyNotificationMode.class, names = {"ERRQUEUE", "CMSG"})
    void thresholdOptionAndMarksWithoutAHandler(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        // Per round: a large datagram (option: zero-copy), a small one (copy), a large one marked byCopy (copy)
        // and a small one marked zeroCopy (zero-copy).
        try (Receiver rx = new Receiver(SocketProtocolFamily.INET, ROUNDS * 4, 1)) {
            Channel tx = newSender(mode, rx.address, 0);
            try {
                List<ChannelFuture> writes = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    int seq = r * 4;
                    writes.add(tx.write(packet(reg, alloc, seq, LARGE, rx.address)));
                    writes.add(tx.write(packet(reg, alloc, seq + 1, SMALL, rx.address)));
                    writes.add(tx.write(new DatagramPacket(
                            ZeroCopyWrite.byCopy(tracked(reg, alloc, seq + 2, LARGE)), rx.address)));
                    writes.add(tx.write(new DatagramPacket(
                            ZeroCopyWrite.zeroCopy(tracked(reg, alloc, seq + 3, SMALL)), rx.address)));
                    tx.flush();
                    rx.awaitWindow(seq + 4);
                }
                rx.awaitQuiet(ROUNDS * 4);
                for (ChannelFuture f : writes) {
                    assertTrue(f.sync().isSuccess());
                }
                ZcTestSupport.await(() -> ZcTestSupport.stats(tx).outstandingSends() == 0,
                        () -> "completions of every zero-copy send: " + ZcTestSupport.stats(tx));
                ZeroCopyStats s = ZcTestSupport.stats(tx);
                rx.assertIntact();
                assertEquals(ROUNDS * 2, s.zeroCopySends(), "large by the option, small by the mark: " + s);
                assertEquals((long) ROUNDS * (LARGE + SMALL), s.zeroCopyBytes(), s.toString());
                assertEquals(ROUNDS * 2, s.copySends(), "small by the option, large by the mark: " + s);
                assertEquals(s.zeroCopySends(), s.completedSends(), s.toString());
                // SO_ZEROCOPY_DEFER_POLLERR follows the mode as on TCP (the VM's kernel must have it).
                if (mode == ZeroCopyNotificationMode.CMSG && "1".equals(System.getenv("ZC_EXPECT_INBAND"))) {
                    assertTrue(ZeroCopy.isDeferPollerrSupported(), ZeroCopy.inbandProbeDescription());
                }
                int expected = mode == ZeroCopyNotificationMode.CMSG && ZeroCopy.isDeferPollerrSupported()
                        ? Native.SO_ZEROCOPY_ON | Native.SO_ZEROCOPY_DEFER_POLLERR : Native.SO_ZEROCOPY_ON;
                assertEquals(expected, Native.getSoZeroCopy(((ZeroCopyEpollDatagramChannel) tx).fd().intValue()));
            } finally {
                closeAndAwaitRelease(tx);
            }
        }
        ZcTestSupport.assertLifecycle(reg);
        assertEquals(ROUNDS * 2, reg.pinned(), "exactly the zero-copy datagrams were pinned");
    }

    @ParameterizedTest
    @EnumSource(value = ZeroCopyNotificationMode.class, names = {"ERRQUEUE", "CMSG"})
    void pinnedBytesNeverExceedTheBound(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        long bound = 2L * LARGE + LARGE / 2; // two datagrams fit, a third does not
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        int count = ROUNDS * 8;
        try (Receiver rx = new Receiver(SocketProtocolFamily.INET, count, 1)) {
            Channel tx = newSender(mode, rx.address, bound);
            try {
                for (int seq = 0; seq < count; seq++) { // 8 per flush: more than the bound holds
                    tx.write(packet(reg, alloc, seq, LARGE, rx.address));
                    if (seq % 8 == 7) {
                        tx.flush();
                        rx.awaitWindow(seq + 1);
                    }
                }
                rx.awaitQuiet(count);
                ZcTestSupport.await(() -> ZcTestSupport.stats(tx).outstandingSends() == 0,
                        () -> "completions of every zero-copy send: " + ZcTestSupport.stats(tx));
                ZeroCopyStats s = ZcTestSupport.stats(tx);
                System.out.printf("datagram pinned bound %s: bound %d, %s%n", mode, bound, s);
                rx.assertIntact();
                assertTrue(s.peakOutstandingBytes() <= bound, "pinned bytes exceeded the bound: " + s);
                assertTrue(s.zeroCopySends() > 0, s.toString());
                assertEquals(count, s.zeroCopySends() + s.copySends(), "every datagram went out once: " + s);
                assertEquals((long) count * LARGE, s.zeroCopyBytes() + s.copyBytes(), s.toString());
            } finally {
                closeAndAwaitRelease(tx);
            }
        }
        ZcTestSupport.assertLifecycle(reg);
    }

    private static ByteBuf tracked(TrackedBuf.Registry reg, PooledByteBufAllocator alloc, int seq, int size) {
        return reg.track(fill(alloc.directBuffer(size), seq, 0, size), seq);
    }

    private static DatagramPacket packet(TrackedBuf.Registry reg, PooledByteBufAllocator alloc, int seq, int size,
                                         InetSocketAddress to) {
        return new DatagramPacket(tracked(reg, alloc, seq, size), to);
    }

    /** An unconnected sender configured by options only: no {@link ZeroCopyHandler} in its pipeline. */
    private static Channel newSender(ZeroCopyNotificationMode mode, InetSocketAddress peer, long maxPinnedBytes)
            throws Exception {
        return new Bootstrap().group(ZcTestSupport.GROUP)
                .channelFactory(() -> new ZeroCopyEpollDatagramChannel(SocketProtocolFamily.INET))
                .option(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, mode)
                .option(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, THRESHOLD)
                .option(ZeroCopyChannelOption.ZEROCOPY_MAX_PINNED_BYTES, maxPinnedBytes)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(loopback(SocketProtocolFamily.INET), 0).sync().channel();
    }
}
