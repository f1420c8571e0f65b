/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.WrappedByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A buffer the application writes, instrumented to prove the zero-copy lifecycle from the outside:
 * <ul>
 *   <li>every {@code retain}/{@code release} on it is counted, and the release that frees the memory is seen
 *       exactly once; a release after that is recorded as a violation and NOT forwarded (so a double release
 *       cannot silently hit a recycled pooled buffer that now belongs to someone else);</li>
 *   <li>the code path of each release is classified from the call stack: the channel's
 *       {@link CompletionTracker#complete} (kernel completion), or something else (the application's reference,
 *       released by {@code ChannelOutboundBuffer}; or a pin released early, which is the bug these tests catch);</li>
 *   <li>a buffer the channel retained beyond the application's reference was pinned for a zero-copy send;</li>
 *   <li>the last release overwrites the memory with {@link #POISON_BYTE} first, so memory handed back while the
 *       kernel still reads it turns into corrupted bytes at the receiver (with the loopback zero-copy switch on,
 *       where loopback pages stay referenced until the receiver reads them).</li>
 * </ul>
 * Derived retained buffers would bypass the counters, so they fail loudly instead.
 */
final class TrackedBuf extends WrappedByteBuf {

    enum FreedBy { NOT_YET, COMPLETION, OTHER }

    /** What a buffer's memory holds after its last release (0xEE, as in the issue's measurement). */
    static final byte POISON_BYTE = (byte) 0xEE;
    private static final byte[] POISON = new byte[1 << 20];

    static {
        java.util.Arrays.fill(POISON, POISON_BYTE);
    }

    /** Registry of one test's buffers. */
    static final class Registry {
        final ConcurrentLinkedQueue<TrackedBuf> all = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

        TrackedBuf track(ByteBuf buf, long streamOffset) {
            TrackedBuf t = new TrackedBuf(buf, this, streamOffset);
            all.add(t);
            return t;
        }

        int size() {
            return all.size();
        }

        List<TrackedBuf> notFreed() {
            List<TrackedBuf> l = new ArrayList<>();
            for (TrackedBuf t : all) {
                if (t.freedBy() == FreedBy.NOT_YET) {
                    l.add(t);
                }
            }
            return l;
        }

        long count(FreedBy by) {
            return all.stream().filter(t -> t.freedBy() == by).count();
        }

        long pinned() {
            return all.stream().filter(TrackedBuf::wasPinned).count();
        }
    }

    private final Registry registry;
    final long streamOffset;
    final int length;
    private final AtomicInteger retains = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger completionReleases = new AtomicInteger();
    private final AtomicInteger otherReleases = new AtomicInteger();
    private volatile int maxRefCnt;
    private volatile FreedBy freedBy = FreedBy.NOT_YET;
    private volatile boolean freed;
    private volatile String freeThread;

    private TrackedBuf(ByteBuf buf, Registry registry, long streamOffset) {
        super(buf);
        this.registry = registry;
        this.streamOffset = streamOffset;
        this.length = buf.readableBytes();
        this.maxRefCnt = buf.refCnt();
    }

    @Override
    public ByteBuf retain() {
        return retain(1);
    }

    @Override
    public ByteBuf retain(int increment) {
        if (freed) {
            registry.violations.add("retain after free: " + this);
        }
        retains.addAndGet(increment);
        buf.retain(increment);
        int rc = buf.refCnt();
        if (rc > maxRefCnt) {
            maxRefCnt = rc;
        }
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int decrement) {
        FreedBy by = classify();
        if (freed) {
            registry.violations.add("release after free (double release) of " + this + " from " + by + " on "
                    + Thread.currentThread().getName());
            return false;
        }
        releases.addAndGet(decrement);
        if (by == FreedBy.COMPLETION) {
            completionReleases.addAndGet(decrement);
        } else {
            otherReleases.addAndGet(decrement);
        }
        if (buf.refCnt() == decrement) {
            // The last reference: poison the memory first, so that a kernel still reading it (a buffer handed back
            // too early) sends POISON bytes, which the receiver's pattern check reports.
            buf.setBytes(0, POISON, 0, Math.min(buf.capacity(), POISON.length));
        }
        boolean deallocated = buf.release(decrement);
        if (deallocated) {
            freed = true;
            freedBy = by;
            freeThread = Thread.currentThread().getName();
        }
        return deallocated;
    }

    /** Which code path releases: the tracker's complete (a kernel completion), or anything else. */
    private static FreedBy classify() {
        return StackWalker.getInstance().walk(frames -> frames
                .anyMatch(f -> f.getClassName().equals(CompletionTracker.class.getName())
                        && f.getMethodName().equals("complete"))) ? FreedBy.COMPLETION : FreedBy.OTHER;
    }

    @Override
    public ByteBuf retainedSlice() {
        throw unsupported("retainedSlice()");
    }

    @Override
    public ByteBuf retainedSlice(int index, int length) {
        throw unsupported("retainedSlice(int, int)");
    }

    @Override
    public ByteBuf readRetainedSlice(int length) {
        throw unsupported("readRetainedSlice(int)");
    }

    @Override
    public ByteBuf retainedDuplicate() {
        throw unsupported("retainedDuplicate()");
    }

    private UnsupportedOperationException unsupported(String what) {
        UnsupportedOperationException e = new UnsupportedOperationException(
                "TrackedBuf." + what + ": derived retained buffers would bypass the test's reference accounting");
        registry.violations.add(e.getMessage());
        return e;
    }

    /** The channel held more references than the application's one: the buffer was pinned by a zero-copy send. */
    boolean wasPinned() {
        return maxRefCnt >= 2 && retains.get() > 0;
    }

    FreedBy freedBy() {
        return freedBy;
    }

    boolean isFreed() {
        return freed;
    }

    int retains() {
        return retains.get();
    }

    int releases() {
        return releases.get();
    }

    int completionReleases() {
        return completionReleases.get();
    }

    int otherReleases() {
        return otherReleases.get();
    }

    /**
     * The zero-copy contract, seen from the buffer: it was freed exactly once; each reference the channel took
     * for a send (a pin) was released by that send's kernel completion, never by anything else (close included);
     * and the application's own reference was released exactly once by the normal outbound path.
     */
    String lifecycleProblem() {
        if (!freed) {
            return "not freed: " + this;
        }
        if (releases.get() != retains.get() + 1) {
            return "releases (" + releases + ") != retains (" + retains + ") + 1: " + this;
        }
        if (completionReleases.get() != retains.get()) {
            return "a pin was released by something other than its completion: " + this;
        }
        if (otherReleases.get() != 1) {
            return "the application's reference was released " + otherReleases + " times: " + this;
        }
        return null;
    }

    /**
     * What is wrong so far, for a buffer that may still be pinned: a pin released by anything but its completion
     * shows as a second non-completion release (the first is the application's own reference).
     */
    String earlyReleaseProblem() {
        if (otherReleases.get() > 1) {
            return "a pin was released by something other than its completion: " + this;
        }
        return freed ? lifecycleProblem() : null;
    }

    @Override
    public String toString() {
        return "TrackedBuf(stream@" + streamOffset + "+" + length + ", retains=" + retains + ", releases=" + releases
                + " [completion=" + completionReleases + ", other=" + otherReleases + "], maxRefCnt=" + maxRefCnt
                + ", freedBy=" + freedBy + (freeThread == null ? "" : " on " + freeThread) + ')';
    }
}
