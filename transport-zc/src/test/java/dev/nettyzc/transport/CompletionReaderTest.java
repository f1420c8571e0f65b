/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CompletionReader} on raw bytes, written here as the kernel would write them: the SCM_ZC_NOTIFICATION
 * copy-back of a sendmsg and the error-queue entries of the native drain. Ranges that wrap the u32 id space
 * ({@code 0xFFFFFFFF..1}, i.e. {@code lo > hi}), out of order, copied and not, and every kind of malformed
 * copy-back: each is reported and counted, and nothing of it is applied.
 */
class CompletionReaderTest {
    private static final int TYPE = 99;
    private static final int SOL_SOCKET = 1;

    private ByteBuffer memory;
    private long control;
    private ZeroCopyCounters counters;
    private CompletionTracker tracker;
    private CompletionReader reader;
    private final List<ByteBuf> bufs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        ZcTestSupport.requireAvailable(); // PlatformDependent's unsafe access, as the channels use it
        memory = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        control = PlatformDependent.directBufferAddress(memory);
        counters = new ZeroCopyCounters();
        // The window starts right before the u32 wrap: ids 0xFFFFFFFE, 0xFFFFFFFF, 0, 1, 2.
        tracker = new CompletionTracker(0xFFFFFFFE);
        reader = new CompletionReader(tracker, counters, TYPE);
        for (int i = 0; i < 5; i++) {
            ByteBuf b = Unpooled.directBuffer(8).writeLong(i);
            bufs.add(b);
            tracker.pin(b.retain());
            tracker.commit(8);
        }
    }

    @AfterEach
    void tearDown() {
        for (ByteBuf b : bufs) {
            b.release();
        }
        List<ByteBuf> kept = new ArrayList<>();
        tracker.abandonAll(kept::add);
        kept.forEach(ByteBuf::release);
    }

    /**
     * The placeholder as the channel writes it, then the kernel's answer as series v2 writes it: {@code ranges}
     * (lo, hi, zerocopy triples) in place from offset 24, then their count at offset 20.
     */
    private void answer(int... ranges) {
        reader.writePlaceholder(control);
        int count = ranges.length / 3;
        for (int i = 0; i < count; i++) {
            long e = control + 24 + 12L * i;
            PlatformDependent.putInt(e, ranges[3 * i]);
            PlatformDependent.putInt(e + 4, ranges[3 * i + 1]);
            PlatformDependent.putByte(e + 8, (byte) ranges[3 * i + 2]);
        }
        PlatformDependent.putInt(control + 20, count);
    }

    private void assertPinned(int... indexes) {
        for (int i : indexes) {
            assertEquals(2, bufs.get(i).refCnt(), "buffer " + i + " must still be pinned");
        }
    }

    private void assertReleased(int... indexes) {
        for (int i : indexes) {
            assertEquals(1, bufs.get(i).refCnt(), "buffer " + i + " must be released by its completion");
        }
    }

    @Test
    void placeholderLayout() {
        for (int i = 0; i < 256; i++) {
            PlatformDependent.putByte(control + i, (byte) 0x5a); // what a previous answer left
        }
        assertEquals(CompletionReader.CONTROL_CAPACITY, reader.writePlaceholder(control));
        assertEquals(216, CompletionReader.CONTROL_CAPACITY, "CMSG_SPACE(8 + 16 * 12): the only cmsg");
        assertEquals(16 + 8 + 16 * 12, PlatformDependent.getLong(control), "cmsg_len");
        assertEquals(SOL_SOCKET, PlatformDependent.getInt(control + 8));
        assertEquals(TYPE, PlatformDependent.getInt(control + 12));
        assertEquals(16, PlatformDependent.getInt(control + 16), "capacity: room for 16 ranges");
        assertEquals(0, PlatformDependent.getInt(control + 20), "count must be 0 on every call");
    }

    @Test
    void countZeroAppliesNothing() {
        reader.writePlaceholder(control);
        // Stale elements of an earlier answer are not read: only count says what the kernel wrote.
        PlatformDependent.putInt(control + 24, 0xFFFFFFFE);
        PlatformDependent.putInt(control + 28, 2);
        assertEquals(0, reader.applyCopyBack(control));
        assertPinned(0, 1, 2, 3, 4);
        assertEquals(0, counters.badCopyBacks);
        assertEquals(0, counters.inbandRanges);
    }

    @Test
    void rangesThatWrapTheIdSpace() {
        // [0xFFFFFFFF, 1] has lo > hi: it covers 0xFFFFFFFF, 0 and 1 (buffers 1, 2, 3). zerocopy = 1: not copied.
        answer(0xFFFFFFFF, 1, 1);
        assertEquals(3, reader.applyCopyBack(control));
        assertEquals(0, reader.lastCopied());
        assertReleased(1, 2, 3);
        assertPinned(0, 4);
        // Out of order, and copied (zerocopy = 0): the last id, then the first.
        answer(2, 2, 0, 0xFFFFFFFE, 0xFFFFFFFE, 0);
        assertEquals(2, reader.applyCopyBack(control));
        assertEquals(2, reader.lastCopied());
        assertReleased(0, 1, 2, 3, 4);
        assertEquals(0, tracker.outstandingSends());
        assertEquals(2, tracker.copiedSends());
        assertEquals(3, counters.inbandRanges);
        assertEquals(5, counters.inbandSends);
        assertEquals(0, tracker.ignoredIds());
    }

    @Test
    void fullAnswerOfSixteenRanges() {
        int[] ranges = new int[16 * 3];
        for (int i = 0; i < 16; i++) { // buffer 0 sixteen times: one release, fifteen duplicates ignored
            ranges[3 * i] = 0xFFFFFFFE;
            ranges[3 * i + 1] = 0xFFFFFFFE;
            ranges[3 * i + 2] = 1;
        }
        answer(ranges);
        assertEquals(1, reader.applyCopyBack(control));
        assertReleased(0);
        assertEquals(16, counters.inbandRanges);
        assertEquals(15, tracker.ignoredIds());
    }

    /** Each answer the kernel cannot have written: reported with its reason, counted once, nothing applied. */
    private void assertBad(String reason) {
        long before = counters.badCopyBacks;
        assertEquals(CompletionReader.BAD_COPY_BACK, reader.applyCopyBack(control), reason);
        assertEquals(before + 1, counters.badCopyBacks);
        assertTrue(reader.problem().contains(reason), () -> "'" + reason + "' in: " + reader.problem());
        assertPinned(0, 1, 2, 3, 4);
        assertEquals(5, tracker.outstandingSends());
    }

    @Test
    void malformedAnswersAreReportedAndNothingIsApplied() {
        answer(0xFFFFFFFE, 2, 1);
        PlatformDependent.putInt(control + 20, 17);
        assertBad("count 17 above the capacity 16");
        PlatformDependent.putInt(control + 20, -1);
        assertBad("count 4294967295 above");
        answer(0xFFFFFFFE, 2, 1);
        PlatformDependent.putLong(control, 16 + 8 + 12);
        assertBad("rewrote the placeholder's header"); // v1 shrank cmsg_len
        answer(0xFFFFFFFE, 2, 1);
        PlatformDependent.putInt(control + 16, 1);
        assertBad("rewrote the placeholder's header"); // v1 rewrote size
        answer(0xFFFFFFFE, 2, 1);
        PlatformDependent.putInt(control + 12, TYPE + 1);
        assertBad("rewrote the placeholder's header");
        answer(0xFFFFFFFE, 2, 1);
        PlatformDependent.putInt(control + 8, 0); // SOL_IP
        assertBad("rewrote the placeholder's header");
        assertEquals(6, counters.badCopyBacks);
    }

    /** An error-queue entry as the native drain writes it: the first 16 bytes of struct sock_extended_err. */
    private void entry(int index, int errno, int origin, int type, int code, int info, int data) {
        long e = control + (long) index * Native.ERRQUEUE_ENTRY_SIZE;
        PlatformDependent.putInt(e, errno);
        PlatformDependent.putByte(e + 4, (byte) origin);
        PlatformDependent.putByte(e + 5, (byte) type);
        PlatformDependent.putByte(e + 6, (byte) code);
        PlatformDependent.putByte(e + 7, (byte) 0);
        PlatformDependent.putInt(e + 8, info);
        PlatformDependent.putInt(e + 12, data);
    }

    @Test
    void errorQueueEntries() {
        entry(0, 0, Native.SO_EE_ORIGIN_ZEROCOPY, 0, Native.SO_EE_CODE_ZEROCOPY_COPIED, 0xFFFFFFFF, 1); // wraps
        entry(1, 111, 2 /* SO_EE_ORIGIN_ICMP */, 3, 3, 0, 0);                                         // foreign
        entry(2, 0, 0, 0, 0, 0, 0);                                                                    // unreadable
        entry(3, 0, Native.SO_EE_ORIGIN_ZEROCOPY, 0, 0, 0xFFFFFFFE, 0xFFFFFFFE);
        assertEquals(4, reader.applyErrorQueueEntries(control, 4));
        assertEquals(3, reader.lastCopied());
        assertEquals(1, reader.lastUnreadableEntries());
        assertReleased(0, 1, 2, 3);
        assertPinned(4);
        assertEquals(2, counters.errqueueRanges);
        assertEquals(4, counters.errqueueSends);
        assertEquals(1, counters.foreignErrqueueEntries);
        assertEquals(1, counters.unreadableErrqueueEntries);
        // A duplicate and a range never sent complete nothing and are counted as ignored ids.
        entry(0, 0, Native.SO_EE_ORIGIN_ZEROCOPY, 0, 0, 0, 0);
        entry(1, 0, Native.SO_EE_ORIGIN_ZEROCOPY, 0, 0, 100, 101);
        assertEquals(0, reader.applyErrorQueueEntries(control, 2));
        assertEquals(3, tracker.ignoredIds());
    }

    @Test
    void drainReportsTheErrnoThatStoppedIt() {
        assertEquals(0, reader.drain(-1));
        assertEquals(9 /* EBADF */, reader.lastErrno());
        assertEquals(0, reader.lastEntries());
        assertEquals(1, counters.errqueueSyscalls);
    }
}
