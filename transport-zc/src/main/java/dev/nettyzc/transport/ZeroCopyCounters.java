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

    /** Makes every update so far visible to {@link #snapshot} on other threads. */
    void publish() {
        published++; // single writer at a time; the volatile write is the release
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
