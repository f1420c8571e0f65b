/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} (128 KiB) against a receiver that reads slowly (autoRead
 * off, 256 KiB at a time), with a 4 MiB send buffer so the kernel alone would let far more be pinned:
 * <ul>
 *   <li>the pinned bytes never exceed the bound: the channel's peak of pinned bytes, taken right after every
 *       zero-copy send, is at most the bound (exactly: a zero-copy send carries at most what is left under it);</li>
 *   <li>writability follows: {@link ZeroCopyEpollSocketChannel#PINNED_BYTES_WRITABILITY_INDEX} is cleared exactly
 *       when the pinned bytes reached the bound, and set again only once they are at most half of it, and both
 *       happened;</li>
 *   <li>every byte arrives intact and every buffer's lifecycle is exact ({@link TrackedBuf}).</li>
 * </ul>
 * A bound smaller than one buffer, with a writer that ignores writability, must not deadlock.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ZeroCopyPinnedBytesBoundTest {

    private static final int CHUNK = 64 * 1024;

    /** Records each change of the pinned-bytes writability bit with the pinned bytes at that moment. */
    static final class BitRecorder extends ChannelInboundHandlerAdapter {
        final ConcurrentLinkedQueue<long[]> changes = new ConcurrentLinkedQueue<>(); // {writable ? 1 : 0, pinned}
        private boolean writable = true;

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            if (out != null) {
                boolean now = out.getUserDefinedWritability(ZeroCopyEpollSocketChannel.PINNED_BYTES_WRITABILITY_INDEX);
                if (now != writable) {
                    writable = now;
                    long pinned = ((ZeroCopyEpollSocketChannel) ctx.channel()).zeroCopyStats().outstandingBytes();
                    changes.add(new long[] { now ? 1 : 0, pinned });
                }
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    private static ZcPair.Options options(ZeroCopyNotificationMode mode, long maxPinned, BitRecorder recorder) {
        ZcPair.Options o = ZcPair.Options.thresholdOnly(mode, 16 * 1024, CHUNK);
        o.receiverAutoRead = false;
        o.client = o.client.andThen(b -> b.option(ZeroCopyChannelOption.ZEROCOPY_MAX_PINNED_BYTES, maxPinned)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024));
        o.clientPipeline = ch -> ch.pipeline().addLast(recorder);
        return o;
    }

    private static void readSlowly(ZcPair p, long total) throws InterruptedException {
        long target = 0;
        while (p.received.get() < total) {
            target = Math.min(total, target + 256 * 1024);
            p.receiveUpTo(target);
            Thread.sleep(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void slowPeerPinnedBytesStayUnderTheBoundAndWritabilityFollows(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        // Two 64 KiB sends: reached in CMSG mode too, where each sendmsg brings earlier completions back at once
        // (measured in the VM with the loopback switch off: at most 3 sends outstanding, so 256 KiB was never hit).
        long max = 2 * CHUNK;
        long total = 32L * 1024 * 1024;
        BitRecorder recorder = new BitRecorder();
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ZcPair p = ZcPair.trackedStream(options(mode, max, recorder), reg, total, CHUNK);
        p.streamAllAndClose(total, () -> readSlowly(p, total));
        ZeroCopyStats s = p.stats();
        System.out.printf("pinned bound %s: max %d, peak %d, %d bit changes, stats %s%n", mode, max,
                s.peakOutstandingBytes(), recorder.changes.size(), s);
        assertTrue(s.zeroCopyBytes() > 0, () -> "zero-copy happened: " + s);
        assertTrue(s.peakOutstandingBytes() <= max, () -> "pinned bytes exceeded the bound: " + s);
        assertTrue(s.peakOutstandingBytes() == max, () -> "the bound was reached (else the test proves nothing): " + s);
        int unwritable = 0;
        int writable = 0;
        boolean expectWritable = false;
        for (long[] c : recorder.changes) {
            boolean nowWritable = c[0] == 1;
            assertEquals(expectWritable, nowWritable, "the bit alternates");
            expectWritable = !nowWritable;
            if (nowWritable) {
                writable++;
                assertTrue(c[1] <= max / 2, () -> "writable again above the low mark: pinned " + c[1]);
            } else {
                unwritable++;
                assertEquals(max, c[1], "unwritable exactly when the pinned bytes reached the bound");
            }
        }
        String counts = unwritable + " unwritable, " + writable + " writable";
        assertTrue(unwritable > 0 && writable > 0, () -> "writability followed the bound both ways: " + counts);
        assertEquals(unwritable, writable, "writable again at the end");
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void boundSmallerThanOneBufferDoesNotDeadlock(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        long max = 10_000; // less than one 64 KiB buffer, and not a multiple of anything
        BitRecorder recorder = new BitRecorder();
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ZcPair.Options o = options(mode, max, recorder);
        ZcPair p = new ZcPair(o);
        List<ByteBuf> msgs = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // written at once, ignoring writability
            long at = p.nextOffset;
            msgs.add(reg.track(p.fillNext(o.clientAllocator.directBuffer(CHUNK), CHUNK), at));
        }
        long total = p.nextOffset;
        p.sendAll(msgs, false);
        p.streamAllAndClose(total, () -> readSlowly(p, total));
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopyBytes() > 0, () -> "zero-copy happened: " + s);
        assertTrue(s.peakOutstandingBytes() <= max, () -> "pinned bytes exceeded the bound: " + s);
        assertEquals(total, s.zeroCopyBytes() + s.copyBytes(), () -> "bytes accounted: " + s);
        ZcTestSupport.assertLifecycle(reg);
    }
}
