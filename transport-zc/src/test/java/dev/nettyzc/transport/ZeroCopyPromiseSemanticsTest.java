/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
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

    static final int CHUNK = 64 * 1024;
    static final long LIMIT = 64L * 1024 * 1024;

    /** What a ZeroCopyCompletionEvent said when it fired (the event object itself is reused). */
    record Seen(int completed, int copied, long total, int outstanding, boolean inband) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void promiseOnAcceptanceReleaseOnCompletionWithEvent(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ConcurrentLinkedQueue<Seen> events = new ConcurrentLinkedQueue<>();
        byte[] scratch = new byte[CHUNK];
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.receiverAutoRead = false;
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 256 * 1024);
        o.server = b -> b.childOption(ChannelOption.SO_RCVBUF, 128 * 1024);
        o.clientPipeline = ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ZeroCopyCompletionEvent) {
                    ZeroCopyCompletionEvent e = (ZeroCopyCompletionEvent) evt;
                    assertSame(ctx.channel(), e.channel());
                    events.add(new Seen(e.completedSends(), e.copiedSends(), e.totalCompletedSends(),
                            e.outstandingSends(), e.isInband()));
                }
                ctx.fireUserEventTriggered(evt);
            }
        });
        ZcPair[] self = new ZcPair[1];
        ZcPair p = new ZcPair(o, (ctx, offset) -> {
            if (offset >= LIMIT) {
                return null;
            }
            ByteBuf b = alloc.directBuffer(CHUNK);
            self[0].pattern.write(b, CHUNK, offset, scratch);
            return reg.track(b, offset);
        });
        self[0] = p;
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
        assertTrue(!events.isEmpty(), "no ZeroCopyCompletionEvent fired");
        long sum = events.stream().mapToLong(Seen::completed).sum();
        assertEquals(s.completedSends(), sum, () -> "events account for every completion: " + events);
        assertTrue(events.stream().allMatch(e -> e.completed() > 0 && e.copied() <= e.completed()), events::toString);
        Seen last = events.stream().reduce((a, b) -> b).get();
        assertEquals(s.completedSends(), last.total());
        assertEquals(0, last.outstanding());
        if (mode == ZeroCopyNotificationMode.ERRQUEUE) {
            assertTrue(events.stream().noneMatch(Seen::inband), "ERRQUEUE mode reported an in-band batch");
        }
        ZcTestSupport.assertLifecycle(reg, false);
    }
}
