/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

/**
 * Immutable snapshot of one {@link ZeroCopyEpollSocketChannel}'s counters, taken by
 * {@link ZeroCopyHandler#stats()} / {@link ZeroCopyEpollSocketChannel#zeroCopyStats()}. All counts are
 * cumulative since the channel was created. Counters are written only by the channel's event loop; a snapshot
 * taken from another thread sees every update published by the event loop's last completed I/O operation.
 *
 * @param zeroCopySends      successful {@code sendmsg(MSG_ZEROCOPY)} calls, i.e. kernel send ids consumed
 * @param zeroCopyBytes      bytes accepted by those calls
 * @param copySends          successful copy-path writes of {@code ByteBuf}s ({@code writev}, or {@code sendmsg}
 *                           without MSG_ZEROCOPY in CMSG mode), including ENOBUFS fallbacks; file regions are
 *                           not counted
 * @param copyBytes          bytes accepted by copy-path writes of {@code ByteBuf}s
 * @param completedSends     zero-copy sends whose completion arrived (each send id counted once)
 * @param copiedSends        completed sends the kernel reported as {@code SO_EE_CODE_ZEROCOPY_COPIED}
 * @param inbandRanges       completion ranges received in-band ({@code SCM_ZC_NOTIFICATION})
 * @param inbandSends        sends completed by in-band ranges
 * @param errqueueRanges     completion ranges read from the error queue
 * @param errqueueSends      sends completed by error-queue ranges
 * @param sendmsgCalls       {@code sendmsg(MSG_ZEROCOPY)} syscalls, including those that returned EAGAIN/ENOBUFS
 * @param copyWriteCalls     copy-path write syscalls of {@code ByteBuf}s: {@code writev} (ERRQUEUE mode, ENOBUFS
 *                           fallbacks) or, in CMSG mode, {@code sendmsg} without MSG_ZEROCOPY carrying the
 *                           placeholder; including those that returned EAGAIN. Write syscalls =
 *                           {@code sendmsgCalls + copyWriteCalls}
 * @param errqueueSyscalls   {@code recvmsg(MSG_ERRQUEUE)} syscalls (including the final one that saw EAGAIN)
 * @param wakeups            epoll events dispatched to the channel (calls of the unsafe's {@code handle})
 * @param epollErrWakeups    of those, events with {@code EPOLLERR} set
 * @param outstandingSends   zero-copy sends not completed yet
 * @param outstandingBuffers buffer references pinned by outstanding sends
 * @param outstandingBytes   bytes of outstanding sends
 * @param enobufsFallbacks   batches sent by copy because {@code sendmsg} kept returning ENOBUFS (optmem limit)
 * @param ignoredIds         completion ids that matched no outstanding send (bogus or duplicate; the kernel
 *                           never produces them, so this should stay 0)
 * @param notificationMode   the effective mode ({@code CMSG} or {@code ERRQUEUE}; AUTO is resolved)
 */
public record ZeroCopyStats(
        long zeroCopySends,
        long zeroCopyBytes,
        long copySends,
        long copyBytes,
        long completedSends,
        long copiedSends,
        long inbandRanges,
        long inbandSends,
        long errqueueRanges,
        long errqueueSends,
        long sendmsgCalls,
        long copyWriteCalls,
        long errqueueSyscalls,
        long wakeups,
        long epollErrWakeups,
        int outstandingSends,
        int outstandingBuffers,
        long outstandingBytes,
        long enobufsFallbacks,
        long ignoredIds,
        ZeroCopyNotificationMode notificationMode) {

    /** Snapshot of a channel that is not a zero-copy channel, or not yet used: all zero. */
    public static final ZeroCopyStats EMPTY = new ZeroCopyStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, ZeroCopyNotificationMode.ERRQUEUE);
}
