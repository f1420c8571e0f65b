/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

/**
 * The counters of one zero-copy channel, and their {@link ZeroCopyStats} snapshot. Each field is written by one
 * thread at a time: the channel's event loop, and after close the thread that runs the lingering close (ownership
 * moves with the task, which orders the writes). {@link #publish()} is the release after a batch of updates and
 * {@link #snapshot} the acquire, so a snapshot taken on any thread sees everything up to the last publish.
 * Semantics of every counter: the {@link ZeroCopyStats} javadoc.
 */
final class ZeroCopyCounters {
    long zeroCopySends;
    long zeroCopyBytes;
    long copySends;
    long copyBytes;
    long inbandRanges;
    long inbandSends;
    long errqueueRanges;
    long errqueueSends;
    long sendmsgCalls;
    long copyWriteCalls;
    long placeholderSends;
    long errqueueSyscalls;
    long wakeups;
    long epollErrWakeups;
    long spuriousEpollErrs;
    long enobufsErrors;
    long enobufsSuspensions;
    long badCopyBacks;
    long unreadableErrqueueEntries;
    long foreignErrqueueEntries;
    long closeAborts;
    long quarantinedSends;
    long quarantinedBytes;
    /** Highest {@link CompletionTracker#outstandingBytes()} right after a zero-copy send (the writer updates it). */
    long peakOutstandingBytes;

    private volatile int published;

    /** The channel's tracker (completions, pinned bytes), or {@code null}: not folded into the process metric. */
    private final CompletionTracker tracker;
    private final ProcessZeroCopyMetric metric;
    // What was folded into ProcessZeroCopyMetric so far (same single writer as the counters).
    private long foldedZeroCopySends;
    private long foldedZeroCopyBytes;
    private long foldedCopySends;
    private long foldedCopyBytes;
    private long foldedCompletedSends;
    private long foldedCopiedSends;
    private long foldedInbandSends;
    private long foldedErrqueueSends;
    private long foldedEnobufsErrors;
    private long foldedCloseAborts;
    private long foldedBadCopyBacks;
    private long foldedQuarantinedSends;
    private long foldedQuarantinedBytes;
    private long foldedPinnedBytes;

    /** Counters that stay out of the process metric (unit tests, {@link ZeroCopyStats#EMPTY}). */
    ZeroCopyCounters() {
        this(null, null);
    }

    /** The counters of a channel whose sends {@code tracker} tracks; {@link #publish()} folds them process-wide. */
    ZeroCopyCounters(CompletionTracker tracker) {
        this(tracker, ProcessZeroCopyMetric.INSTANCE);
    }

    /** Counters folded into {@code metric} (tests: a private metric, safe from other channels of the JVM). */
    ZeroCopyCounters(CompletionTracker tracker, ProcessZeroCopyMetric metric) {
        this.tracker = tracker;
        this.metric = metric;
    }

    /**
     * Makes every update so far visible to {@link #snapshot} on other threads, and adds what changed since the
     * previous publish to the process-wide {@link ZeroCopy#metric()}.
     */
    void publish() {
        if (tracker != null) {
            foldIntoProcessMetric();
        }
        published++; // single writer at a time; the volatile write is the release
    }

    /** A few subtractions, and one LongAdder add per counter that changed (see ProcessZeroCopyMetric). */
    private void foldIntoProcessMetric() {
        ProcessZeroCopyMetric m = metric;
        foldedZeroCopySends = ProcessZeroCopyMetric.fold(m.zeroCopySends, zeroCopySends, foldedZeroCopySends);
        foldedZeroCopyBytes = ProcessZeroCopyMetric.fold(m.zeroCopyBytes, zeroCopyBytes, foldedZeroCopyBytes);
        foldedCopySends = ProcessZeroCopyMetric.fold(m.copySends, copySends, foldedCopySends);
        foldedCopyBytes = ProcessZeroCopyMetric.fold(m.copyBytes, copyBytes, foldedCopyBytes);
        foldedCompletedSends = ProcessZeroCopyMetric.fold(m.completedSends, tracker.completedSends(),
                foldedCompletedSends);
        foldedCopiedSends = ProcessZeroCopyMetric.fold(m.copiedSends, tracker.copiedSends(), foldedCopiedSends);
        foldedInbandSends = ProcessZeroCopyMetric.fold(m.inbandSends, inbandSends, foldedInbandSends);
        foldedErrqueueSends = ProcessZeroCopyMetric.fold(m.errqueueSends, errqueueSends, foldedErrqueueSends);
        foldedEnobufsErrors = ProcessZeroCopyMetric.fold(m.enobufsErrors, enobufsErrors, foldedEnobufsErrors);
        foldedCloseAborts = ProcessZeroCopyMetric.fold(m.closeAborts, closeAborts, foldedCloseAborts);
        foldedBadCopyBacks = ProcessZeroCopyMetric.fold(m.badCopyBacks, badCopyBacks, foldedBadCopyBacks);
        foldedQuarantinedSends = ProcessZeroCopyMetric.fold(m.quarantinedSends, quarantinedSends,
                foldedQuarantinedSends);
        foldedQuarantinedBytes = ProcessZeroCopyMetric.fold(m.quarantinedBytes, quarantinedBytes,
                foldedQuarantinedBytes);
        long pinned = tracker.outstandingBytes();
        long delta = pinned - foldedPinnedBytes;
        if (delta > 0) {
            m.pinnedBytesGrew(delta);
        } else if (delta < 0) {
            m.pinnedBytes.add(delta);
        }
        foldedPinnedBytes = pinned;
    }

    ZeroCopyStats snapshot(CompletionTracker tracker, ZeroCopyNotificationMode mode) {
        @SuppressWarnings("unused")
        int seq = published; // acquire
        return new ZeroCopyStats(zeroCopySends, zeroCopyBytes, copySends, copyBytes, tracker.completedSends(),
                tracker.copiedSends(), inbandRanges, inbandSends, errqueueRanges, errqueueSends, sendmsgCalls,
                copyWriteCalls, placeholderSends, errqueueSyscalls, wakeups, epollErrWakeups, spuriousEpollErrs,
                tracker.outstandingSends(), tracker.outstandingBuffers(), tracker.outstandingBytes(), peakOutstandingBytes, enobufsErrors,
                enobufsSuspensions, tracker.ignoredIds(), badCopyBacks, unreadableErrqueueEntries,
                foreignErrqueueEntries, closeAborts, quarantinedSends, quarantinedBytes, mode);
    }
}
