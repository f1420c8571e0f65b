/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

/**
 * Immutable snapshot of one {@link ZeroCopyEpollSocketChannel}'s or {@link ZeroCopyEpollDatagramChannel}'s
 * counters, taken by {@link ZeroCopyHandler#stats()} / {@code zeroCopyStats()} of the channel. All counts are
 * cumulative since the channel was created and keep counting after close, while the channel collects the
 * completions of its last sends. A snapshot taken from any thread sees every update the owning thread published
 * after its last completed I/O operation.
 *
 * @param zeroCopySends             successful {@code sendmsg(MSG_ZEROCOPY)} calls, i.e. kernel send ids consumed
 * @param zeroCopyBytes             bytes accepted by those calls
 * @param copySends                 successful copy-path writes of {@code ByteBuf}s ({@code send} or
 *                                  {@code writev}, or {@code sendmsg} without MSG_ZEROCOPY carrying the in-band
 *                                  placeholder),
 *                                  including the batches the ENOBUFS back-off sent by copy; file regions are
 *                                  not counted
 * @param copyBytes                 bytes accepted by copy-path writes of {@code ByteBuf}s
 * @param completedSends            zero-copy sends whose completion arrived (each send id counted once)
 * @param copiedSends               completed sends the kernel reported as {@code SO_EE_CODE_ZEROCOPY_COPIED}
 * @param inbandRanges              completion ranges received in-band ({@code SCM_ZC_NOTIFICATION})
 * @param inbandSends               sends completed by in-band ranges
 * @param errqueueRanges            completion ranges read from the error queue
 * @param errqueueSends             sends completed by error-queue ranges
 * @param sendmsgCalls              {@code sendmsg(MSG_ZEROCOPY)} syscalls, including those that returned
 *                                  EAGAIN/ENOBUFS
 * @param copyWriteCalls            copy-path write syscalls of {@code ByteBuf}s: {@code send} (one buffer) or
 *                                  {@code writev} (several), as {@code EpollSocketChannel} makes them, or, while
 *                                  zero-copy sends are outstanding in CMSG mode, {@code sendmsg} without
 *                                  MSG_ZEROCOPY carrying the placeholder; including those that returned EAGAIN.
 *                                  Write syscalls = {@code sendmsgCalls + copyWriteCalls}
 * @param placeholderSends          {@code sendmsg} calls (zero-copy or copy) that carried the in-band
 *                                  placeholder: only in CMSG mode, and for copy writes only while zero-copy sends
 *                                  are outstanding (otherwise the kernel could return nothing in it)
 * @param errqueueSyscalls          {@code recvmsg(MSG_ERRQUEUE)} syscalls (including the final one that saw EAGAIN)
 * @param wakeups                   epoll events dispatched to the channel (calls of the unsafe's {@code handle})
 * @param epollErrWakeups           of those, events with {@code EPOLLERR} set
 * @param spuriousEpollErrs         {@code EPOLLERR} events consumed with nothing to collect and no socket error
 *                                  pending (the queue was emptied by a copy-back after {@code epoll_wait}
 *                                  reported it); they cost no read
 * @param outstandingSends          zero-copy sends not completed yet
 * @param outstandingBuffers        buffer references pinned by outstanding sends
 * @param outstandingBytes          bytes of outstanding sends (pinned now)
 * @param peakOutstandingBytes      the highest {@code outstandingBytes} so far (right after a zero-copy send); with
 *                                  {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} set it never exceeds
 *                                  the bound
 * @param enobufsErrors             every {@code ENOBUFS} a {@code sendmsg} returned (locked-memory limit or
 *                                  {@code net.core.optmem_max})
 * @param enobufsSuspensions        how often an ENOBUFS suspended zero-copy on the connection
 * @param ignoredIds                completion ids that matched no outstanding send (bogus or duplicate; the kernel
 *                                  never produces them, so this should stay 0)
 * @param badCopyBacks              {@code SCM_ZC_NOTIFICATION} copy-backs that could not be parsed; the kernel had
 *                                  dequeued their notifications, so the channel closed with an error
 * @param unreadableErrqueueEntries error-queue entries dequeued without a readable {@code sock_extended_err};
 *                                  treated like a bad copy-back
 * @param foreignErrqueueEntries    error-queue entries that were not zero-copy notifications (logged, dropped)
 * @param closeAborts               lingering closes that reset the connection (timeout or {@code SO_LINGER 0})
 * @param quarantinedSends          sends whose completion never came even after the abort: their buffers are
 *                                  never released (memory the kernel may still read is never handed back)
 * @param quarantinedBytes          bytes of those sends
 * @param notificationMode          the effective mode ({@code CMSG} or {@code ERRQUEUE}; AUTO is resolved)
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
        long placeholderSends,
        long errqueueSyscalls,
        long wakeups,
        long epollErrWakeups,
        long spuriousEpollErrs,
        int outstandingSends,
        int outstandingBuffers,
        long outstandingBytes,
        long peakOutstandingBytes,
        long enobufsErrors,
        long enobufsSuspensions,
        long ignoredIds,
        long badCopyBacks,
        long unreadableErrqueueEntries,
        long foreignErrqueueEntries,
        long closeAborts,
        long quarantinedSends,
        long quarantinedBytes,
        ZeroCopyNotificationMode notificationMode) {

    /** Snapshot of a channel that is not a zero-copy channel, or not yet used: all zero. */
    public static final ZeroCopyStats EMPTY = new ZeroCopyCounters().snapshot(new CompletionTracker(),
            ZeroCopyNotificationMode.ERRQUEUE);
}
