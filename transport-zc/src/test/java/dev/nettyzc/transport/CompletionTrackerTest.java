/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unit tests of {@link CompletionTracker}: u32 wrap, coalesced / out-of-order / duplicate / bogus /
 * giant ranges, partial-write sharing, abandonAll, counters, growth, exactly-once release, and a seeded
 * randomized comparison against a simple reference model.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompletionTrackerTest {

    /** A heap buffer that counts release() calls, so double releases are seen even if refCnt allows them. */
    static final class CountingBuf extends UnpooledHeapByteBuf {
        final int name;
        int releases;
        int deallocations;

        CountingBuf(int name) {
            super(UnpooledByteBufAllocator.DEFAULT, 16, 16);
            this.name = name;
        }

        @Override
        public boolean release() {
            releases++;
            return super.release();
        }

        @Override
        public boolean release(int decrement) {
            releases += decrement;
            return super.release(decrement);
        }

        @Override
        protected void deallocate() {
            deallocations++;
            super.deallocate();
        }

        @Override
        public String toString() {
            return "CountingBuf#" + name + "(refCnt=" + refCnt() + ", releases=" + releases + ')';
        }
    }

    private int names;

    private CountingBuf newBuf() {
        return new CountingBuf(names++);
    }

    /** Pins bufs (retaining one reference each, as the channel does) and commits one send. */
    private static int send(CompletionTracker t, long bytes, ByteBuf... bufs) {
        int id = t.nextSendId();
        for (ByteBuf b : bufs) {
            t.pin(b.retain());
        }
        t.commit(bytes);
        return id;
    }

    private static void assertHeldBySendOnly(CountingBuf b) {
        assertEquals(2, b.refCnt(), b + " should be held by the caller and one send");
        assertEquals(0, b.releases, b + " released too early");
    }

    private static void assertReleasedOnce(CountingBuf b) {
        assertEquals(1, b.refCnt(), b + " should be back to the caller's reference only");
        assertEquals(1, b.releases, b + " must be released exactly once");
    }

    private static void assertCounters(CompletionTracker t, int sends, int bufs, long bytes) {
        assertEquals(sends, t.outstandingSends(), "outstandingSends " + t);
        assertEquals(bufs, t.outstandingBuffers(), "outstandingBuffers " + t);
        assertEquals(bytes, t.outstandingBytes(), "outstandingBytes " + t);
    }

    @Test
    void firstIdIsZeroAndIdsAdvance() {
        CompletionTracker t = new CompletionTracker();
        assertEquals(0, t.nextSendId());
        CountingBuf a = newBuf();
        assertEquals(0, send(t, 10, a));
        assertEquals(1, t.nextSendId());
        assertCounters(t, 1, 1, 10);
        assertHeldBySendOnly(a);
        assertEquals(1, t.complete(0, 0, false));
        assertReleasedOnce(a);
        assertCounters(t, 0, 0, 0);
        assertEquals(1, t.completedSends());
        assertEquals(0, t.copiedSends());
        assertEquals(0, t.ignoredIds());
    }

    @Test
    void wrapAroundU32() {
        CompletionTracker t = new CompletionTracker(0xFFFFFFF0);
        List<CountingBuf> bufs = new ArrayList<>();
        int[] ids = new int[32];
        for (int i = 0; i < 32; i++) {
            CountingBuf b = newBuf();
            bufs.add(b);
            ids[i] = send(t, 100, b);
        }
        assertEquals(0xFFFFFFF0, ids[0]);
        assertEquals(0xFFFFFFFF, ids[15]);
        assertEquals(0, ids[16]);
        assertEquals(15, ids[31]);
        assertEquals(16, t.nextSendId());
        assertCounters(t, 32, 32, 3200);

        // Single id just before the wrap.
        assertEquals(1, t.complete(0xFFFFFFFE, 0xFFFFFFFE, false));
        assertReleasedOnce(bufs.get(14));
        // A range crossing 2^32: lo > hi numerically.
        assertEquals(4, t.complete(0xFFFFFFFF, 2, false));
        assertReleasedOnce(bufs.get(15));
        assertReleasedOnce(bufs.get(16));
        assertReleasedOnce(bufs.get(18));
        assertHeldBySendOnly(bufs.get(13));
        assertHeldBySendOnly(bufs.get(19));
        // Everything, as one wrapping range.
        assertEquals(32 - 5, t.complete(0xFFFFFFF0, 15, true));
        for (CountingBuf b : bufs) {
            assertReleasedOnce(b);
        }
        assertCounters(t, 0, 0, 0);
        assertEquals(32, t.completedSends());
        assertEquals(27, t.copiedSends());
        assertEquals(5, t.ignoredIds(), "the 5 already completed ids of the last range are ignored");
    }

    @Test
    void wrapManyTimesWithSmallWindow() {
        // Window never exceeds 3; ids cross 2^32 from a start just below it, and keep going.
        CompletionTracker t = new CompletionTracker(-3);
        for (int i = 0; i < 1000; i++) {
            CountingBuf b = newBuf();
            int id = send(t, 1, b);
            assertEquals(-3 + i, id);
            if (i >= 2) {
                int old = id - 2;
                assertEquals(1, t.complete(old, old, false));
            }
        }
        assertEquals(2, t.outstandingSends());
        assertEquals(2, t.complete(-3 + 998, -3 + 999, false));
        assertCounters(t, 0, 0, 0);
        assertEquals(0, t.ignoredIds());
    }

    @Test
    void coalescedRange() {
        CompletionTracker t = new CompletionTracker();
        CountingBuf[] b = new CountingBuf[10];
        for (int i = 0; i < 10; i++) {
            b[i] = newBuf();
            send(t, 1000, b[i]);
        }
        assertEquals(7, t.complete(2, 8, false));
        assertHeldBySendOnly(b[0]);
        assertHeldBySendOnly(b[1]);
        for (int i = 2; i <= 8; i++) {
            assertReleasedOnce(b[i]);
        }
        assertHeldBySendOnly(b[9]);
        assertCounters(t, 3, 3, 3000);
        assertEquals(3, t.complete(0, 9, false));
        for (CountingBuf x : b) {
            assertReleasedOnce(x);
        }
        assertEquals(7, t.ignoredIds());
    }

    @Test
    void outOfOrder() {
        CompletionTracker t = new CompletionTracker();
        CountingBuf[] b = new CountingBuf[6];
        for (int i = 0; i < 6; i++) {
            b[i] = newBuf();
            send(t, i + 1, b[i]);
        }
        assertEquals(1, t.complete(5, 5, false));
        assertReleasedOnce(b[5]);
        assertEquals(2, t.complete(3, 4, false));
        assertEquals(1, t.complete(1, 1, false));
        assertCounters(t, 2, 2, 1 + 3);
        assertHeldBySendOnly(b[0]);
        assertHeldBySendOnly(b[2]);
        assertEquals(1, t.complete(0, 0, false));
        assertEquals(1, t.complete(2, 2, false));
        for (CountingBuf x : b) {
            assertReleasedOnce(x);
        }
        assertCounters(t, 0, 0, 0);
        assertEquals(0, t.ignoredIds());
        // New sends after out-of-order completions reuse the ring correctly.
        CountingBuf c = newBuf();
        assertEquals(6, send(t, 7, c));
        assertEquals(1, t.complete(6, 6, false));
        assertReleasedOnce(c);
    }

    @Test
    void duplicateRangesAreIgnoredAndCounted() {
        CompletionTracker t = new CompletionTracker();
        CountingBuf a = newBuf();
        CountingBuf b = newBuf();
        send(t, 1, a);
        send(t, 1, b);
        assertEquals(1, t.complete(1, 1, false));   // out of order: id 1 done, id 0 still outstanding
        assertEquals(0, t.complete(1, 1, false));   // duplicate inside the window
        assertEquals(1, t.ignoredIds());
        assertEquals(1, t.complete(0, 1, false));
        assertEquals(2, t.ignoredIds());
        assertEquals(0, t.complete(0, 1, false));   // duplicate behind the window
        assertEquals(4, t.ignoredIds());
        assertReleasedOnce(a);
        assertReleasedOnce(b);
        assertEquals(2, t.completedSends());
    }

    @Test
    void bogusRangesAreIgnored() {
        CompletionTracker t = new CompletionTracker(1000);
        CountingBuf a = newBuf();
        CountingBuf b = newBuf();
        send(t, 5, a);
        send(t, 6, b);
        assertEquals(0, t.complete(1002, 1002, false), "never sent (next id)");
        assertEquals(0, t.complete(5000, 6000, false), "far after the window");
        assertEquals(0, t.complete(0, 999, false), "before the window");
        assertEquals(0, t.complete(0x80000000, 0x80000010, true), "far away, half the id space");
        assertEquals(1 + 1001 + 1000 + 17, t.ignoredIds());
        assertHeldBySendOnly(a);
        assertHeldBySendOnly(b);
        assertCounters(t, 2, 2, 11);
        assertEquals(0, t.completedSends());
        // A range overlapping the window partially: only the window part counts.
        assertEquals(1, t.complete(990, 1000, false));
        assertReleasedOnce(a);
        assertEquals(1, t.complete(1001, 2000, false));
        assertReleasedOnce(b);
        assertCounters(t, 0, 0, 0);
    }

    @Test
    void emptyTrackerIgnoresEverything() {
        CompletionTracker t = new CompletionTracker();
        assertEquals(0, t.complete(0, 0, false));
        assertEquals(0, t.complete(0, -1, false));
        assertEquals(1 + (1L << 32), t.ignoredIds());
        assertEquals(0, t.completedSends());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void giantRangesCostOnlyTheWindow() {
        // [0, 0xFFFFFFFF] and [x, x-1] cover all 2^32 ids; iterating them would take far longer than
        // the timeout when repeated, so this also guards "O(intersection), never O(range size)".
        CompletionTracker t = new CompletionTracker(0x7FFFFFF0);
        for (int round = 0; round < 2000; round++) {
            CountingBuf a = newBuf();
            CountingBuf b = newBuf();
            send(t, 1, a);
            send(t, 1, b);
            int n = (round & 1) == 0 ? t.complete(0, 0xFFFFFFFF, false)
                                      : t.complete(t.nextSendId() + 5, t.nextSendId() + 4, false);
            assertEquals(2, n);
            assertReleasedOnce(a);
            assertReleasedOnce(b);
            assertCounters(t, 0, 0, 0);
        }
        assertEquals(2000L * ((1L << 32) - 2), t.ignoredIds());
        assertEquals(4000, t.completedSends());
    }

    @Test
    void giantRangeWithOutOfOrderHoles() {
        CompletionTracker t = new CompletionTracker(-2);
        CountingBuf[] b = new CountingBuf[8];
        for (int i = 0; i < 8; i++) {
            b[i] = newBuf();
            send(t, 1, b[i]);
        }
        assertEquals(1, t.complete(1, 1, false));
        assertEquals(1, t.complete(-1, -1, false));
        assertEquals(6, t.complete(0, 0xFFFFFFFF, false));
        for (CountingBuf x : b) {
            assertReleasedOnce(x);
        }
    }

    @Test
    void partialWritesShareABuffer() {
        // One 3-part buffer sent by three partial writes: each send pins its own reference.
        CompletionTracker t = new CompletionTracker();
        CountingBuf big = newBuf();
        send(t, 100, big);
        send(t, 100, big);
        send(t, 50, big);
        assertEquals(4, big.refCnt());
        assertEquals(1, t.complete(1, 1, false));
        assertEquals(3, big.refCnt());
        assertEquals(1, t.complete(0, 0, false));
        assertEquals(2, big.refCnt());
        assertCounters(t, 1, 1, 50);
        assertEquals(1, t.complete(2, 2, false));
        assertEquals(1, big.refCnt());
        assertEquals(3, big.releases);
        assertEquals(0, big.deallocations);
        big.release();
        assertEquals(1, big.deallocations);
    }

    @Test
    void gatheringSendPinsSeveralBuffersAndSharesWithNeighbours() {
        CompletionTracker t = new CompletionTracker();
        CountingBuf a = newBuf();
        CountingBuf b = newBuf();
        CountingBuf c = newBuf();
        send(t, 300, a, b, c);         // gathering write, c only partly written
        send(t, 20, c);                // rest of c
        assertCounters(t, 2, 4, 320);
        assertEquals(3, c.refCnt());
        assertEquals(1, t.complete(1, 1, false));
        assertEquals(2, c.refCnt());
        assertHeldBySendOnly(a);
        assertEquals(1, t.complete(0, 0, true));
        assertReleasedOnce(a);
        assertReleasedOnce(b);
        assertEquals(1, c.refCnt());
        assertEquals(2, c.releases);
        assertEquals(1, t.copiedSends());
    }

    @Test
    void sendWithoutPinsStillConsumesAnId() {
        CompletionTracker t = new CompletionTracker();
        send(t, 0);
        CountingBuf a = newBuf();
        assertEquals(1, send(t, 1, a));
        assertEquals(1, t.complete(0, 0, false));
        assertHeldBySendOnly(a);
        assertEquals(1, t.complete(1, 1, false));
        assertReleasedOnce(a);
    }

    @Test
    void abandonAllHandsEveryPinOverUnreleasedAndIgnoresLateCompletions() {
        CompletionTracker t = new CompletionTracker();
        CountingBuf[] b = new CountingBuf[5];
        for (int i = 0; i < 4; i++) {
            b[i] = newBuf();
            send(t, 10, b[i]);
        }
        assertEquals(1, t.complete(2, 2, false));
        assertReleasedOnce(b[2]);
        b[4] = newBuf();
        t.pin(b[4].retain());                // a pending pin (a send that is being committed)
        java.util.List<ByteBuf> kept = new ArrayList<>();
        assertEquals(3, t.abandonAll(kept::add));
        assertEquals(4, kept.size(), "the three outstanding sends' pins and the pending pin");
        for (int i : new int[] { 0, 1, 3, 4 }) {
            assertEquals(2, b[i].refCnt(), "abandoned, not released: " + b[i]);
            assertTrue(kept.contains(b[i]));
        }
        assertCounters(t, 0, 0, 0);
        assertEquals(0, t.pendingBuffers());
        assertEquals(0, t.complete(0, 3, false), "late completions after giving up are ignored");
        for (int i : new int[] { 0, 1, 3, 4 }) {
            assertEquals(2, b[i].refCnt(), "a late completion must not release an abandoned pin: " + b[i]);
        }
        assertEquals(0, t.abandonAll(kept::add));
        assertEquals(4, kept.size());
        assertEquals(4, t.nextSendId());
        // The next send gets the next id as usual.
        CountingBuf c = newBuf();
        assertEquals(4, send(t, 1, c));
        assertEquals(1, t.complete(4, 4, false));
        assertReleasedOnce(c);
        for (ByteBuf k : kept) {
            k.release(); // the test plays the quarantine's owner
        }
    }

    @Test
    void manySendsGrowTheRings() {
        CompletionTracker t = new CompletionTracker(0xFFFFF000);
        int n = 20_000;
        CountingBuf[] b = new CountingBuf[n];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            b[i] = newBuf();
            if (i % 3 == 0) {
                CountingBuf extra = b[i];
                send(t, i, extra, extra);      // the same buffer twice in one gathering send
            } else {
                send(t, i, b[i]);
            }
            bytes += i;
        }
        assertCounters(t, n, n + (n + 2) / 3, bytes);
        // Complete every odd id first (out of order, keeps the base stuck), then the rest coalesced.
        int first = 0xFFFFF000;
        for (int i = 1; i < n; i += 2) {
            assertEquals(1, t.complete(first + i, first + i, false));
        }
        assertEquals(n / 2, t.outstandingSends());
        // Send more while holes exist: growth must preserve the window with holes.
        CountingBuf[] more = new CountingBuf[n];
        for (int i = 0; i < n; i++) {
            more[i] = newBuf();
            send(t, 1, more[i]);
        }
        assertEquals(n + n / 2, t.complete(first, first + 2 * n - 1, false));
        for (int i = 0; i < n; i++) {
            assertEquals(1, b[i].refCnt(), b[i].toString());
            assertEquals(i % 3 == 0 ? 2 : 1, b[i].releases);
            assertReleasedOnce(more[i]);
        }
        assertCounters(t, 0, 0, 0);
        assertEquals(2L * n, t.completedSends());
        assertEquals(n / 2, t.ignoredIds());
    }

    @Test
    void steadyStateAfterGrowthHasNoLeftovers() {
        // Grow once, drain, then run many cycles in the grown rings; counters stay exact.
        CompletionTracker t = new CompletionTracker();
        for (int cycle = 0; cycle < 50; cycle++) {
            List<CountingBuf> bufs = new ArrayList<>();
            int lo = t.nextSendId();
            for (int i = 0; i < 100; i++) {
                CountingBuf b = newBuf();
                bufs.add(b);
                send(t, 1, b);
            }
            assertEquals(100, t.complete(lo, t.nextSendId() - 1, cycle % 2 == 0));
            for (CountingBuf b : bufs) {
                assertReleasedOnce(b);
            }
            assertCounters(t, 0, 0, 0);
        }
        assertEquals(0, t.ignoredIds());
        assertEquals(0, t.releaseFailures());
    }

    @Test
    void steadyStateAllocatesNothingPerSendOrCompletion() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean to count allocated bytes");
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
        org.junit.jupiter.api.Assumptions.assumeTrue(tmx.isThreadAllocatedMemorySupported());
        tmx.setThreadAllocatedMemoryEnabled(true);
        CompletionTracker t = new CompletionTracker(-1000);
        CountingBuf[] bufs = new CountingBuf[8];
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = newBuf();
        }
        Runnable cycle = () -> {
            // 64 sends in flight, 2-3 pins each (sharing buffers), completed out of order and coalesced,
            // plus a duplicate and a bogus range: the hot path of a channel.
            int lo = t.nextSendId();
            for (int s = 0; s < 64; s++) {
                t.pin(bufs[s & 7].retain());
                t.pin(bufs[(s + 1) & 7].retain());
                if ((s & 1) == 0) {
                    t.pin(bufs[(s + 2) & 7].retain());
                }
                t.commit(1000);
            }
            t.complete(lo + 1, lo + 1, false);
            t.complete(lo + 3, lo + 40, true);
            t.complete(lo + 3, lo + 3, false);
            t.complete(lo + 100_000, lo + 100_005, false);
            t.complete(lo, lo + 63, false);
        };
        for (int i = 0; i < 2_000; i++) {
            cycle.run();   // warm up (JIT) and grow the rings to their steady size
        }
        long tid = Thread.currentThread().getId();
        long before = tmx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 20_000; i++) {
            cycle.run();
        }
        long allocated = tmx.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, t.outstandingSends());
        for (CountingBuf b : bufs) {
            assertEquals(1, b.refCnt());
        }
        // 1.28 million sends and 100,000 complete() calls; a single object per send would be > 20 MB.
        assertTrue(allocated < 64 * 1024, "steady state allocated " + allocated + " bytes");
    }

    // ---------------------------------------------------------------------------------------------
    // Randomized property test against a reference model.

    /** The obvious model: a map from id (as unsigned long) to the buffers its send pinned. */
    private static final class Model {
        final Map<Long, List<CountingBuf>> outstanding = new HashMap<>();
        final Map<Long, Long> bytes = new HashMap<>();
        // Identity: ByteBuf.equals/hashCode compare contents.
        final Map<CountingBuf, Integer> expectedReleases = new IdentityHashMap<>();
        final List<CountingBuf> pending = new ArrayList<>();
        long next;
        long completed;
        long copied;
        long ignored;

        Model(int first) {
            next = Integer.toUnsignedLong(first);
        }

        void release(CountingBuf b) {
            expectedReleases.merge(b, 1, Integer::sum);
        }

        int complete(int lo, int hi, boolean copiedFlag) {
            long len = ((hi - lo) & 0xFFFFFFFFL) + 1;
            // Walk only the model's outstanding ids (small) and test membership in the circular range.
            long l = Integer.toUnsignedLong(lo);
            int n = 0;
            for (Long id : new ArrayList<>(outstanding.keySet())) {
                long off = (id - l) & 0xFFFFFFFFL;
                if (off < len) {
                    for (CountingBuf b : outstanding.remove(id)) {
                        release(b);
                    }
                    bytes.remove(id);
                    n++;
                }
            }
            completed += n;
            if (copiedFlag) {
                copied += n;
            }
            ignored += len - n;
            return n;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 42L, 0xC0FFEEL, 20261125L})
    void randomizedAgainstReferenceModel(long seed) {
        Random rnd = new Random(seed);
        int first = rnd.nextBoolean() ? -rnd.nextInt(200) : rnd.nextInt();
        CompletionTracker t = new CompletionTracker(first);
        Model m = new Model(first);
        List<CountingBuf> all = new ArrayList<>();
        List<CountingBuf> shared = new ArrayList<>();   // buffers reused across sends (partial writes)
        Set<Long> everSent = new HashSet<>();

        for (int op = 0; op < 20_000; op++) {
            int r = rnd.nextInt(100);
            if (r < 45) {
                // pin 0..4 buffers (new or shared) then commit
                int k = rnd.nextInt(5);
                for (int i = 0; i < k; i++) {
                    CountingBuf b;
                    if (!shared.isEmpty() && rnd.nextInt(3) == 0) {
                        b = shared.get(rnd.nextInt(shared.size()));
                    } else {
                        b = newBuf();
                        all.add(b);
                        if (rnd.nextInt(4) == 0) {
                            shared.add(b);
                            if (shared.size() > 16) {
                                shared.remove(0);
                            }
                        }
                    }
                    t.pin(b.retain());
                    m.pending.add(b);
                }
                long bytes = rnd.nextInt(1 << 20);
                assertEquals((int) m.next, t.nextSendId());
                t.commit(bytes);
                m.outstanding.put(m.next, new ArrayList<>(m.pending));
                m.bytes.put(m.next, bytes);
                everSent.add(m.next);
                m.next = (m.next + 1) & 0xFFFFFFFFL;
                m.pending.clear();
            } else if (r < 95) {
                int lo;
                int hi;
                int kind = rnd.nextInt(20);
                int next = (int) m.next;
                if (kind == 0) {
                    lo = 0;
                    hi = 0xFFFFFFFF;                         // giant
                } else if (kind == 1) {
                    lo = rnd.nextInt();
                    hi = rnd.nextInt();                      // bogus, anywhere, maybe wrapping
                } else if (kind == 2) {
                    lo = next + rnd.nextInt(1000);
                    hi = lo + rnd.nextInt(5);                // never sent
                } else if (kind == 3 && !m.outstanding.isEmpty()) {
                    lo = next - 1 - rnd.nextInt(300);
                    hi = next + 3;                           // overlaps the end of the window
                } else {
                    // Around the window: mostly single ids or short coalesced ranges, out of order.
                    int back = 1 + rnd.nextInt(Math.max(1, Math.min(400, m.outstanding.size() * 2 + 4)));
                    lo = next - back;
                    hi = lo + (rnd.nextInt(4) == 0 ? rnd.nextInt(40) : 0);
                }
                boolean copied = rnd.nextInt(3) == 0;
                assertEquals(m.complete(lo, hi, copied), t.complete(lo, hi, copied),
                        "seed " + seed + " op " + op + " range [" + Integer.toUnsignedString(lo) + ", " +
                        Integer.toUnsignedString(hi) + "]");
            } else {
                // Complete everything outstanding in random order, one id at a time.
                List<Long> ids = new ArrayList<>(m.outstanding.keySet());
                java.util.Collections.shuffle(ids, rnd);
                for (long id : ids) {
                    assertEquals(m.complete((int) id, (int) id, false), t.complete((int) id, (int) id, false));
                }
            }
            // Invariants after every operation.
            assertEquals(m.outstanding.size(), t.outstandingSends(), "seed " + seed + " op " + op);
            assertEquals(m.outstanding.values().stream().mapToInt(List::size).sum(), t.outstandingBuffers());
            assertEquals(m.bytes.values().stream().mapToLong(Long::longValue).sum(), t.outstandingBytes());
            assertEquals(m.completed, t.completedSends());
            assertEquals(m.copied, t.copiedSends());
            assertEquals(m.ignored, t.ignoredIds());
            if (op % 500 == 0) {
                checkReleases(all, m, seed, op);
            }
        }
        checkReleases(all, m, seed, -1);
        // Give up on the rest: every pin still held is handed over, unreleased, exactly once.
        int outstanding = m.outstanding.size();
        List<ByteBuf> kept = new ArrayList<>();
        assertEquals(outstanding, t.abandonAll(kept::add));
        checkReleases(all, m, seed, -2);
        assertEquals(m.outstanding.values().stream().mapToInt(List::size).sum(), kept.size());
        for (ByteBuf k : kept) {
            k.release();
        }
        for (List<CountingBuf> l : m.outstanding.values()) {
            for (CountingBuf b : l) {
                m.release(b);
            }
        }
        m.outstanding.clear();
        checkReleases(all, m, seed, -2);
        for (CountingBuf b : all) {
            assertEquals(1, b.refCnt(), b + " holds only the test's own reference at the end");
            assertTrue(b.release());
        }
        assertEquals(0, t.releaseFailures());
        assertTrue(everSent.size() > 1000, "the random walk must actually send");
    }

    private static void checkReleases(List<CountingBuf> all, Model m, long seed, int op) {
        for (CountingBuf b : all) {
            int expected = m.expectedReleases.getOrDefault(b, 0);
            assertEquals(expected, b.releases, "seed " + seed + " op " + op + " " + b);
        }
    }
}
