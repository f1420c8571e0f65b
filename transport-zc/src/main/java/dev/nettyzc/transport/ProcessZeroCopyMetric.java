/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one {@link ZeroCopyMetric} of the process. Channels do not touch it per send: each channel's
 * {@link ZeroCopyCounters#publish()} (once per {@code doWrite}, epoll event or lingering-close step) adds the
 * deltas since its previous publish. {@link LongAdder}s keep those adds uncontended across event loops (a CAS on
 * a per-thread cell under contention, never a shared hot cache line); the peak is one {@code sum()} and, only
 * when it is a new peak, one CAS.
 */
final class ProcessZeroCopyMetric implements ZeroCopyMetric {
    static final ProcessZeroCopyMetric INSTANCE = new ProcessZeroCopyMetric();

    final LongAdder zeroCopySends = new LongAdder();
    final LongAdder zeroCopyBytes = new LongAdder();
    final LongAdder copySends = new LongAdder();
    final LongAdder copyBytes = new LongAdder();
    final LongAdder completedSends = new LongAdder();
    final LongAdder copiedSends = new LongAdder();
    final LongAdder inbandSends = new LongAdder();
    final LongAdder errqueueSends = new LongAdder();
    final LongAdder enobufsErrors = new LongAdder();
    final LongAdder closeAborts = new LongAdder();
    final LongAdder badCopyBacks = new LongAdder();
    final LongAdder quarantinedSends = new LongAdder();
    final LongAdder quarantinedBytes = new LongAdder();
    final LongAdder pinnedBytes = new LongAdder();
    private final AtomicLong peakPinnedBytes = new AtomicLong();

    /** The process has {@link #INSTANCE}; tests make private ones. */
    ProcessZeroCopyMetric() {
    }

    /** Adds {@code now - folded} to {@code adder} if it is not 0; returns {@code now}, the new folded value. */
    static long fold(LongAdder adder, long now, long folded) {
        if (now != folded) {
            adder.add(now - folded);
        }
        return now;
    }

    /** A channel's pinned bytes grew by {@code delta} (&gt; 0): add it and raise the peak if it is a new one. */
    void pinnedBytesGrew(long delta) {
        pinnedBytes.add(delta);
        long now = pinnedBytes.sum();
        long peak = peakPinnedBytes.get();
        while (now > peak && !peakPinnedBytes.compareAndSet(peak, now)) {
            peak = peakPinnedBytes.get();
        }
    }

    @Override
    public long zeroCopySends() {
        return zeroCopySends.sum();
    }

    @Override
    public long zeroCopyBytes() {
        return zeroCopyBytes.sum();
    }

    @Override
    public long copySends() {
        return copySends.sum();
    }

    @Override
    public long copyBytes() {
        return copyBytes.sum();
    }

    @Override
    public long completedSends() {
        return completedSends.sum();
    }

    @Override
    public long copiedSends() {
        return copiedSends.sum();
    }

    @Override
    public long inbandCompletedSends() {
        return inbandSends.sum();
    }

    @Override
    public long errqueueCompletedSends() {
        return errqueueSends.sum();
    }

    @Override
    public long enobufsErrors() {
        return enobufsErrors.sum();
    }

    @Override
    public long closeAborts() {
        return closeAborts.sum();
    }

    @Override
    public long badCopyBacks() {
        return badCopyBacks.sum();
    }

    @Override
    public long quarantinedSends() {
        return quarantinedSends.sum();
    }

    @Override
    public long quarantinedBytes() {
        return quarantinedBytes.sum();
    }

    @Override
    public long pinnedBytes() {
        return pinnedBytes.sum();
    }

    @Override
    public long peakPinnedBytes() {
        return peakPinnedBytes.get();
    }

    @Override
    public String toString() {
        return "ZeroCopyMetric(zeroCopySends=" + zeroCopySends() + ", zeroCopyBytes=" + zeroCopyBytes()
                + ", copySends=" + copySends() + ", copyBytes=" + copyBytes() + ", completedSends="
                + completedSends() + ", copiedSends=" + copiedSends() + ", inbandCompletedSends="
                + inbandCompletedSends() + ", errqueueCompletedSends=" + errqueueCompletedSends()
                + ", enobufsErrors=" + enobufsErrors() + ", closeAborts=" + closeAborts() + ", badCopyBacks="
                + badCopyBacks() + ", quarantinedSends=" + quarantinedSends() + ", quarantinedBytes="
                + quarantinedBytes() + ", pinnedBytes=" + pinnedBytes() + ", peakPinnedBytes=" + peakPinnedBytes()
                + ')';
    }
}
