/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * A custom zero-copy policy for one {@link ZeroCopyEpollSocketChannel} or {@link ZeroCopyEpollDatagramChannel},
 * and its statistics. Not needed for plain zero-copy: {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} turns it on
 * without any handler.
 *
 * <p><b>Which one decides.</b> With this handler in the pipeline, the handler is the channel's policy: each
 * flushed {@link ByteBuf} is offered to {@link #isZeroCopyCandidate} when the channel writes, and the
 * {@code ZEROCOPY_THRESHOLD} option only supplies the threshold of a handler built without one. A buffer goes
 * out with {@code MSG_ZEROCOPY} by default if
 * <ul>
 *   <li>it is direct memory ({@code isDirect()}; a {@code CompositeByteBuf} only if all components are direct).
 *       Heap buffers take the normal path: Netty copies them into a private direct buffer, which is sent by copy;
 *   <li>its readable bytes are at least {@link #threshold()}: the one given to the constructor or the builder,
 *       else the channel's {@code ZEROCOPY_THRESHOLD} if that is set ({@code >= 0}), else
 *       {@value #DEFAULT_THRESHOLD} bytes (like gRPC's; MSG_ZEROCOPY pays off from about 10 KB);
 *   <li>the adaptive policy has not suspended zero-copy on this connection.
 * </ul>
 * A write marked with {@link ZeroCopyWrite#byCopy} or {@link ZeroCopyWrite#zeroCopy} is not offered to the
 * handler: the mark decides. Consecutive candidates go out together in one {@code sendmsg}. Writes pass through
 * this handler unchanged; the decision is made in the channel's {@code doWrite} without any allocation: in
 * {@code handlerAdded} the handler registers itself as the channel's policy.
 *
 * <p><b>Adaptive policy</b> (off by default): with {@link Builder#adaptive(int, int)} the handler stops asking
 * for zero-copy after {@code copiedLimit} consecutive sends completed as {@code SO_EE_CODE_ZEROCOPY_COPIED} (the
 * kernel copied anyway, so pinning and notifications are pure cost), then retries after {@code retryAfter}
 * buffers were sent by copy. It is off by default because on loopback the kernel reports every completion as
 * COPIED (deferred copy) unless the patched kernel's benchmark switch is on, and tests and benchmarks there must
 * still exercise zero-copy.
 *
 * <p><b>Not sharable</b>: one instance per channel, since it holds that channel's adaptive state and
 * {@link #stats()} reports that channel. Add a new instance in each {@code ChannelInitializer}.
 */
public class ZeroCopyHandler extends ChannelOutboundHandlerAdapter {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ZeroCopyHandler.class);

    /** Default per-buffer threshold: 16 KiB. */
    public static final int DEFAULT_THRESHOLD = 16 * 1024;

    /** Constructor argument meaning "no threshold of its own": the channel option's, or the default. */
    private static final int FROM_CHANNEL = -1;

    /** The threshold given at construction, or {@link #FROM_CHANNEL}. */
    private final int threshold;
    private final int copiedLimit;
    private final int retryAfter;
    private final boolean piggyback;

    private volatile ZeroCopyEpollSocketChannel channel;
    private volatile ZeroCopyEpollDatagramChannel datagramChannel;
    // Adaptive state, event-loop confined.
    private int consecutiveCopied;
    private boolean suspended;
    private int skippedWhileSuspended;
    private long suspensions;

    /**
     * The channel's {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} if set, else {@value #DEFAULT_THRESHOLD};
     * adaptive policy off.
     */
    public ZeroCopyHandler() {
        this(FROM_CHANNEL, 0, 0, false);
    }

    /**
     * @param threshold minimum readable bytes of a buffer to be sent with MSG_ZEROCOPY (&gt;= 1)
     */
    public ZeroCopyHandler(int threshold) {
        this(ObjectUtil.checkPositive(threshold, "threshold"), 0, 0, false);
    }

    /** The policy behind {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} (never in a pipeline; 0 allowed). */
    static ZeroCopyHandler thresholdPolicy(int threshold) {
        return new ZeroCopyHandler(ObjectUtil.checkPositiveOrZero(threshold, "threshold"), 0, 0, false);
    }

    private ZeroCopyHandler(int threshold, int copiedLimit, int retryAfter, boolean piggyback) {
        if (threshold < FROM_CHANNEL) {
            throw new IllegalArgumentException("threshold: " + threshold);
        }
        this.threshold = threshold;
        this.copiedLimit = ObjectUtil.checkPositiveOrZero(copiedLimit, "copiedLimit");
        this.retryAfter = ObjectUtil.checkPositiveOrZero(retryAfter, "retryAfter");
        this.piggyback = piggyback;
    }

    /** A builder for the threshold and the adaptive policy. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link ZeroCopyHandler}. */
    public static final class Builder {
        private int threshold = FROM_CHANNEL;
        private int copiedLimit;
        private int retryAfter;
        private boolean piggyback;

        private Builder() {
        }

        /**
         * If {@code true} (default {@code false}), direct buffers below the threshold that directly precede a
         * zero-copy candidate in the same flush (e.g. an HTTP header before a file body) go out in the candidate's
         * {@code sendmsg(MSG_ZEROCOPY)} instead of a separate copy write: one syscall instead of two. They are then
         * pinned until that send completes, like the candidate. Heap buffers never ride along.
         */
        public Builder piggybackSmallBuffers(boolean piggyback) {
            this.piggyback = piggyback;
            return this;
        }

        /**
         * Per-buffer threshold in bytes; it wins over the channel's {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}.
         * Unset: the option's value if set, else {@value ZeroCopyHandler#DEFAULT_THRESHOLD}.
         */
        public Builder threshold(int threshold) {
            this.threshold = ObjectUtil.checkPositive(threshold, "threshold");
            return this;
        }

        /**
         * Enables the adaptive policy: after {@code copiedLimit} consecutive sends completed as COPIED, stop
         * using zero-copy on the connection; retry after {@code retryAfter} buffers that would have been
         * candidates were sent by copy (0 = never retry).
         */
        public Builder adaptive(int copiedLimit, int retryAfter) {
            this.copiedLimit = ObjectUtil.checkPositive(copiedLimit, "copiedLimit");
            this.retryAfter = ObjectUtil.checkPositiveOrZero(retryAfter, "retryAfter");
            return this;
        }

        /** Disables the adaptive policy (the default). */
        public Builder noAdaptive() {
            this.copiedLimit = 0;
            this.retryAfter = 0;
            return this;
        }

        public ZeroCopyHandler build() {
            return new ZeroCopyHandler(threshold, copiedLimit, retryAfter, piggyback);
        }
    }

    /**
     * The per-buffer threshold in bytes: the one this handler was built with, else that of the channel's
     * {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} if set, else {@value #DEFAULT_THRESHOLD}.
     */
    public int threshold() {
        if (threshold != FROM_CHANNEL) {
            return threshold;
        }
        ZeroCopyEpollSocketChannel zc = channel;
        ZeroCopyEpollDatagramChannel dg = datagramChannel;
        int fromChannel = zc != null ? zc.config().getZeroCopyThreshold()
                : dg != null ? dg.config().getZeroCopyThreshold() : FROM_CHANNEL;
        return fromChannel >= 0 ? fromChannel : DEFAULT_THRESHOLD;
    }

    /** {@code true} if small direct buffers ride along with a following candidate, see {@link Builder}. */
    public boolean isPiggybackSmallBuffers() {
        return piggyback;
    }

    /** {@code true} if the adaptive COPIED policy is enabled. */
    public boolean isAdaptive() {
        return copiedLimit > 0;
    }

    /** {@code true} while the adaptive policy has zero-copy suspended on this connection. */
    public boolean isSuspended() {
        return suspended;
    }

    /** How often the adaptive policy suspended zero-copy on this connection. */
    public long suspensions() {
        return suspensions;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (ch instanceof ZeroCopyEpollSocketChannel) {
            ZeroCopyEpollSocketChannel zc = (ZeroCopyEpollSocketChannel) ch;
            channel = zc;
            zc.notifier().policy(this);
        } else if (ch instanceof ZeroCopyEpollDatagramChannel) {
            datagramChannel = (ZeroCopyEpollDatagramChannel) ch;
            datagramChannel.notifier().policy(this);
        } else {
            logger.warn("{} added to {}, which is not a zero-copy channel: it has no effect",
                    ZeroCopyHandler.class.getSimpleName(), ch);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ZeroCopyEpollSocketChannel zc = channel;
        if (zc != null) {
            zc.notifier().policy(this, null);
        }
        ZeroCopyEpollDatagramChannel dc = datagramChannel;
        if (dc != null) {
            dc.notifier().policy(this, null);
        }
    }

    /**
     * The policy decision, called by the channel on its event loop for flushed buffers. It must be a pure
     * predicate: the channel may ask several times about the same buffer (when it gathers a batch, and again for
     * the rest of a partly written buffer). Overridable (call {@code super} to keep the threshold, direct-memory
     * and adaptive rules).
     */
    protected boolean isZeroCopyCandidate(ByteBuf buf) {
        return !suspended && isEligible(buf);
    }

    /** The threshold and direct-memory rules alone. */
    private boolean isEligible(ByteBuf buf) {
        return buf.readableBytes() >= threshold() && buf.isDirect() && !(buf instanceof HeapCopyByteBuf);
    }

    /**
     * Called by the channel once for each buffer it finished sending by copy while {@link #isSuspended()}: the
     * adaptive policy's retry counts the eligible ones.
     */
    void onSentByCopyWhileSuspended(ByteBuf buf) {
        if (suspended && retryAfter > 0 && isEligible(buf) && ++skippedWhileSuspended >= retryAfter) {
            suspended = false;
            consecutiveCopied = 0;
        }
    }

    /** Called by the channel after a batch of completions (on its event loop). */
    void onCompletions(int sends, int copied) {
        if (copiedLimit <= 0 || sends <= 0) {
            return;
        }
        if (copied == sends) {
            consecutiveCopied += copied;
            if (!suspended && consecutiveCopied >= copiedLimit) {
                suspended = true;
                skippedWhileSuspended = 0;
                suspensions++;
                logger.debug("{}: {} consecutive COPIED completions, zero-copy suspended", channel,
                        consecutiveCopied);
            }
        } else {
            consecutiveCopied = 0;
        }
    }

    /** Statistics snapshot of the channel this handler is attached to ({@link ZeroCopyStats#EMPTY} if none). */
    public ZeroCopyStats stats() {
        ZeroCopyEpollSocketChannel zc = channel;
        ZeroCopyEpollDatagramChannel dc = datagramChannel;
        return zc != null ? zc.zeroCopyStats() : dc != null ? dc.zeroCopyStats() : ZeroCopyStats.EMPTY;
    }

    /** Statistics snapshot of any channel ({@link ZeroCopyStats#EMPTY} if it is not a zero-copy channel). */
    public static ZeroCopyStats stats(Channel channel) {
        if (channel instanceof ZeroCopyEpollDatagramChannel) {
            return ((ZeroCopyEpollDatagramChannel) channel).zeroCopyStats();
        }
        return channel instanceof ZeroCopyEpollSocketChannel
                ? ((ZeroCopyEpollSocketChannel) channel).zeroCopyStats() : ZeroCopyStats.EMPTY;
    }
}
