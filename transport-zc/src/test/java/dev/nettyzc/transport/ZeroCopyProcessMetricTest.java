/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process-wide {@link ZeroCopy#metric()}: what channels publish is folded in exactly once (deltas, not
 * totals), pinned bytes go up and down with the tracker and the peak keeps the highest value, counts survive the
 * channel, and a real transfer shows up in it. Other zero-copy channels of the test JVM (a closed channel of an
 * earlier test may still collect completions) only ever add sends they made themselves, so the deltas of sends
 * and bytes over an interval in which only this test sends are exact.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyProcessMetricTest {

    private final ZeroCopyMetric metric = ZeroCopy.metric();

    @Test
    void accessorReturnsTheOneProcessMetric() {
        assertSame(metric, ZeroCopy.metric());
    }

    @Test
    void publishFoldsDeltasExactlyOnceAndPinnedBytesFollowTheTracker() {
        ProcessZeroCopyMetric m = new ProcessZeroCopyMetric(); // private: no other channel of the JVM touches it
        CompletionTracker tracker = new CompletionTracker();
        ZeroCopyCounters counters = new ZeroCopyCounters(tracker, m);
        ByteBuf buf = Unpooled.directBuffer(4096).writeZero(4096);
        tracker.pin(buf.retain());
        tracker.commit(4096);
        counters.zeroCopySends++;
        counters.zeroCopyBytes += 4096;
        counters.enobufsErrors += 2;
        counters.publish();
        counters.publish(); // nothing new: nothing added
        assertEquals(1, m.zeroCopySends());
        assertEquals(4096, m.zeroCopyBytes());
        assertEquals(2, m.enobufsErrors());
        assertEquals(4096, m.pinnedBytes());
        assertEquals(4096, m.peakPinnedBytes());

        // A second channel: the process sums both, and the peak is of the sum.
        CompletionTracker tracker2 = new CompletionTracker();
        ZeroCopyCounters counters2 = new ZeroCopyCounters(tracker2, m);
        ByteBuf buf2 = Unpooled.directBuffer(1000).writeZero(1000);
        tracker2.pin(buf2.retain());
        tracker2.commit(1000);
        counters2.zeroCopySends++;
        counters2.publish();
        assertEquals(2, m.zeroCopySends());
        assertEquals(5096, m.pinnedBytes());
        assertEquals(5096, m.peakPinnedBytes());

        assertEquals(1, tracker.complete(0, 0, true));
        counters.publish();
        assertEquals(1, m.completedSends());
        assertEquals(1, m.copiedSends());
        assertEquals(1000, m.pinnedBytes(), "pinned bytes went back down");
        assertEquals(5096, m.peakPinnedBytes(), "the peak stays");
        assertEquals(1, tracker2.complete(0, 0, false));
        counters2.publish();
        assertEquals(2, m.completedSends());
        assertEquals(0, m.pinnedBytes());
        assertEquals(1, buf.refCnt());
        assertEquals(1, buf2.refCnt());
        buf.release();
        buf2.release();

        // Counters without a tracker (unit tests, ZeroCopyStats.EMPTY) stay out of every metric.
        long before = metric.zeroCopySends();
        ZeroCopyCounters detached = new ZeroCopyCounters();
        detached.zeroCopySends += 1_000_000;
        detached.publish();
        assertTrue(metric.zeroCopySends() - before < 1_000_000, metric::toString);
    }

    @Test
    void aTransferShowsUpAndStaysAfterClose() throws Exception {
        long bytes = 8L * 1024 * 1024;
        ZcPair.Options o = ZcPair.Options.thresholdOnly(ZeroCopyNotificationMode.ERRQUEUE, 16 * 1024, 64 * 1024);
        long sends0 = metric.zeroCopySends();
        long bytes0 = metric.zeroCopyBytes();
        long copyBytes0 = metric.copyBytes();
        long completed0 = metric.completedSends();
        long errqueue0 = metric.errqueueCompletedSends();
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ZcPair p = ZcPair.trackedStream(o, reg, bytes, 64 * 1024);
        try {
            p.start();
            p.awaitWritten();
            p.awaitReceived(bytes);
            p.awaitNoOutstanding();
        } finally {
            p.close();
        }
        ((ZeroCopyEpollSocketChannel) p.client).zeroCopyReleaseFuture().await(ZcTestSupport.WAIT_MILLIS);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() > 0, s::toString);
        assertEquals(s.zeroCopySends(), metric.zeroCopySends() - sends0, () -> s + " vs " + metric);
        assertEquals(s.zeroCopyBytes(), metric.zeroCopyBytes() - bytes0, () -> s + " vs " + metric);
        assertEquals(bytes, (metric.zeroCopyBytes() - bytes0) + (metric.copyBytes() - copyBytes0), metric::toString);
        assertTrue(metric.completedSends() - completed0 >= s.completedSends(), () -> s + " vs " + metric);
        assertTrue(metric.errqueueCompletedSends() - errqueue0 >= s.errqueueSends(), () -> s + " vs " + metric);
        assertTrue(metric.peakPinnedBytes() > 0, metric::toString);
        assertTrue(metric.pinnedBytes() >= 0, metric::toString);
        ZcTestSupport.assertLifecycle(reg);
    }
}
