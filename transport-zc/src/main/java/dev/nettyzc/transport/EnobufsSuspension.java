/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a zero-copy writer does after {@code sendmsg} returned ENOBUFS (shared by the stream and the datagram
 * writer). The kernel refused to pin more (the user's locked-memory limit) or to allocate the notification (the
 * socket's {@code net.core.optmem_max}). Every ENOBUFS is counted; the writer sends by copy at once, and zero-copy
 * is suspended on the socket until completions have freed half of what was pinned at the time, as folly does. If
 * nothing of this socket was pinned, the memory belongs to other sockets, so it retries after 16 copy writes,
 * doubling up to 4096 while ENOBUFS persists. The first ENOBUFS in the process logs one WARN naming both limits.
 * Event-loop confined.
 */
final class EnobufsSuspension {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(EnobufsSuspension.class);
    private static final int FIRST_RETRY_BATCHES = 16;
    private static final int MAX_RETRY_BATCHES = 4096;
    private static final AtomicBoolean ENOBUFS_WARNED = new AtomicBoolean();

    private final CompletionTracker tracker;
    private final ZeroCopyCounters counters;
    private boolean suspended;
    private long resumeAtOutstandingBytes;
    private int copyBatchesUntilRetry;
    private int retryBatches = FIRST_RETRY_BATCHES;

    EnobufsSuspension(CompletionTracker tracker, ZeroCopyCounters counters) {
        this.tracker = tracker;
        this.counters = counters;
    }

    /** Zero-copy is suspended: send by copy. */
    boolean isSuspended() {
        return suspended;
    }

    /** {@code sendmsg} returned ENOBUFS. */
    void onEnobufs() {
        counters.enobufsErrors++;
        if (ENOBUFS_WARNED.compareAndSet(false, true)) {
            logger.warn("sendmsg returned ENOBUFS: the kernel refused to pin more memory for MSG_ZEROCOPY sends. "
                    + "Either the locked-memory limit of this user is exhausted (ulimit -l, RLIMIT_MEMLOCK; it is "
                    + "shared by all sockets of the user) or a socket reached net.core.optmem_max. Data is sent by "
                    + "copy meanwhile, and zero-copy is suspended on the connection until completions free memory. "
                    + "Further ENOBUFS are counted (ZeroCopyStats.enobufsErrors) and logged at DEBUG.");
        } else if (logger.isDebugEnabled()) { // guarded: the boxed count would allocate on every ENOBUFS
            logger.debug("sendmsg returned ENOBUFS ({} so far on this channel)", counters.enobufsErrors);
        }
        if (!suspended) {
            suspended = true;
            counters.enobufsSuspensions++;
            long pinned = tracker.outstandingBytes();
            if (pinned > 0) {
                resumeAtOutstandingBytes = pinned >>> 1;
                copyBatchesUntilRetry = 0;
            } else {
                resumeAtOutstandingBytes = -1;
                copyBatchesUntilRetry = retryBatches;
                retryBatches = Math.min(retryBatches << 1, MAX_RETRY_BATCHES);
            }
        }
    }

    /** A zero-copy send succeeded: the next suspension without pinned memory starts with the first delay again. */
    void onZeroCopySent() {
        retryBatches = FIRST_RETRY_BATCHES;
    }

    /** A copy write succeeded: counts down a suspension that waits for copy writes. */
    void onCopySent() {
        if (suspended && copyBatchesUntilRetry > 0 && --copyBatchesUntilRetry == 0) {
            suspended = false; // nothing of ours was pinned: retry, the memory may be free again
        }
    }

    /** Completions freed memory: ends a suspension once half of what was pinned then is free. */
    void onCompletions() {
        if (suspended && resumeAtOutstandingBytes >= 0 && tracker.outstandingBytes() <= resumeAtOutstandingBytes) {
            suspended = false;
        }
    }
}
