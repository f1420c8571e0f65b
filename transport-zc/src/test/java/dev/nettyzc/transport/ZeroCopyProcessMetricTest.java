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
        CompletionTracker tracker = new CompletionTracker();
        ZeroCopyCounters counters = new ZeroCopyCounters(tracker);
        long sends0 = metric.zeroCopySends();
        long bytes0 = metric.zeroCopyBytes();
        long enobufs0 = metric.enobufsErrors();
        long completed0 = metric.completedSends();
        ByteBuf buf = Unpooled.directBuffer(4096).writeZero(4096);
        tracker.pin(buf.retain());
        tracker.commit(4096);
        counters.zeroCopySends++;
        counters.zeroCopyBytes += 4096;
        counters.enobufsErrors += 2;
        counters.publish();
        counters.publish(); // nothing new: nothing added
        assertEquals(1, metric.zeroCopySends() - sends0);
        assertEquals(4096, metric.zeroCopyBytes() - bytes0);
        assertEquals(2, metric.enobufsErrors() - enobufs0);
        assertTrue(metric.peakPinnedBytes() >= 4096, metric::toString);
        long pinnedWhileOutstanding = metric.pinnedBytes();
        assertTrue(pinnedWhileOutstanding >= 4096, metric::toString);

        assertEquals(1, tracker.complete(0, 0, false));
        counters.publish();
        assertEquals(1, metric.completedSends() - completed0);
        assertEquals(pinnedWhileOutstanding - 4096, metric.pinnedBytes(), "pinned bytes went back down");
        assertTrue(metric.peakPinnedBytes() >= 4096, "the peak stays");
        assertEquals(1, buf.refCnt());
        buf.release();

        // Counters without a tracker (unit tests, ZeroCopyStats.EMPTY) stay out of it.
        ZeroCopyCounters detached = new ZeroCopyCounters();
        detached.zeroCopySends += 100;
        detached.publish();
        assertEquals(1, metric.zeroCopySends() - sends0);
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
