/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.Errors;

import java.net.PortUnreachableException;
import java.util.function.BooleanSupplier;

/**
 * Tells a zero-copy channel's surroundings what its {@link ChannelCompletions} found, for the stream and the
 * datagram channel alike: the {@link ZeroCopyHandler} policy it holds (adaptive suspension), the writer (an ENOBUFS
 * suspension may end), and the pipeline ({@link ZeroCopyCompletionEvent}, fired between writes, never during one,
 * so that a handler reacting with write+flush is picked up by the write loop and never reuses the thread's
 * {@code IovArray} mid-write). A broken completion state closes the channel with the reason; an ICMP error the
 * drain dequeued is fired where the channel surfaces them (datagram).
 *
 * <p>Event-loop confined, except the policy reference, which the handler sets from its own callbacks.
 */
final class CompletionNotifier implements ChannelCompletions.Owner {
    private static final int ECONNREFUSED = 111;

    private final Channel channel;
    private final boolean surfaceIcmpErrors;
    private final ZeroCopyCompletionEvent event;
    private volatile ZeroCopyHandler policy;
    private Runnable writerHook;
    /** The writer's {@link PinnedBytesBound#isReached()}, mirrored in the channel's writability. */
    private BooleanSupplier pinnedBoundReached;
    /** {@link ZeroCopyEpollSocketChannel#PINNED_BYTES_WRITABILITY_INDEX} is cleared. */
    private boolean pinnedUnwritable;
    private boolean inWrite;
    private boolean eventPending;

    /**
     * @param surfaceIcmpErrors fire ICMP errors the drain dequeued (datagram); a stream channel learns of them from
     *                          the connection itself, so there they are only counted and logged
     */
    CompletionNotifier(Channel channel, boolean surfaceIcmpErrors) {
        this.channel = channel;
        this.surfaceIcmpErrors = surfaceIcmpErrors;
        this.event = new ZeroCopyCompletionEvent(channel);
    }

    /** What the writer does when completions freed memory (set once, after the writer exists). */
    void writerHook(Runnable hook) {
        writerHook = hook;
    }

    /** Where the writer's pinned-bytes pause is read (set once, after the writer exists). */
    void pinnedBound(BooleanSupplier reached) {
        pinnedBoundReached = reached;
    }

    /** The {@link ZeroCopyHandler} in the pipeline, or {@code null}. */
    ZeroCopyHandler policy() {
        return policy;
    }

    /**
     * The policy the writer applies: the handler in the pipeline if there is one (it decides), else
     * {@code thresholdPolicy}, the {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} option's ({@code null}: off).
     */
    ZeroCopyHandler policyOr(ZeroCopyHandler thresholdPolicy) {
        ZeroCopyHandler p = policy;
        return p != null ? p : thresholdPolicy;
    }

    void policy(ZeroCopyHandler handler) {
        policy = handler;
    }

    /** Replaces the policy only if it still is {@code expected} (a handler removing itself). */
    void policy(ZeroCopyHandler expected, ZeroCopyHandler handler) {
        if (policy == expected) {
            policy = handler;
        }
    }

    @Override
    public void completionsApplied(int completed, int copied) {
        ZeroCopyHandler p = policy;
        if (p != null) {
            p.onCompletions(completed, copied);
        }
        Runnable hook = writerHook;
        if (hook != null) {
            hook.run();
        }
        eventPending = true;
        if (!inWrite) {
            fireEventIfPending();
        }
    }

    @Override
    public void fail(Throwable cause) {
        channel.pipeline().fireExceptionCaught(cause);
        channel.unsafe().close(channel.unsafe().voidPromise());
    }

    @Override
    public void icmpError(int errno, int entries) {
        if (!surfaceIcmpErrors) {
            return;
        }
        Errors.NativeIoException e = new Errors.NativeIoException("recvmsg(MSG_ERRQUEUE): ICMP error"
                + (entries > 1 ? " (last of " + entries + ")" : ""), -errno);
        if (errno == ECONNREFUSED) {
            // As Netty and NIO report a refused datagram.
            PortUnreachableException unreachable = new PortUnreachableException(e.getMessage());
            unreachable.initCause(e);
            channel.pipeline().fireExceptionCaught(unreachable);
        } else {
            channel.pipeline().fireExceptionCaught(e);
        }
    }

    /** A write loop starts: the event waits until it ends (or until {@link #fireEventIfPending()} between writes). */
    void beginWrite() {
        inWrite = true;
    }

    /** The write loop ended. */
    void endWrite() {
        inWrite = false;
        fireEventIfPending();
    }

    /**
     * Fires the completion event if completions came since the last one (between syscalls only). Also where the
     * writability follows the pinned-bytes bound: between writes, never during one.
     */
    void fireEventIfPending() {
        updatePinnedWritability();
        if (eventPending) {
            eventPending = false;
            if (channel.isRegistered()) {
                channel.pipeline().fireUserEventTriggered(event);
            }
        }
    }

    private void updatePinnedWritability() {
        BooleanSupplier bound = pinnedBoundReached;
        boolean reached = bound != null && bound.getAsBoolean();
        if (reached != pinnedUnwritable) {
            ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
            if (out != null) { // null once closed: nothing to tell
                pinnedUnwritable = reached;
                out.setUserDefinedWritability(ZeroCopyEpollSocketChannel.PINNED_BYTES_WRITABILITY_INDEX, !reached);
            }
        }
    }
}
