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
 *   <li>the code path of the freeing release is classified from the call stack: the channel's
 *       {@link CompletionTracker#complete} (kernel completion), {@link CompletionTracker#releaseAll} (close),
 *       or something else (the normal copy path, {@code ChannelOutboundBuffer});</li>
 *   <li>a buffer the channel retained beyond the application's reference was pinned for a zero-copy send.</li>
 * </ul>
 * Derived retained buffers would bypass the counters, so they fail loudly instead.
 */
final class TrackedBuf extends WrappedByteBuf {

    enum FreedBy { NOT_YET, COMPLETION, RELEASE_ALL, ABORT, OTHER }

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
    private final AtomicInteger releaseAllReleases = new AtomicInteger();
    private final AtomicInteger abortReleases = new AtomicInteger();
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
        switch (by) {
            case COMPLETION:
                completionReleases.addAndGet(decrement);
                break;
            case RELEASE_ALL:
                releaseAllReleases.addAndGet(decrement);
                break;
            case ABORT:
                abortReleases.addAndGet(decrement);
                break;
            default:
                otherReleases.addAndGet(decrement);
        }
        boolean deallocated = buf.release(decrement);
        if (deallocated) {
            freed = true;
            freedBy = by;
            freeThread = Thread.currentThread().getName();
        }
        return deallocated;
    }

    /** Which code path releases: the tracker's complete / releaseAll / abort, or anything else. */
    private static FreedBy classify() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().equals(CompletionTracker.class.getName()))
                .map(f -> {
                    switch (f.getMethodName()) {
                        case "complete":
                            return FreedBy.COMPLETION;
                        case "releaseAll":
                            return FreedBy.RELEASE_ALL;
                        case "abort":
                            return FreedBy.ABORT;
                        default:
                            return null;
                    }
                })
                .filter(java.util.Objects::nonNull)
                .findFirst().orElse(FreedBy.OTHER));
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

    int releaseAllReleases() {
        return releaseAllReleases.get();
    }

    /**
     * The zero-copy contract, seen from the buffer: it was freed exactly once; each reference the channel took
     * for a send (a pin) was released by the completion tracker - by the kernel's completion, by the close
     * path ({@code releaseAll}, only if {@code allowReleaseAll}), or by {@code abort} (a send that consumed no
     * id) - and the application's own reference was released exactly once by the normal outbound path.
     */
    String lifecycleProblem(boolean allowReleaseAll) {
        if (!freed) {
            return "not freed: " + this;
        }
        if (releases.get() != retains.get() + 1) {
            return "releases (" + releases + ") != retains (" + retains + ") + 1: " + this;
        }
        if (completionReleases.get() + releaseAllReleases.get() + abortReleases.get() != retains.get()) {
            return "a pin was not released by the completion tracker: " + this;
        }
        if (otherReleases.get() != 1) {
            return "the application's reference was released " + otherReleases + " times: " + this;
        }
        if (!allowReleaseAll && releaseAllReleases.get() != 0) {
            return "released by the close path (releaseAll) although the channel drained: " + this;
        }
        return null;
    }

    @Override
    public String toString() {
        return "TrackedBuf(stream@" + streamOffset + "+" + length + ", retains=" + retains + ", releases=" + releases
                + " [completion=" + completionReleases + ", releaseAll=" + releaseAllReleases + ", abort="
                + abortReleases + ", other=" + otherReleases + "], maxRefCnt=" + maxRefCnt + ", freedBy=" + freedBy + (freeThread == null ? "" : " on " + freeThread)
                + ')';
    }
}
