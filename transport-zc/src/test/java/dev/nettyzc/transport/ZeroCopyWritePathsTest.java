/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which writes go zero-copy, and that each path keeps the stream byte-exact and the buffer lifecycle exact:
 * gathering writes of direct buffers, direct composites, partial writes (small SO_SNDBUF), heap buffers and
 * heap-backed composites (copy path), sub-threshold and at-threshold buffers, no handler (plain copy), and a
 * mixed stream. Every buffer is a {@link TrackedBuf}: each pin released by the tracker, the application
 * reference released once, nothing released twice. Runs in each notification mode.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ZeroCopyWritePathsTest {

    private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
    private final TrackedBuf.Registry reg = new TrackedBuf.Registry();
    private final byte[] scratch = new byte[1024 * 1024];
    private long offset;

    private ZcPair pair(ZeroCopyNotificationMode mode, ZcPair.Options o) throws InterruptedException {
        ZcTestSupport.assumeMode(mode);
        o.mode = mode;
        o.clientAllocator = alloc;
        o.scribbleCount = 1;
        return new ZcPair(o);
    }

    private ZcPair pair(ZeroCopyNotificationMode mode) throws InterruptedException {
        return pair(mode, new ZcPair.Options());
    }

    /** A pooled direct buffer with the next {@code len} stream bytes. */
    private ByteBuf directBytes(ZcPair p, int len) {
        ByteBuf b = alloc.directBuffer(len);
        p.pattern.write(b, len, offset, scratch);
        offset += len;
        return b;
    }

    private TrackedBuf direct(ZcPair p, int len) {
        long at = offset;
        return reg.track(directBytes(p, len), at);
    }

    private TrackedBuf heap(ZcPair p, int len) {
        long at = offset;
        ByteBuf b = Unpooled.buffer(len);
        p.pattern.write(b, len, offset, scratch);
        offset += len;
        return reg.track(b, at);
    }

    private void finish(ZcPair p, List<? extends ByteBuf> msgs, boolean flushEach) throws InterruptedException {
        try {
            p.sendAll(msgs, flushEach);
            p.awaitWritten();
            p.awaitReceived(offset);
            p.awaitNoOutstanding();
            assertEquals(offset, p.acked.get());
            assertEquals(offset, p.checker.offset());
        } finally {
            p.close();
        }
    }

    private static void assertDrained(ZeroCopyStats s) {
        assertEquals(s.zeroCopySends(), s.completedSends(), () -> "every zero-copy send completed: " + s);
        assertEquals(0, s.outstandingSends(), () -> "outstanding: " + s);
        assertEquals(0, s.outstandingBuffers(), () -> "outstanding buffers: " + s);
        assertEquals(0, s.ignoredIds(), () -> "ignored ids: " + s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void gatheringWriteOfDirectBuffers(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024);
        ZcPair p = pair(mode, o);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            msgs.add(direct(p, 32 * 1024));
        }
        finish(p, msgs, false);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() >= 1, () -> "zero-copy used: " + s);
        assertTrue(s.zeroCopySends() < 8, () -> "8 buffers flushed together must share sendmsg calls: " + s);
        assertEquals(8 * 32 * 1024, s.zeroCopyBytes(), () -> "all bytes zero-copy: " + s);
        assertEquals(8, reg.pinned(), "every buffer pinned");
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void directCompositeBuffers(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = pair(mode);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompositeByteBuf c = alloc.compositeDirectBuffer(8);
            long at = offset;
            c.addComponents(true, directBytes(p, 20 * 1024), directBytes(p, 30 * 1024), directBytes(p, 14 * 1024),
                    directBytes(p, 100));
            assertTrue(c.isDirect());
            msgs.add(reg.track(c, at));
            msgs.add(direct(p, 17 * 1024));
        }
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() > 0, () -> "direct composites go zero-copy: " + s);
        // (Remainders of partially written buffers below the threshold may go by copy: that is the policy.)
        assertEquals(8, reg.pinned(), "composites and buffers pinned");
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void heapBackedCompositeTakesCopyPath(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = pair(mode);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompositeByteBuf c = Unpooled.compositeBuffer(4);
            long at = offset;
            ByteBuf h = Unpooled.buffer(24 * 1024);
            p.pattern.write(h, 24 * 1024, offset, scratch);
            offset += 24 * 1024;
            c.addComponents(true, h, directBytes(p, 24 * 1024));
            msgs.add(reg.track(c, at));
        }
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertEquals(0, s.zeroCopySends(), () -> "a composite with heap components is not direct: " + s);
        assertTrue(s.copySends() > 0, () -> "sent by copy: " + s);
        assertEquals(0, reg.pinned());
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void partialWritesWithSmallSendBuffer(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 8 * 1024);
        ZcPair p = pair(mode, o);
        List<ByteBuf> msgs = new ArrayList<>();
        int n = 16;
        for (int i = 0; i < n; i++) {
            msgs.add(direct(p, 256 * 1024));
        }
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() > n, () -> "a small SO_SNDBUF must split buffers over several sends: " + s);
        long shared = reg.all.stream().filter(t -> t.retains() >= 2).count();
        assertTrue(shared > 0, "some buffer must be pinned by several (partial) sends");
        assertEquals(n, reg.pinned());
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
        System.out.printf("partial writes %s: %d buffers, %d pinned by >= 2 sends, stats %s%n", mode, n, shared, s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void heapBuffersTakeCopyPath(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = pair(mode);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            msgs.add(heap(p, 64 * 1024));
        }
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertEquals(0, s.zeroCopySends(), () -> "heap buffers must not go zero-copy: " + s);
        assertEquals(0, s.sendmsgCalls(), () -> "no MSG_ZEROCOPY sendmsg at all: " + s);
        assertTrue(s.copySends() > 0, () -> "sent by copy: " + s);
        assertEquals(32L * 64 * 1024, s.copyBytes());
        assertEquals(0, reg.pinned());
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void subThresholdDirectBuffersAreCopiedAndThresholdIsInclusive(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        // Room for everything at once: no partial write can leave a sub-threshold remainder of the last buffer.
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 2 * 1024 * 1024);
        ZcPair p = pair(mode, o);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            msgs.add(direct(p, 1024));
        }
        TrackedBuf justBelow = direct(p, ZeroCopyHandler.DEFAULT_THRESHOLD - 1);
        msgs.add(justBelow);
        TrackedBuf atThreshold = direct(p, ZeroCopyHandler.DEFAULT_THRESHOLD);
        msgs.add(atThreshold);
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertEquals(1, s.zeroCopySends(), () -> "only the buffer at the threshold goes zero-copy: " + s);
        assertEquals(ZeroCopyHandler.DEFAULT_THRESHOLD, s.zeroCopyBytes());
        assertTrue(atThreshold.wasPinned());
        assertTrue(!justBelow.wasPinned());
        assertEquals(1, reg.pinned());
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void withoutHandlerEverythingIsCopied(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        o.handler = null;
        ZcPair p = pair(mode, o);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            msgs.add(direct(p, 64 * 1024));
        }
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertEquals(0, s.zeroCopySends(), () -> "no ZeroCopyHandler, no zero-copy: " + s);
        assertEquals(0, reg.pinned());
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void mixedStreamKeepsOrder(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = pair(mode);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            switch (i % 5) {
                case 0:
                    msgs.add(direct(p, 64 * 1024));
                    break;
                case 1:
                    msgs.add(heap(p, 40 * 1024));
                    break;
                case 2:
                    msgs.add(direct(p, 700));
                    break;
                case 3:
                    CompositeByteBuf c = alloc.compositeDirectBuffer(2);
                    long at = offset;
                    c.addComponents(true, directBytes(p, 10 * 1024), directBytes(p, 10 * 1024));
                    msgs.add(reg.track(c, at));
                    break;
                default:
                    msgs.add(direct(p, 100 * 1024 + i));
                    break;
            }
        }
        // Flush in groups of varying size so batches mix candidates and non-candidates.
        finish(p, msgs, false);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() > 0 && s.copySends() > 0, () -> "both paths used: " + s);
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void ipv6Loopback(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        o.address = java.net.InetAddress.getByName("::1");
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 64 * 1024);
        ZcPair p = pair(mode, o);
        assertTrue(p.client.localAddress() instanceof java.net.InetSocketAddress
                && ((java.net.InetSocketAddress) p.client.localAddress()).getAddress() instanceof java.net.Inet6Address,
                () -> "not IPv6: " + p.client);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            msgs.add(direct(p, 64 * 1024 + (i % 3) * 1000));
        }
        finish(p, msgs, true);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() > 0, () -> "zero-copy over IPv6: " + s);
        assertTrue(s.completedSends() > 0 && s.errqueueSends() + s.inbandSends() == s.completedSends(),
                () -> "IPv6 completions (SOL_IPV6/IPV6_RECVERR) collected: " + s);
        assertDrained(s);
        ZcTestSupport.assertLifecycle(reg);
    }
}
