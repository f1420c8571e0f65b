/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import java.util.function.LongSupplier;

/**
 * {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} for one socket, shared by the stream and the datagram
 * writer: how many bytes the next zero-copy send may pin, and the pause from the send that made the pinned bytes
 * reach the bound until completions brought them down to half of it (the low mark). The channel mirrors the pause
 * in its writability. Also keeps {@link ZeroCopyStats#peakOutstandingBytes()}. Event-loop confined.
 */
final class PinnedBytesBound {
    private final CompletionTracker tracker;
    private final ZeroCopyCounters counters;
    /** The option's current value (0: no bound); read per write, since it may change at any time. */
    private final LongSupplier maxPinnedBytes;
    private boolean reached;

    PinnedBytesBound(CompletionTracker tracker, ZeroCopyCounters counters, LongSupplier maxPinnedBytes) {
        this.tracker = tracker;
        this.counters = counters;
        this.maxPinnedBytes = maxPinnedBytes;
    }

    /**
     * How many bytes the next zero-copy send may pin: {@link Long#MAX_VALUE} without a bound, 0 while the bound
     * holds zero-copy back, else what is left under the bound.
     */
    long budget() {
        long max = maxPinnedBytes.getAsLong();
        if (max <= 0) {
            reached = false;
            return Long.MAX_VALUE;
        }
        long pinned = tracker.outstandingBytes();
        if (pinned >= max) {
            reached = true; // also when the bound was lowered below what is pinned
        }
        return reached ? 0 : max - pinned;
    }

    /** A zero-copy send was committed: record the peak, and pause at the bound. */
    void onZeroCopySent() {
        long pinned = tracker.outstandingBytes();
        if (pinned > counters.peakOutstandingBytes) {
            counters.peakOutstandingBytes = pinned;
        }
        long max = maxPinnedBytes.getAsLong();
        if (max > 0 && pinned >= max) {
            reached = true;
        }
    }

    /** Completions freed memory: the pause ends at the low mark. */
    void onCompletions() {
        if (reached && tracker.outstandingBytes() <= maxPinnedBytes.getAsLong() >>> 1) {
            reached = false;
        }
    }

    /** {@code true} while the bound holds zero-copy back (the channel is unwritable meanwhile). */
    boolean isReached() {
        if (reached && maxPinnedBytes.getAsLong() == 0) {
            reached = false; // the bound was removed
        }
        return reached;
    }
}
