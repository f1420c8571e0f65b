/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adaptive COPIED policy ({@link ZeroCopyHandler.Builder#adaptive}): on loopback the kernel reports every
 * completion as SO_EE_CODE_ZEROCOPY_COPIED (deferred copy), so a handler with the policy must stop asking for
 * zero-copy after {@code copiedLimit} such completions and, with {@code retryAfter}, try again later. The sender
 * waits for each send's completion before the next write, which makes the counts deterministic. The default
 * handler (policy off) never suspends. The stream stays byte-exact and the buffer lifecycle exact.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyAdaptivePolicyTest {

    static final int CHUNK = 64 * 1024;

    private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
    private final TrackedBuf.Registry reg = new TrackedBuf.Registry();

    /** Streams {@code buffers} 64 KiB buffers, each only after every earlier zero-copy send completed. */
    private ZcPair run(ZeroCopyHandler handler, int buffers) throws Exception {
        ZcTestSupport.requireAvailable();
        byte[] scratch = new byte[CHUNK];
        ZcPair.Options o = new ZcPair.Options();
        o.mode = ZeroCopyNotificationMode.ERRQUEUE;
        o.handler = handler;
        o.clientAllocator = alloc;
        ZcPair[] self = new ZcPair[1];
        long total = (long) buffers * CHUNK;
        ZcPair p = new ZcPair(o, (ctx, offset) -> {
            if (offset >= total) {
                return null;
            }
            if (ZeroCopyHandler.stats(ctx.channel()).outstandingSends() > 0) {
                return ZcPair.NOT_YET;
            }
            ByteBuf b = alloc.directBuffer(CHUNK);
            self[0].pattern.write(b, CHUNK, offset, scratch);
            return reg.track(b, offset);
        });
        self[0] = p;
        try {
            p.start();
            p.awaitWritten();
            p.awaitReceived(total);
            p.awaitNoOutstanding();
        } finally {
            p.close();
        }
        ZeroCopyStats s = p.stats();
        System.out.printf("adaptive(%s): suspended=%s suspensions=%d %s%n", handler.isAdaptive(), handler.isSuspended(),
                handler.suspensions(), s);
        Assumptions.assumeTrue(s.copiedSends() == s.completedSends(),
                () -> "the kernel did not report COPIED for every completion (loopback zero-copy switch on?): " + s);
        assertEquals(s.zeroCopySends(), s.completedSends());
        ZcTestSupport.assertLifecycle(reg);
        return p;
    }

    @Test
    void suspendsAfterCopiedLimit() throws Exception {
        ZeroCopyHandler h = ZeroCopyHandler.builder().adaptive(8, 0).build();
        assertTrue(h.isAdaptive());
        ZcPair p = run(h, 128);
        ZeroCopyStats s = p.stats();
        assertTrue(h.isSuspended(), () -> "8 COPIED completions must suspend zero-copy: " + s);
        assertEquals(1, h.suspensions());
        assertTrue(s.zeroCopySends() >= 8 && s.zeroCopySends() < 32, () -> "zero-copy stopped after ~8 sends: " + s);
        assertTrue(s.copySends() > 0 && s.copyBytes() >= 96L * CHUNK, () -> "the rest went by copy: " + s);
    }

    @Test
    void retriesAfterRetryAfterBuffers() throws Exception {
        ZeroCopyHandler h = ZeroCopyHandler.builder().adaptive(4, 16).build();
        ZcPair p = run(h, 160);
        ZeroCopyStats s = p.stats();
        assertTrue(h.suspensions() >= 2, () -> "suspended, retried, suspended again: " + h.suspensions() + " " + s);
        assertTrue(s.zeroCopySends() > 4, () -> "zero-copy resumed after the retry: " + s);
        assertTrue(s.copySends() > 0, () -> "copies while suspended: " + s);
    }

    /**
     * Path 11: the channel may ask about one buffer several times, so the predicate must not count. Only the
     * channel's report of a buffer actually sent by copy moves the retry.
     */
    @Test
    void theCandidatePredicateIsPure() {
        ZcTestSupport.requireAvailable();
        ZeroCopyHandler h = ZeroCopyHandler.builder().adaptive(2, 3).build();
        ByteBuf big = io.netty.buffer.Unpooled.directBuffer(CHUNK).writeZero(CHUNK);
        try {
            assertTrue(h.isZeroCopyCandidate(big));
            h.onCompletions(2, 2); // two COPIED completions: suspended
            assertTrue(h.isSuspended());
            for (int i = 0; i < 1000; i++) {
                assertFalse(h.isZeroCopyCandidate(big));
            }
            assertTrue(h.isSuspended(), "asking is not sending: the predicate must not count");
            h.onSentByCopyWhileSuspended(big);
            h.onSentByCopyWhileSuspended(big);
            assertTrue(h.isSuspended());
            h.onSentByCopyWhileSuspended(big);
            assertFalse(h.isSuspended(), "retries after 3 candidates sent by copy");
            assertTrue(h.isZeroCopyCandidate(big));
            assertEquals(1, h.suspensions());
        } finally {
            big.release();
        }
    }

    @Test
    void defaultHandlerNeverSuspends() throws Exception {
        ZeroCopyHandler h = new ZeroCopyHandler();
        assertFalse(h.isAdaptive());
        ZcPair p = run(h, 48);
        ZeroCopyStats s = p.stats();
        assertFalse(h.isSuspended());
        assertEquals(0, h.suspensions());
        assertEquals(48L * CHUNK, s.zeroCopyBytes() + s.copyBytes());
        assertTrue(s.zeroCopyBytes() > 40L * CHUNK, () -> "policy off: zero-copy throughout: " + s);
    }
}
