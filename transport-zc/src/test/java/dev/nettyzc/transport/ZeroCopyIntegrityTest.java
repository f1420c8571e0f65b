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
 * Data integrity with a {@link PooledByteBufAllocator} (direct): the sender writes 64 KiB buffers carrying a
 * position-dependent pattern, and right after each write it allocates and overwrites new buffers from the same
 * pool (same thread cache), so memory released too early is reused and overwritten at once; the receiver checks
 * every byte. Each buffer is instrumented ({@link TrackedBuf}): released exactly once, and a buffer pinned for
 * zero-copy only by its kernel completion. Leak reports fail the test (PARANOID, LeakDetectionExtension).
 *
 * <p>Size: {@code -Dzc.integrity.bytes=N}, default 1 GiB per mode (the Done-when run; about 15-60 s on the 2-core
 * host), so every {@code mvn verify} and {@code .ci/run} runs it. The VM runner uses 64 MiB (TCG is slow).
 * Only this test: {@code mvn -B verify -pl transport-zc-native,transport-zc -am -Dtest=ZeroCopyIntegrityTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ZeroCopyIntegrityTest {

    static final long BYTES = Long.getLong("zc.integrity.bytes", 1024L * 1024 * 1024);
    static final int CHUNK = 64 * 1024;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void pooledDirect64KiBStreamArrivesByteExact(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        byte[] scratch = new byte[CHUNK];
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.scribbleCount = 2;
        o.scribbleSize = CHUNK;
        long t0 = System.nanoTime();
        ZcPair[] holder = new ZcPair[1];
        ZcPair pair = new ZcPair(o, (ctx, offset) -> {
            if (offset >= BYTES) {
                return null;
            }
            int len = (int) Math.min(CHUNK, BYTES - offset);
            ByteBuf buf = alloc.directBuffer(len);
            holder[0].pattern.write(buf, len, offset, scratch);
            return reg.track(buf, offset);
        });
        holder[0] = pair;
        try {
            pair.start();
            pair.awaitWritten();
            pair.awaitReceived(BYTES);
            pair.awaitNoOutstanding();
            assertEquals(BYTES, pair.acked.get());
            assertEquals(BYTES, pair.checker.offset());
        } finally {
            pair.close();
        }
        ZeroCopyStats s = pair.stats();
        long secs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("integrity %s: %d MiB in %d ms, %d buffers (%d pinned), stats %s%n",
                mode, BYTES >> 20, secs, reg.size(), reg.pinned(), s);

        assertTrue(s.zeroCopySends() > 0, () -> "no zero-copy send happened: " + s);
        assertEquals(s.zeroCopySends(), s.completedSends(), () -> "every send completed: " + s);
        assertEquals(0, s.outstandingSends(), () -> "outstanding: " + s);
        assertEquals(0, s.outstandingBuffers(), () -> "outstanding buffers: " + s);
        assertEquals(0, s.outstandingBytes(), () -> "outstanding bytes: " + s);
        assertEquals(0, s.ignoredIds(), () -> "bogus/duplicate completion ids: " + s);
        assertEquals(mode, s.notificationMode());
        assertEquals(s.completedSends(), s.inbandSends() + s.errqueueSends(), () -> "completion sources: " + s);
        if (mode == ZeroCopyNotificationMode.ERRQUEUE) {
            assertEquals(0, s.inbandSends(), () -> "ERRQUEUE mode must not collect in-band: " + s);
        } else {
            assertTrue(s.inbandSends() > 0, () -> "CMSG mode collected nothing in-band: " + s);
        }
        assertTrue(reg.pinned() > 0, "no buffer was pinned for zero-copy");
        assertEquals(BYTES, s.zeroCopyBytes() + s.copyBytes(), () -> "bytes accounted: " + s);
        ZcTestSupport.assertLifecycle(reg);
    }
}
