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
 * socket error queue. It is the only class that knows the in-band layout (the kernel series v2, kernel/patches) and the
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

    // ---- in-band ABI of the kernel series v2 (<linux/errqueue.h>):
    //   struct zc_info { __u32 capacity; __u32 count; struct zc_info_elem arr[]; };
    //   struct zc_info_elem { __u32 lo; __u32 hi; __u8 zerocopy; __u8 reserved[3]; };  (12 bytes everywhere)
    static final int ZC_NOTIFICATION_MAX = 16;
    private static final int SOL_SOCKET = 1;
    /** sizeof(struct cmsghdr) on LP64: cmsg_len (size_t), cmsg_level (int), cmsg_type (int). */
    private static final int CMSG_HDR = 16;
    private static final int ZC_INFO_CAPACITY = CMSG_HDR;
    private static final int ZC_INFO_COUNT = CMSG_HDR + 4;
    private static final int ZC_INFO_ARR = CMSG_HDR + 8;
    private static final int ZC_ELEM = 12;
    private static final int PLACEHOLDER_CMSG_LEN = ZC_INFO_ARR + ZC_NOTIFICATION_MAX * ZC_ELEM; // 216
    /** msg_controllen passed to sendmsg: CMSG_SPACE of the placeholder, the only cmsg. */
    static final int CONTROL_CAPACITY = align8(PLACEHOLDER_CMSG_LEN);                         // 216

    // ---- error-queue entries (first 16 bytes of struct sock_extended_err, see Native#drainErrorQueue)
    private static final int EE_ERRNO = 0;
    private static final int EE_ORIGIN = 4;
    private static final int EE_TYPE = 5;
    private static final int EE_CODE = 6;
    private static final int EE_INFO = 8;
    private static final int EE_DATA = 12;
    private static final int SO_EE_ORIGIN_NONE = 0;
    static final int SO_EE_ORIGIN_ICMP = 2;
    static final int SO_EE_ORIGIN_ICMP6 = 3;

    /** {@link #applyCopyBack} result: the copy-back could not be parsed; see {@link #problem()}. */
    static final int BAD_COPY_BACK = -1;

    private final CompletionTracker tracker;
    private final ZeroCopyCounters counters;
    private int cmsgType;
    private int lastCopied;
    private int lastEntries;
    private int lastUnreadable;
    private int lastErrno;
    private int lastIcmpEntries;
    private int lastIcmpErrno;
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
     * at {@code control}. Always the kernel's maximum: the kernel copies in only a lone placeholder's header, so
     * its capacity costs nothing per {@code sendmsg} (kernel/README, "16 slots versus 1 slot"), and a smaller one
     * that comes back full leaves completions for the error queue. The kernel writes only the elements and
     * {@code count}, but {@code count} must be 0 on
     * every call and the memory is shared by the thread's channels, so all of it is written before each call.
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
        PlatformDependent.putInt(control + ZC_INFO_CAPACITY, ZC_NOTIFICATION_MAX);
        PlatformDependent.putInt(control + ZC_INFO_COUNT, 0); // any other value is EINVAL
        return CONTROL_CAPACITY;
    }

    /**
     * Applies what a successful {@code sendmsg} (return value &gt;= 0) wrote into the placeholder at
     * {@code control}: {@code count} ranges, written in place before {@code count} itself, so a {@code count}
     * of 0 means nothing was taken from the error queue (nothing to take, or the kernel could not write the
     * answer and left the notifications queued). The kernel writes nothing else, so a header that changed, or
     * a {@code count} above the capacity, means a kernel that does not follow the ABI: nothing is applied and
     * the notifications it may have dequeued are reported lost.
     *
     * @return sends newly completed (their buffers are released), or {@link #BAD_COPY_BACK}
     */
    int applyCopyBack(long control) {
        lastCopied = 0;
        int count = PlatformDependent.getInt(control + ZC_INFO_COUNT);
        if (count == 0) {
            return 0;
        }
        if (count < 0 || count > ZC_NOTIFICATION_MAX) {
            return badCopyBack("count " + Integer.toUnsignedString(count) + " above the capacity "
                    + ZC_NOTIFICATION_MAX, control);
        }
        if (PlatformDependent.getLong(control) != PLACEHOLDER_CMSG_LEN
                || PlatformDependent.getInt(control + 8) != SOL_SOCKET
                || PlatformDependent.getInt(control + 12) != cmsgType()
                || PlatformDependent.getInt(control + ZC_INFO_CAPACITY) != ZC_NOTIFICATION_MAX) {
            return badCopyBack("the kernel rewrote the placeholder's header", control);
        }
        int completed = 0;
        int copied = 0;
        long elem = control + ZC_INFO_ARR;
        for (int i = 0; i < count; i++, elem += ZC_ELEM) {
            boolean wasCopied = PlatformDependent.getByte(elem + 8) == 0;
            int done = tracker.complete(PlatformDependent.getInt(elem), PlatformDependent.getInt(elem + 4), wasCopied);
            completed += done;
            if (wasCopied) {
                copied += done;
            }
        }
        counters.inbandRanges += count;
        counters.inbandSends += completed;
        lastCopied = copied;
        return completed;
    }

    private int badCopyBack(String why, long control) {
        counters.badCopyBacks++;
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < ZC_INFO_ARR; i++) {
            hex.append(String.format("%02x", PlatformDependent.getByte(control + i)));
        }
        problem = "SCM_ZC_NOTIFICATION answer cannot be parsed (" + why + "; first bytes " + hex
                + "): the kernel dequeued completion notifications that are now lost, "
                + "so the sends they covered can never complete";
        return BAD_COPY_BACK;
    }

    // ==========================================================================================================
    // Error queue
    // ==========================================================================================================

    /**
     * Drains the error queue of {@code fd} and applies every entry, until it is empty or, once at least one entry
     * was read, no tracked send is outstanding any more. Afterwards {@link #lastEntries()},
     * {@link #lastUnreadableEntries()} and {@link #lastErrno()} describe the drain.
     *
     * <p>Why it may stop before the queue is empty: most drains find one entry (the kernel merges consecutive
     * completions into one range) that completes everything outstanding, as after the last send of a response.
     * Reading on to the EAGAIN that proves the queue empty would double the syscalls of such a drain. Whatever
     * else is queued (a late duplicate, an entry of another origin) keeps {@code POLLERR} up, so the
     * level-triggered event loop reports it again and the next drain reads it: nothing is left behind.
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
        int icmpEntries = 0;
        int icmpErrno = 0;
        int errno;
        // The first call reads one entry: if it completes everything outstanding, the drain ends there.
        int max = tracker.outstandingSends() > 0 ? 1 : ThreadScratch.MAX_ENTRIES;
        for (;;) {
            int n = Native.drainErrorQueue(fd, entries, max, status);
            errno = PlatformDependent.getInt(status);
            counters.errqueueSyscalls += n + (n < max ? 1 : 0);
            completed += applyErrorQueueEntries(entries, n);
            copied += lastCopied;
            unreadable += lastUnreadable;
            dequeued += n;
            if (lastIcmpEntries > 0) {
                icmpEntries += lastIcmpEntries;
                icmpErrno = lastIcmpErrno;
            }
            if (errno != 0 || n < max || tracker.outstandingSends() == 0) {
                break;
            }
            max = ThreadScratch.MAX_ENTRIES;
        }
        lastCopied = copied;
        lastEntries = dequeued;
        lastUnreadable = unreadable;
        lastErrno = errno;
        lastIcmpEntries = icmpEntries;
        lastIcmpErrno = icmpErrno;
        if (unreadable != 0) {
            problem = unreadable + " error-queue entr" + (unreadable == 1 ? "y" : "ies")
                    + " dequeued without a readable sock_extended_err: completion notifications may be lost, "
                    + "so the sends they covered may never complete";
        }
        return completed;
    }

    /**
     * Applies {@code n} entries at {@code entries} in the native drain's format. Zero-copy ranges complete sends;
     * ICMP errors ({@code IP_RECVERR}) are counted in {@link #lastIcmpEntries()} for the channel to surface
     * (dequeuing them cleared the socket error they set); entries of other origins are counted and logged; entries
     * the drain could not read are counted in {@link #lastUnreadableEntries()}.
     *
     * @return sends newly completed
     */
    int applyErrorQueueEntries(long entries, int n) {
        int completed = 0;
        int copied = 0;
        int ranges = 0;
        int unreadable = 0;
        int icmp = 0;
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
            } else if ((origin == SO_EE_ORIGIN_ICMP || origin == SO_EE_ORIGIN_ICMP6)
                    && PlatformDependent.getInt(e + EE_ERRNO) != 0) {
                counters.foreignErrqueueEntries++;
                icmp++;
                lastIcmpErrno = PlatformDependent.getInt(e + EE_ERRNO);
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
        lastIcmpEntries = icmp;
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

    /** ICMP error entries ({@code SO_EE_ORIGIN_ICMP/ICMP6}) the last drain or apply dequeued. */
    int lastIcmpEntries() {
        return lastIcmpEntries;
    }

    /** The {@code ee_errno} of the last ICMP error entry dequeued (valid if {@link #lastIcmpEntries()} &gt; 0). */
    int lastIcmpErrno() {
        return lastIcmpErrno;
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
