/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Reads MSG_ZEROCOPY completion notifications from both places the kernel delivers them, and applies them to a
 * {@link CompletionTracker}: the {@code SCM_ZC_NOTIFICATION} copy-back of a {@code sendmsg} (in-band), and the
 * socket error queue. It is the only class that knows the in-band layout (DESIGN-NOTES section 2) and the
 * error-queue entry format of the JNI drain, so a new kernel ABI is a change here.
 *
 * <p>It parses raw memory: the control buffer in {@link ThreadScratch} (or any address, which is how its unit
 * test feeds it bytes), and the entries the native drain wrote. Nothing is allocated unless something is wrong.
 *
 * <p>Never loses a notification it was handed: every range of a well-formed copy-back and every dequeued
 * error-queue entry is applied before anything else happens. What cannot be parsed is reported
 * ({@link #BAD_COPY_BACK}, {@link #lastUnreadableEntries()}) and counted, because the kernel has dequeued it and
 * the sends it covered can then never complete; the channel closes with {@link #problem()} as the reason.
 *
 * <p>Not thread-safe: used by the thread that owns the tracker.
 */
final class CompletionReader {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(CompletionReader.class);

    // ---- in-band ABI: struct zc_info { __u32 size; struct zc_info_elem { __u32 lo, hi; __u8 zerocopy; } arr[]; }
    static final int ZC_NOTIFICATION_MAX = 16;
    private static final int SOL_SOCKET = 1;
    /** sizeof(struct cmsghdr) on LP64: cmsg_len (size_t), cmsg_level (int), cmsg_type (int). */
    private static final int CMSG_HDR = 16;
    private static final int ZC_INFO_HDR = 4;
    /** sizeof(struct zc_info_elem): not packed, 3 bytes of tail padding. */
    private static final int ZC_ELEM = 12;
    private static final int PLACEHOLDER_CMSG_LEN = CMSG_HDR + ZC_INFO_HDR + ZC_NOTIFICATION_MAX * ZC_ELEM; // 212
    private static final int PLACEHOLDER_SPACE = align8(PLACEHOLDER_CMSG_LEN);                            // 216
    /**
     * msg_controllen passed to sendmsg: 8 bytes more than the placeholder needs (too short for another cmsghdr,
     * so the kernel ignores them). The kernel sets msg_controllen to the length it wrote back, at most
     * {@code PLACEHOLDER_SPACE}; so an unchanged value means "not copied back" even for a full copy-back.
     */
    static final int CONTROL_CAPACITY = PLACEHOLDER_SPACE + 8;

    // ---- error-queue entries (first 16 bytes of struct sock_extended_err, see Native#drainErrorQueue)
    private static final int EE_ERRNO = 0;
    private static final int EE_ORIGIN = 4;
    private static final int EE_TYPE = 5;
    private static final int EE_CODE = 6;
    private static final int EE_INFO = 8;
    private static final int EE_DATA = 12;
    private static final int SO_EE_ORIGIN_NONE = 0;

    /** {@link #applyCopyBack} result: the copy-back could not be parsed; see {@link #problem()}. */
    static final int BAD_COPY_BACK = -1;

    private final CompletionTracker tracker;
    private final ZeroCopyCounters counters;
    private int cmsgType;
    private int lastCopied;
    private int lastEntries;
    private int lastUnreadable;
    private int lastErrno;
    private String problem;

    /** A reader whose in-band cmsg type is the one the kernel probe accepted (resolved on first use). */
    CompletionReader(CompletionTracker tracker, ZeroCopyCounters counters) {
        this(tracker, counters, -1);
    }

    /** A reader for in-band cmsg type {@code cmsgType} (tests). */
    CompletionReader(CompletionTracker tracker, ZeroCopyCounters counters, int cmsgType) {
        this.tracker = tracker;
        this.counters = counters;
        this.cmsgType = cmsgType;
    }

    private int cmsgType() {
        int type = cmsgType;
        if (type < 0) {
            type = cmsgType = ZeroCopy.inbandNotificationCmsgType();
        }
        return type;
    }

    // ==========================================================================================================
    // In-band
    // ==========================================================================================================

    /**
     * Writes an empty {@code SCM_ZC_NOTIFICATION} placeholder with room for {@value #ZC_NOTIFICATION_MAX} ranges
     * at {@code control}; the kernel rewrites it, so it is written before every call.
     *
     * @return the {@code msg_controllen} to pass with it ({@link #CONTROL_CAPACITY})
     */
    int writePlaceholder(long control) {
        return writePlaceholder(control, cmsgType());
    }

    /**
     * {@link #writePlaceholder(long)} for cmsg type {@code cmsgType}; also what the in-band probe sends
     * ({@link ZeroCopy}), so the layout lives in this class only. Needs {@link #CONTROL_CAPACITY} bytes.
     */
    static int writePlaceholder(long control, int cmsgType) {
        PlatformDependent.putLong(control, PLACEHOLDER_CMSG_LEN);
        PlatformDependent.putInt(control + 8, SOL_SOCKET);
        PlatformDependent.putInt(control + 12, cmsgType);
        PlatformDependent.putInt(control + CMSG_HDR, ZC_NOTIFICATION_MAX);
        return CONTROL_CAPACITY;
    }

    /**
     * Applies what a successful {@code sendmsg} (return value &gt;= 0) copied back into {@code control}.
     *
     * @param controlLen the {@code msg_controllen} the kernel left in the msghdr: {@link #CONTROL_CAPACITY}
     *                   (unchanged: nothing copied back, the notifications stay queued), 0 (the kernel could not
     *                   write the copy-back and left the notifications queued), or the length it wrote
     * @return sends newly completed (their buffers are released), or {@link #BAD_COPY_BACK}
     */
    int applyCopyBack(long control, long controlLen) {
        lastCopied = 0;
        if (controlLen == CONTROL_CAPACITY || controlLen == 0) {
            return 0;
        }
        if (controlLen < CMSG_HDR || controlLen > CONTROL_CAPACITY) {
            return badCopyBack("msg_controllen " + controlLen + " outside [" + CMSG_HDR + ", " + CONTROL_CAPACITY
                    + ")", control, controlLen);
        }
        // Pass 1: validate every cmsg and find ours; nothing is applied from a copy-back that does not parse.
        long zcInfo = -1;
        int size = 0;
        long off = 0;
        while (off < controlLen) {
            if (controlLen - off < CMSG_HDR) {
                return badCopyBack(controlLen - off + " trailing bytes after the last cmsg", control, controlLen);
            }
            long cmsgLen = PlatformDependent.getLong(control + off);
            int level = PlatformDependent.getInt(control + off + 8);
            int type = PlatformDependent.getInt(control + off + 12);
            if (cmsgLen < CMSG_HDR || cmsgLen > controlLen - off) {
                return badCopyBack("cmsg_len " + cmsgLen + " at offset " + off, control, controlLen);
            }
            if (level == SOL_SOCKET && type == cmsgType()) {
                if (zcInfo >= 0) {
                    return badCopyBack("two SCM_ZC_NOTIFICATION cmsgs", control, controlLen);
                }
                if (cmsgLen < CMSG_HDR + ZC_INFO_HDR) {
                    return badCopyBack("cmsg_len " + cmsgLen + " shorter than struct zc_info", control, controlLen);
                }
                size = PlatformDependent.getInt(control + off + CMSG_HDR);
                if (size < 0 || size > ZC_NOTIFICATION_MAX) {
                    return badCopyBack("size " + Integer.toUnsignedString(size) + " above the placeholder's "
                            + ZC_NOTIFICATION_MAX, control, controlLen);
                }
                if (cmsgLen != CMSG_HDR + ZC_INFO_HDR + (long) size * ZC_ELEM) {
                    return badCopyBack("cmsg_len " + cmsgLen + " does not match size " + size, control, controlLen);
                }
                zcInfo = control + off + CMSG_HDR;
            }
            off += align8(cmsgLen);
        }
        if (zcInfo < 0) {
            return badCopyBack("no SCM_ZC_NOTIFICATION cmsg", control, controlLen);
        }
        // Pass 2: apply.
        int completed = 0;
        int copied = 0;
        long elem = zcInfo + ZC_INFO_HDR;
        for (int i = 0; i < size; i++, elem += ZC_ELEM) {
            boolean wasCopied = PlatformDependent.getByte(elem + 8) == 0;
            int done = tracker.complete(PlatformDependent.getInt(elem), PlatformDependent.getInt(elem + 4), wasCopied);
            completed += done;
            if (wasCopied) {
                copied += done;
            }
        }
        counters.inbandRanges += size;
        counters.inbandSends += completed;
        lastCopied = copied;
        return completed;
    }

    private int badCopyBack(String why, long control, long controlLen) {
        counters.badCopyBacks++;
        StringBuilder hex = new StringBuilder();
        for (long i = 0; i < Math.min(Math.max(controlLen, 0), 32); i++) {
            hex.append(String.format("%02x", PlatformDependent.getByte(control + i)));
        }
        problem = "SCM_ZC_NOTIFICATION copy-back cannot be parsed (" + why + "; msg_controllen " + controlLen
                + ", first bytes " + hex + "): the kernel dequeued completion notifications that are now lost, "
                + "so the sends they covered can never complete";
        return BAD_COPY_BACK;
    }

    // ==========================================================================================================
    // Error queue
    // ==========================================================================================================

    /**
     * Drains the error queue of {@code fd} completely and applies every entry. Afterwards
     * {@link #lastEntries()}, {@link #lastUnreadableEntries()} and {@link #lastErrno()} describe the drain.
     *
     * @return sends newly completed
     */
    int drain(int fd) {
        ThreadScratch scratch = ThreadScratch.get();
        long entries = scratch.entries();
        long status = scratch.status();
        int completed = 0;
        int copied = 0;
        int dequeued = 0;
        int unreadable = 0;
        int errno;
        for (;;) {
            int n = Native.drainErrorQueue(fd, entries, ThreadScratch.MAX_ENTRIES, status);
            errno = PlatformDependent.getInt(status);
            counters.errqueueSyscalls += n + (n < ThreadScratch.MAX_ENTRIES ? 1 : 0);
            completed += applyErrorQueueEntries(entries, n);
            copied += lastCopied;
            unreadable += lastUnreadable;
            dequeued += n;
            if (errno != 0 || n < ThreadScratch.MAX_ENTRIES) {
                break;
            }
        }
        lastCopied = copied;
        lastEntries = dequeued;
        lastUnreadable = unreadable;
        lastErrno = errno;
        if (unreadable != 0) {
            problem = unreadable + " error-queue entr" + (unreadable == 1 ? "y" : "ies")
                    + " dequeued without a readable sock_extended_err: completion notifications may be lost, "
                    + "so the sends they covered may never complete";
        }
        return completed;
    }

    /**
     * Applies {@code n} entries at {@code entries} in the native drain's format. Zero-copy ranges complete sends;
     * entries of other origins are counted and logged; entries the drain could not read are counted in
     * {@link #lastUnreadableEntries()}.
     *
     * @return sends newly completed
     */
    int applyErrorQueueEntries(long entries, int n) {
        int completed = 0;
        int copied = 0;
        int ranges = 0;
        int unreadable = 0;
        long e = entries;
        for (int i = 0; i < n; i++, e += Native.ERRQUEUE_ENTRY_SIZE) {
            int origin = PlatformDependent.getByte(e + EE_ORIGIN) & 0xff;
            int code = PlatformDependent.getByte(e + EE_CODE) & 0xff;
            if (origin == Native.SO_EE_ORIGIN_ZEROCOPY) {
                boolean wasCopied = code == Native.SO_EE_CODE_ZEROCOPY_COPIED;
                int done = tracker.complete(PlatformDependent.getInt(e + EE_INFO), PlatformDependent.getInt(e + EE_DATA),
                        wasCopied);
                completed += done;
                if (wasCopied) {
                    copied += done;
                }
                ranges++;
            } else if (origin == SO_EE_ORIGIN_NONE && PlatformDependent.getInt(e + EE_ERRNO) == 0) {
                unreadable++;
            } else {
                counters.foreignErrqueueEntries++;
                if (logger.isDebugEnabled()) {
                    logger.debug("error queue entry that is not a zero-copy notification: errno {}, origin {}, "
                            + "type {}, code {}, info {}, data {}", PlatformDependent.getInt(e + EE_ERRNO), origin,
                            PlatformDependent.getByte(e + EE_TYPE) & 0xff, code, PlatformDependent.getInt(e + EE_INFO),
                            PlatformDependent.getInt(e + EE_DATA));
                }
            }
        }
        counters.errqueueRanges += ranges;
        counters.errqueueSends += completed;
        counters.unreadableErrqueueEntries += unreadable;
        lastCopied = copied;
        lastUnreadable = unreadable;
        return completed;
    }

    // ==========================================================================================================

    /** Of the sends the last apply or drain completed, how many the kernel reported as copied. */
    int lastCopied() {
        return lastCopied;
    }

    /** Entries the last {@link #drain} dequeued (zero-copy or not). */
    int lastEntries() {
        return lastEntries;
    }

    /** Entries the last drain or apply could not read (their notifications are lost). */
    int lastUnreadableEntries() {
        return lastUnreadable;
    }

    /** The errno that stopped the last {@link #drain} (0: it ran until the queue was empty). */
    int lastErrno() {
        return lastErrno;
    }

    /** Why the last bad copy-back or unreadable entry could not be used. */
    String problem() {
        return problem;
    }

    private static int align8(long n) {
        return (int) ((n + 7) & ~7L);
    }
}
