/*
 * Copyright 2026 The netty-transport-zc Project
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *   https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Maps MSG_ZEROCOPY send ids to the buffers each send pinned, and releases those buffers when the
 * kernel reports that it no longer reads their memory.
 *
 * <h2>Why this exists</h2>
 * With {@code MSG_ZEROCOPY} the kernel keeps reading the user's pages after {@code sendmsg} returned.
 * Every successful zero-copy {@code sendmsg} on a socket takes the next value of a per-socket
 * <em>u32</em> counter (starting at 0 and wrapping), and the kernel later reports inclusive ranges
 * {@code [lo, hi]} of those ids as complete, either through the socket error queue or in-band through
 * an {@code SCM_ZC_NOTIFICATION} control message. Until an id is covered, every buffer that send
 * referenced must stay retained; afterwards each must be released exactly once, or pooled memory is
 * reused while the NIC/loopback still reads it (data corruption) or it leaks.
 *
 * <h2>What the kernel may report</h2>
 * Ranges can be coalesced ({@code [3, 9]}), out of order ({@code [5,5]} before {@code [4,4]}), cross
 * the u32 wrap ({@code lo > hi} numerically, e.g. {@code [0xFFFFFFFE, 1]}), and — defensively — be
 * duplicated or simply wrong (ids never sent, ids far outside the window, {@code [0, 0xFFFFFFFF]}).
 * {@link #complete(int, int, boolean)} therefore intersects the reported range with the window of ids
 * this tracker has outstanding; its cost is O(intersection), never O(range size). Ids that are not
 * newly completed are ignored and counted ({@link #ignoredIds()}) and logged at debug level.
 *
 * <h2>Usage protocol (owner thread)</h2>
 * <pre>
 *   sendmsg(MSG_ZEROCOPY) ... returns n &gt; 0 (the kernel took an id):
 *     for each buffer covered by the n bytes:  buf.retain(); tracker.pin(buf);
 *     tracker.commit(n)                        // the pins become send nextSendId()
 *   completion ranges:                         tracker.complete(lo, hi, copied)
 *   a completion that will never come:         tracker.abandonAll(keeper)   // never released
 * </pre>
 * Pins are only ever released by the completion of their send: there is no "release everything" for close,
 * because after close the kernel may still read the pages (see {@link LingeringClose}).
 * A send may pin several buffers (gathering write, composite buffer components), and one buffer may
 * be pinned by several sends (a partial write sends the rest of the same buffer later): each
 * {@link #pin(ByteBuf)} owns exactly one reference, so each pin is released once.
 *
 * <h2>Allocation</h2>
 * Sends live in power-of-two ring arrays indexed by {@code id & mask}; pinned buffers live in a
 * second power-of-two ring, where each send owns a contiguous run of slots. Both grow by doubling when
 * full and never shrink, so steady-state {@code pin/commit/complete} allocate nothing.
 *
 * <p>Not thread-safe: confined to the channel's event loop.
 */
final class CompletionTracker {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(CompletionTracker.class);

    private static final int INITIAL_SEND_CAPACITY = 16;
    private static final int INITIAL_BUF_CAPACITY = 32;
    private static final int MAX_CAPACITY = 1 << 30;
    private static final long U32_RANGE = 1L << 32;

    // ---- sends: ring indexed by (id & sendMask); window is [baseId, nextId) (u32 arithmetic) ----
    private int[] sendBufStart;
    private int[] sendBufCount;
    private long[] sendBytes;
    private boolean[] sendDone;
    private int sendMask;
    /** Oldest id not yet retired (completed ids at the front of the window are retired at once). */
    private int baseId;
    /** Id the next committed send gets. */
    private int nextId;

    // ---- pinned buffers: ring of running positions [bufHead, bufCommitted) committed, [bufCommitted, bufTail) pending ----
    private ByteBuf[] bufs;
    private int bufMask;
    private int bufHead;
    private int bufCommitted;
    private int bufTail;

    // ---- counters ----
    private int outstandingSends;
    private int outstandingBuffers;
    private long outstandingBytes;
    private long completedSends;
    private long copiedSends;
    private long ignoredIds;
    private long releaseFailures;

    /** A tracker whose first send id is 0, as the kernel's per-socket counter starts. */
    CompletionTracker() {
        this(0);
    }

    /** A tracker whose first send id is {@code firstSendId} (tests: start near the u32 wrap). */
    CompletionTracker(int firstSendId) {
        sendBufStart = new int[INITIAL_SEND_CAPACITY];
        sendBufCount = new int[INITIAL_SEND_CAPACITY];
        sendBytes = new long[INITIAL_SEND_CAPACITY];
        sendDone = new boolean[INITIAL_SEND_CAPACITY];
        sendMask = INITIAL_SEND_CAPACITY - 1;
        bufs = new ByteBuf[INITIAL_BUF_CAPACITY];
        bufMask = INITIAL_BUF_CAPACITY - 1;
        baseId = firstSendId;
        nextId = firstSendId;
    }

    /** The id (u32, wrapping) the next successful MSG_ZEROCOPY {@code sendmsg} gets. */
    int nextSendId() {
        return nextId;
    }

    /**
     * Adds {@code buf} to the pending send. Takes ownership of one reference, which the caller
     * retained for this send; it is released by the {@link #complete completion} of that send (or handed to
     * {@link #abandonAll}).
     */
    void pin(ByteBuf buf) {
        if (buf == null) {
            throw new NullPointerException("buf");
        }
        if (bufTail - bufHead == bufs.length) {
            growBufs();
        }
        bufs[bufTail & bufMask] = buf;
        bufTail++;
    }

    /**
     * The pending pins become the send with id {@link #nextSendId()}, which then advances (wrapping).
     * A send with no pins is allowed: it still consumes an id, as it did in the kernel.
     *
     * @param bytesAccepted bytes the kernel accepted for this send (statistics only)
     */
    void commit(long bytesAccepted) {
        if (windowSize() == sendDone.length) {
            growSends();
        }
        int slot = nextId & sendMask;
        int count = bufTail - bufCommitted;
        sendBufStart[slot] = bufCommitted;
        sendBufCount[slot] = count;
        sendBytes[slot] = bytesAccepted;
        sendDone[slot] = false;
        bufCommitted = bufTail;
        nextId++;
        outstandingSends++;
        outstandingBuffers += count;
        outstandingBytes += bytesAccepted;
    }

    /**
     * Applies the kernel completion range {@code [lo, hi]} (inclusive, u32; {@code lo > hi} unsigned
     * means the range crosses 2^32). Every outstanding send in the range is completed once and its
     * buffers released; all other ids of the range are ignored and counted.
     *
     * @param copied the kernel reported {@code SO_EE_CODE_ZEROCOPY_COPIED} for this range
     * @return the number of sends newly completed
     */
    int complete(int lo, int hi, boolean copied) {
        long rangeLen = ((hi - lo) & 0xFFFFFFFFL) + 1;   // 1 .. 2^32
        long window = windowSize();
        long offLo = (lo - baseId) & 0xFFFFFFFFL;         // offset of lo from the window base
        int newlyCompleted = 0;
        if (window != 0) {
            long end = offLo + rangeLen;                   // exclusive, may exceed 2^32 (wraps)
            if (offLo < window) {
                newlyCompleted += completeOffsets(offLo, Math.min(end, window), copied);
            }
            if (end > U32_RANGE) {
                // The range wraps around to offsets [0, end - 2^32).
                long wrapEnd = Math.min(end - U32_RANGE, offLo < window ? offLo : window);
                newlyCompleted += completeOffsets(0, wrapEnd, copied);
            }
            if (newlyCompleted != 0) {
                retireCompleted();
            }
        }
        long ignored = rangeLen - newlyCompleted;
        if (ignored != 0) {
            ignoredIds += ignored;
            if (logger.isDebugEnabled()) {
                logger.debug("Ignored {} id(s) of zerocopy completion range [{}, {}] (copied={}); " +
                        "outstanding window [{}, {}), {} newly completed",
                        ignored, Integer.toUnsignedString(lo), Integer.toUnsignedString(hi), copied,
                        Integer.toUnsignedString(baseId), Integer.toUnsignedString(nextId), newlyCompleted);
            }
        }
        return newlyCompleted;
    }

    /**
     * Gives up on every send still outstanding (their completions can no longer arrive): each pinned
     * reference, and any pending pin, is handed to {@code keeper} WITHOUT being released, because the kernel may
     * still read the memory. Later completions are ignored.
     *
     * @return the number of outstanding sends given up
     */
    int abandonAll(java.util.function.Consumer<ByteBuf> keeper) {
        int abandoned = outstandingSends;
        int end = bufTail;
        for (int pos = bufHead; pos != end; pos++) {
            int idx = pos & bufMask;
            ByteBuf buf = bufs[idx];
            bufs[idx] = null;
            if (buf != null) {
                keeper.accept(buf);
            }
        }
        for (int id = baseId; id != nextId; id++) {
            sendDone[id & sendMask] = false;
        }
        baseId = nextId;
        bufHead = bufCommitted = bufTail = end;
        outstandingSends = 0;
        outstandingBuffers = 0;
        outstandingBytes = 0;
        return abandoned;
    }

    /** Committed sends not completed yet. */
    int outstandingSends() {
        return outstandingSends;
    }

    /** Buffer pins held by committed, not completed sends (pending pins not included). */
    int outstandingBuffers() {
        return outstandingBuffers;
    }

    /** Bytes accepted by committed, not completed sends. */
    long outstandingBytes() {
        return outstandingBytes;
    }

    /** Pins added since the last commit. */
    int pendingBuffers() {
        return bufTail - bufCommitted;
    }

    /** Sends completed so far (each counted once). */
    long completedSends() {
        return completedSends;
    }

    /** Completed sends whose range carried {@code SO_EE_CODE_ZEROCOPY_COPIED}. */
    long copiedSends() {
        return copiedSends;
    }

    /** Ids of completion ranges that were not newly completed: duplicates, never sent, out of the window. */
    long ignoredIds() {
        return ignoredIds;
    }

    /** Releases that threw (a reference-counting bug elsewhere); should stay 0. */
    long releaseFailures() {
        return releaseFailures;
    }

    // ------------------------------------------------------------------------------------------

    private long windowSize() {
        return (nextId - baseId) & 0xFFFFFFFFL;
    }

    /** Completes window offsets [from, to); returns how many were newly completed. */
    private int completeOffsets(long from, long to, boolean copied) {
        int n = 0;
        for (long off = from; off < to; off++) {
            int slot = (baseId + (int) off) & sendMask;
            if (sendDone[slot]) {
                continue;
            }
            sendDone[slot] = true;
            int start = sendBufStart[slot];
            int count = sendBufCount[slot];
            for (int i = 0; i < count; i++) {
                releaseSlot(start + i);
            }
            outstandingSends--;
            outstandingBuffers -= count;
            outstandingBytes -= sendBytes[slot];
            completedSends++;
            if (copied) {
                copiedSends++;
            }
            n++;
        }
        return n;
    }

    /** Drops completed sends from the front of the window and frees their buffer slots. */
    private void retireCompleted() {
        while (baseId != nextId && sendDone[baseId & sendMask]) {
            sendDone[baseId & sendMask] = false;
            baseId++;
        }
        bufHead = baseId == nextId ? bufCommitted : sendBufStart[baseId & sendMask];
    }

    private void releaseSlot(int pos) {
        int idx = pos & bufMask;
        ByteBuf buf = bufs[idx];
        bufs[idx] = null;
        if (buf == null) {
            return;
        }
        try {
            ReferenceCountUtil.release(buf);
        } catch (Throwable t) {
            releaseFailures++;
            logger.warn("Failed to release a buffer pinned for a zerocopy send", t);
        }
    }

    private void growSends() {
        int oldCap = sendDone.length;
        if (oldCap >= MAX_CAPACITY) {
            throw new IllegalStateException("too many outstanding zerocopy sends: " + oldCap);
        }
        int newCap = oldCap << 1;
        int newMask = newCap - 1;
        int[] start = new int[newCap];
        int[] count = new int[newCap];
        long[] bytes = new long[newCap];
        boolean[] done = new boolean[newCap];
        for (int id = baseId; id != nextId; id++) {
            int o = id & sendMask;
            int n = id & newMask;
            start[n] = sendBufStart[o];
            count[n] = sendBufCount[o];
            bytes[n] = sendBytes[o];
            done[n] = sendDone[o];
        }
        sendBufStart = start;
        sendBufCount = count;
        sendBytes = bytes;
        sendDone = done;
        sendMask = newMask;
    }

    private void growBufs() {
        int oldCap = bufs.length;
        if (oldCap >= MAX_CAPACITY) {
            throw new IllegalStateException("too many pinned zerocopy buffers: " + oldCap);
        }
        int newCap = oldCap << 1;
        int newMask = newCap - 1;
        ByteBuf[] n = new ByteBuf[newCap];
        for (int pos = bufHead; pos != bufTail; pos++) {
            n[pos & newMask] = bufs[pos & bufMask];
        }
        bufs = n;
        bufMask = newMask;
    }

    @Override
    public String toString() {
        return "CompletionTracker(window=[" + Integer.toUnsignedString(baseId) + ", " +
                Integer.toUnsignedString(nextId) + "), outstandingSends=" + outstandingSends +
                ", outstandingBuffers=" + outstandingBuffers + ", outstandingBytes=" + outstandingBytes +
                ", pending=" + pendingBuffers() + ", completed=" + completedSends + ", copied=" + copiedSends +
                ", ignoredIds=" + ignoredIds + ')';
    }
}
