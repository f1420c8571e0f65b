/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented contract, as Netty io_uring's SEND_ZC: the write promise completes when the kernel accepted the
 * bytes, while the buffer stays pinned until the kernel's completion notification; then every pin is released
 * exactly once and a {@link ZeroCopyCompletionEvent} tells the pipeline that memory is free again.
 * (This is also why Netty's SocketBufReleaseTest, which expects the release at promise time, runs with the copy
 * path - see ZcSocketBufReleaseTest.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyPromiseSemanticsTest {

    /** Records each completion event with the channel's counters as seen from the handler's thread. */
    static final class EventRecorder extends ChannelInboundHandlerAdapter {
        private final ConcurrentLinkedQueue<Seen> seen;

        EventRecorder(ConcurrentLinkedQueue<Seen> seen) {
            this.seen = seen;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ZeroCopyCompletionEvent) {
                ZeroCopyCompletionEvent e = (ZeroCopyCompletionEvent) evt;
                assertSame(ctx.channel(), e.channel());
                ZeroCopyStats s = ZeroCopyHandler.stats(e.channel());
                seen.add(new Seen(s.completedSends(), s.copiedSends(), s.outstandingSends(), s.inbandSends(),
                        Thread.currentThread().getName()));
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    static final int CHUNK = 64 * 1024;
    static final long LIMIT = 64L * 1024 * 1024;

    /** The channel's counters when a ZeroCopyCompletionEvent fired (the event itself carries none). */
    record Seen(long completed, long copied, int outstanding, long inbandSends, String thread) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void promiseOnAcceptanceReleaseOnCompletionWithEvent(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ConcurrentLinkedQueue<Seen> events = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Seen> otherExecutorEvents = new ConcurrentLinkedQueue<>();
        DefaultEventExecutorGroup otherGroup = new DefaultEventExecutorGroup(1);
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.receiverAutoRead = false;
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 256 * 1024);
        o.server = b -> b.childOption(ChannelOption.SO_RCVBUF, 128 * 1024);
        o.clientPipeline = ch -> {
            ch.pipeline().addLast(new EventRecorder(events));
            // Path 10: a handler on another executor receives the same event and reads it safely there.
            ch.pipeline().addLast(otherGroup, new EventRecorder(otherExecutorEvents));
        };
        ZcPair p = ZcPair.trackedStream(o, reg, LIMIT, CHUNK);
        try {
            p.start();
            ZcTestSupport.await(() -> !p.client.isWritable() && p.stats().outstandingSends() > 0 || p.failed(),
                    () -> "sender blocked with sends outstanding: " + p.stats() + " " + p);
            p.assertNoErrors();
            // Promises complete in stream order: every buffer ending at or below 'acked' had its promise succeed.
            long acked = p.acked.get();
            long acceptedButPinned = reg.all.stream()
                    .filter(t -> t.streamOffset + t.length <= acked && t.wasPinned() && !t.isFreed()).count();
            assertTrue(acceptedButPinned > 0, () -> "some write promise must have succeeded while its buffer is"
                    + " still pinned (receiver stalled): acked " + acked + " " + p.stats());
            p.serverChild.config().setAutoRead(true);
            p.start();
            p.awaitWritten();
            p.awaitReceived(LIMIT);
            p.awaitNoOutstanding();
        } finally {
            p.close();
        }
        ZeroCopyStats s = p.stats();
        // The closed pipeline removes its handlers on the loop, the one on otherGroup through otherGroup: let
        // both happen before otherGroup goes away.
        p.client.closeFuture().sync();
        p.client.eventLoop().submit(() -> { }).sync();
        otherGroup.shutdownGracefully(100, 10_000, TimeUnit.MILLISECONDS).sync();
        assertTrue(!events.isEmpty(), "no ZeroCopyCompletionEvent fired");
        // Each event follows at least one completion, and the counters it points to only grow.
        long previous = 0;
        for (Seen e : events) {
            assertTrue(e.completed() > previous, () -> "an event without new completions: " + events);
            previous = e.completed();
        }
        Seen last = events.stream().reduce((a, b) -> b).get();
        assertEquals(s.completedSends(), last.completed(), "the last event follows the last completion");
        assertEquals(0, last.outstanding());
        if (mode == ZeroCopyNotificationMode.ERRQUEUE) {
            assertEquals(0, last.inbandSends(), "ERRQUEUE mode collected in-band");
        }
        assertEquals(events.size(), otherExecutorEvents.size(), "the other executor got every event");
        assertTrue(otherExecutorEvents.stream().noneMatch(e -> e.thread().startsWith("zc-test")),
                () -> "events on the other executor ran on the event loop: " + otherExecutorEvents);
        ZcTestSupport.assertLifecycle(reg);
    }
}
