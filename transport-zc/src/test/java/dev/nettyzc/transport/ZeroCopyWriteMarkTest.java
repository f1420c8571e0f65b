/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-write control ({@link ZeroCopyWrite}): {@code byCopy} sends a large direct buffer by copy whatever the
 * policy, so the buffer may be rewritten as soon as its promise succeeded (Netty's usual rule) and the stream is
 * still intact; {@code zeroCopy} sends a small direct buffer zero-copy with zero-copy otherwise off, and a marked
 * heap buffer by copy. Stream bytes are checked at the receiver; zero-copy bytes are counted exactly.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyWriteMarkTest {

    private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
    private final TrackedBuf.Registry reg = new TrackedBuf.Registry();

    private ByteBuf direct(ZcPair p, int len) {
        return p.fillNext(alloc.directBuffer(len), len);
    }

    private TrackedBuf trackedDirect(ZcPair p, int len) {
        long at = p.nextOffset;
        return reg.track(direct(p, len), at);
    }

    private ByteBuf heap(ZcPair p, int len) {
        return p.fillNext(Unpooled.buffer(len), len);
    }

    private ZcPair pair(ZeroCopyNotificationMode mode, ZeroCopyHandler handler) throws InterruptedException {
        ZcTestSupport.assumeMode(mode);
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.handler = handler;
        o.clientAllocator = alloc;
        return new ZcPair(o);
    }

    private void finish(ZcPair p, ChannelFuture last) throws Exception {
        try {
            assertTrue(last.await(ZcTestSupport.WAIT_MILLIS), "last write done");
            assertTrue(last.isSuccess(), () -> "last write: " + last.cause());
            p.awaitReceived(p.nextOffset);
            p.awaitNoOutstanding();
            assertEquals(p.nextOffset, p.checker.offset(), "every byte arrived and matched");
        } finally {
            p.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void byCopyWinsOverThePolicyAndItsBufferIsReusableAtThePromise(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = pair(mode, new ZeroCopyHandler()); // 16 KiB
        AtomicInteger refCntAtPromise = new AtomicInteger(-1);
        CompletableFuture<ChannelFuture> last = new CompletableFuture<>();
        p.client.eventLoop().execute(() -> {
            ByteBuf reused = direct(p, 64 * 1024);
            reused.retain(); // the application keeps it, to rewrite it
            p.client.writeAndFlush(ZeroCopyWrite.byCopy(reused)).addListener(f -> {
                refCntAtPromise.set(reused.refCnt());
                // Netty's usual rule: reusable once the promise succeeded. A pinned buffer would corrupt the stream.
                reused.setBytes(0, ZcPair.GARBAGE, 0, reused.capacity());
                reused.release();
            });
            last.complete(p.client.writeAndFlush(trackedDirect(p, 64 * 1024)));
        });
        finish(p, last.get(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS));
        ZeroCopyStats s = p.stats();
        assertEquals(1, refCntAtPromise.get(), "the channel held no reference of the by-copy buffer at its promise");
        assertEquals(64 * 1024, s.zeroCopyBytes(), () -> "only the unmarked buffer went zero-copy: " + s);
        assertEquals(64 * 1024, s.copyBytes(), () -> "the marked one by copy: " + s);
        assertEquals(1, reg.pinned(), "the unmarked one was pinned");
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void zeroCopyMarkSendsZeroCopyWithZeroCopyOtherwiseOff(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = pair(mode, null); // no handler, ZEROCOPY_THRESHOLD -1
        CompletableFuture<ChannelFuture> last = new CompletableFuture<>();
        TrackedBuf[] small = new TrackedBuf[1];
        p.client.eventLoop().execute(() -> {
            p.client.writeAndFlush(direct(p, 64 * 1024));                          // copy: zero-copy is off
            small[0] = trackedDirect(p, 1000);
            p.client.writeAndFlush(ZeroCopyWrite.zeroCopy(small[0]));               // forced, 1000 bytes
            p.client.writeAndFlush(ZeroCopyWrite.zeroCopy(heap(p, 32 * 1024)));     // heap: copied anyway
            last.complete(p.client.writeAndFlush(ZeroCopyWrite.byCopy(heap(p, 1000))));
        });
        finish(p, last.get(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS));
        ZeroCopyStats s = p.stats();
        assertEquals(1, s.zeroCopySends(), () -> "exactly the marked direct buffer: " + s);
        assertEquals(1000, s.zeroCopyBytes(), () -> "exactly the marked direct buffer: " + s);
        assertEquals(64 * 1024 + 32 * 1024 + 1000, s.copyBytes(), () -> "the rest by copy: " + s);
        assertTrue(small[0].wasPinned(), "the forced buffer was pinned until its completion");
        assertFalse(reg.notFreed().contains(small[0]), "and released after it");
        ZcTestSupport.assertLifecycle(reg);
    }
}
