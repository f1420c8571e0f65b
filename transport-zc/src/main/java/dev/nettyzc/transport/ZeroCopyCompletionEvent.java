/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;

/**
 * Pipeline user event ({@code userEventTriggered}) fired by a {@link ZeroCopyEpollSocketChannel} after
 * completion notifications released pinned memory: the buffers of the sends counted by
 * {@link #completedSends()} have been released (their reference taken for the send was dropped), so memory the
 * application handed to {@code write} may be reused/overwritten once the application's own references are gone.
 *
 * <p><b>This is the project's "memory is free again" mechanism.</b> The write promise completes earlier, as soon
 * as the kernel accepted the bytes (as with Netty io_uring's {@code SEND_ZC}); this event says the kernel is done
 * reading them.
 *
 * <p><b>Reused instance:</b> to avoid an allocation per completion, each channel owns exactly one instance and
 * updates it before each firing. Read it inside {@code userEventTriggered} on the event loop; do not keep it or
 * read it from another thread. The event is fired at most once per batch of completions (one error-queue
 * drain; during a flush, between two writes, for everything that came back in-band since the last firing), not
 * once per send. {@link #isInband()} describes the last range of the batch.
 */
public final class ZeroCopyCompletionEvent {
    private final Channel channel;
    private int completedSends;
    private int copiedSends;
    private long totalCompletedSends;
    private int outstandingSends;
    private long outstandingBytes;
    private boolean inband;

    ZeroCopyCompletionEvent(Channel channel) {
        this.channel = channel;
    }

    void update(int completedSends, int copiedSends, long totalCompletedSends, int outstandingSends,
                long outstandingBytes, boolean inband) {
        this.completedSends = completedSends;
        this.copiedSends = copiedSends;
        this.totalCompletedSends = totalCompletedSends;
        this.outstandingSends = outstandingSends;
        this.outstandingBytes = outstandingBytes;
        this.inband = inband;
    }

    /** The channel whose sends completed. */
    public Channel channel() {
        return channel;
    }

    /** Sends completed (and their buffers released) in this batch. */
    public int completedSends() {
        return completedSends;
    }

    /** Of {@link #completedSends()}, how many the kernel reported as copied (SO_EE_CODE_ZEROCOPY_COPIED). */
    public int copiedSends() {
        return copiedSends;
    }

    /** Sends completed on this channel so far, including this batch. */
    public long totalCompletedSends() {
        return totalCompletedSends;
    }

    /** Zero-copy sends still waiting for their completion after this batch. */
    public int outstandingSends() {
        return outstandingSends;
    }

    /** Bytes still pinned after this batch. */
    public long outstandingBytes() {
        return outstandingBytes;
    }

    /** {@code true} if the batch came back in-band from {@code sendmsg}, {@code false} if from the error queue. */
    public boolean isInband() {
        return inband;
    }

    @Override
    public String toString() {
        return "ZeroCopyCompletionEvent(completed: " + completedSends + ", copied: " + copiedSends
                + ", outstanding: " + outstandingSends + "/" + outstandingBytes + "B, "
                + (inband ? "in-band" : "errqueue") + ')';
    }
}
