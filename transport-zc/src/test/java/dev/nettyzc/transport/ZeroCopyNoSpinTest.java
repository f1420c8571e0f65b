/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty 4.2 epoll is level-triggered and the kernel raises EPOLLERR while zero-copy notifications are queued:
 * a channel that does not drain them spins its event loop (DESIGN-NOTES section 4: ~20,000 wakeups in 300 ms).
 * After a burst of zero-copy sends followed by idleness, the channel's event counters must stay bounded over
 * an idle window of ~300 ms. The assertion is on counts (wakeups dispatched to the channel), not on time: a
 * loaded machine makes the count smaller, never larger.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyNoSpinTest {

    static final int BUFFERS = 256;
    static final int CHUNK = 64 * 1024;
    static final long IDLE_WINDOW_MILLIS = 300;
    static final int MAX_IDLE_WAKEUPS = 50;

    private ZcPair burst(ZeroCopyNotificationMode mode) throws InterruptedException {
        ZcTestSupport.assumeMode(mode);
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        byte[] scratch = new byte[CHUNK];
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        ZcPair[] self = new ZcPair[1];
        ZcPair p = new ZcPair(o, (ctx, offset) -> {
            if (offset >= (long) BUFFERS * CHUNK) {
                return null;
            }
            ByteBuf b = alloc.directBuffer(CHUNK);
            self[0].pattern.write(b, CHUNK, offset, scratch);
            return b;
        });
        self[0] = p;
        p.start();
        p.awaitWritten();
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void idleAfterBurstDoesNotSpin(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = burst(mode);
        try {
            p.awaitReceived((long) BUFFERS * CHUNK);
            // Trailing completions are collected without further writes (from the error queue).
            p.awaitNoOutstanding();
            ZeroCopyStats before = p.stats();
            assertTrue(before.zeroCopySends() > 0, () -> "burst went zero-copy: " + before);
            Thread.sleep(IDLE_WINDOW_MILLIS);
            ZeroCopyStats after = p.stats();
            long wakeups = after.wakeups() - before.wakeups();
            long errWakeups = after.epollErrWakeups() - before.epollErrWakeups();
            long errSyscalls = after.errqueueSyscalls() - before.errqueueSyscalls();
            System.out.printf("no-spin %s: idle %d ms after %d sends: %d wakeups (%d EPOLLERR), %d errqueue syscalls;"
                    + " burst totals %s%n", mode, IDLE_WINDOW_MILLIS, before.zeroCopySends(), wakeups, errWakeups,
                    errSyscalls, before);
            assertTrue(wakeups < MAX_IDLE_WAKEUPS, () -> "event loop spins: " + wakeups + " wakeups in an idle "
                    + IDLE_WINDOW_MILLIS + " ms window; before " + before + " after " + after);
            assertTrue(errSyscalls < MAX_IDLE_WAKEUPS, () -> "error-queue reads while idle: " + errSyscalls);
            assertEquals(0, after.outstandingSends());
            assertEquals(after.zeroCopySends(), after.completedSends());
        } finally {
            p.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void trailingCompletionsAreCollectedWithoutSpinning(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = burst(mode);
        try {
            // Measure from the moment the last write was accepted: the trailing completions arrive in this window.
            ZeroCopyStats before = p.stats();
            p.awaitReceived((long) BUFFERS * CHUNK);
            p.awaitNoOutstanding();
            Thread.sleep(IDLE_WINDOW_MILLIS);
            ZeroCopyStats after = p.stats();
            long wakeups = after.wakeups() - before.wakeups();
            long trailing = before.outstandingSends();
            System.out.printf("no-spin %s: %d trailing sends collected with %d wakeups (%d EPOLLERR), %d errqueue"
                    + " syscalls%n", mode, trailing, wakeups, after.epollErrWakeups() - before.epollErrWakeups(),
                    after.errqueueSyscalls() - before.errqueueSyscalls());
            // Each trailing notification may cost a wakeup (the kernel coalesces them), but never a spin.
            long bound = MAX_IDLE_WAKEUPS + trailing;
            assertTrue(wakeups < bound, () -> "event loop spins collecting " + trailing + " trailing completions: "
                    + wakeups + " wakeups; before " + before + " after " + after);
            assertEquals(0, after.outstandingSends());
            assertEquals(after.zeroCopySends(), after.completedSends());
        } finally {
            p.close();
        }
    }
}
