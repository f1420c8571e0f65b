/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

/**
 * Process-wide zero-copy metrics: totals over every zero-copy channel of this JVM, open or closed (a closed
 * channel keeps counting while it collects its last completions), in the style of Netty's
 * {@code ByteBufAllocatorMetric}. Obtained from {@link ZeroCopy#metric()}; safe to read from any thread, at any
 * time. Each value is the sum of what the channels published after their last completed I/O operation, so
 * values read one after the other may be from slightly different moments. Per-channel figures are in
 * {@link ZeroCopyStats}, whose javadoc defines each count.
 */
public interface ZeroCopyMetric {
    /** Successful {@code sendmsg(MSG_ZEROCOPY)} calls ({@link ZeroCopyStats#zeroCopySends()}). */
    long zeroCopySends();

    /** Bytes accepted by those calls. */
    long zeroCopyBytes();

    /** Successful copy-path writes of {@code ByteBuf}s ({@link ZeroCopyStats#copySends()}). */
    long copySends();

    /** Bytes accepted by copy-path writes. */
    long copyBytes();

    /** Zero-copy sends whose completion arrived. */
    long completedSends();

    /** Completed sends the kernel reported as copied after all ({@code SO_EE_CODE_ZEROCOPY_COPIED}). */
    long copiedSends();

    /** Sends completed in-band ({@code SCM_ZC_NOTIFICATION} copy-backs). */
    long inbandCompletedSends();

    /** Sends completed through the socket error queue. */
    long errqueueCompletedSends();

    /** Every {@code ENOBUFS} a zero-copy {@code sendmsg} returned. */
    long enobufsErrors();

    /** Lingering closes that reset the connection (close timeout, or {@code SO_LINGER 0}). */
    long closeAborts();

    /** In-band copy-backs that could not be parsed (each closed its channel). */
    long badCopyBacks();

    /** Sends whose completion never came even after an abort: their buffers are kept forever. */
    long quarantinedSends();

    /** Bytes of those sends. */
    long quarantinedBytes();

    /** Bytes pinned right now by zero-copy sends not completed yet (quarantined ones excluded). */
    long pinnedBytes();

    /** The highest {@link #pinnedBytes()} seen when a channel published an increase. */
    long peakPinnedBytes();
}
