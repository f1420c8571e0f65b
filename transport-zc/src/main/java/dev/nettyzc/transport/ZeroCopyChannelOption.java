/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.UnixChannelOption;

/**
 * {@link ChannelOption}s understood by {@link ZeroCopyEpollSocketChannel}, {@link ZeroCopyEpollServerSocketChannel}
 * (on the server use them with {@code childOption(..)}) and {@link ZeroCopyEpollDatagramChannel}.
 * All {@link io.netty.channel.epoll.EpollChannelOption}s of {@code EpollSocketChannel} and
 * {@code EpollDatagramChannel} work as well.
 */
public final class ZeroCopyChannelOption<T> extends UnixChannelOption<T> {

    /**
     * How completions are collected: {@link ZeroCopyNotificationMode#AUTO} (default), {@code CMSG} or
     * {@code ERRQUEUE}. Setting {@code CMSG} on a kernel that does not accept {@code SCM_ZC_NOTIFICATION}
     * throws {@link io.netty.channel.ChannelException} from {@code setOption} (so bootstrap fails at
     * configuration time, not at the first write). Changing the mode is allowed at any time; it applies to the
     * next {@code sendmsg}.
     */
    public static final ChannelOption<ZeroCopyNotificationMode> ZEROCOPY_NOTIFICATION_MODE =
            valueOf(ZeroCopyChannelOption.class, "ZEROCOPY_NOTIFICATION_MODE");

    /**
     * Milliseconds a closed channel keeps waiting for the completions of its outstanding zero-copy sends
     * before it aborts the connection with an RST ({@code SO_LINGER 0}), which makes the kernel drop the
     * queued data and release the pages; only then is the memory released. Default 30000. 0 aborts at once.
     */
    public static final ChannelOption<Integer> ZEROCOPY_CLOSE_TIMEOUT_MILLIS =
            valueOf(ZeroCopyChannelOption.class, "ZEROCOPY_CLOSE_TIMEOUT_MILLIS");

    /**
     * Per-buffer zero-copy threshold in bytes: a flushed direct {@code ByteBuf} with at least this many readable
     * bytes is sent with {@code MSG_ZEROCOPY}; {@code 0} sends every direct buffer zero-copy. Default {@code -1}:
     * off, everything is sent by copy (as Netty io_uring's {@code IO_URING_WRITE_ZERO_COPY_THRESHOLD}). Set on a
     * {@link ZeroCopyEpollServerSocketChannel} (with {@code option(..)} or {@code childOption(..)}) it applies to
     * every accepted child.
     *
     * <p>With a {@link ZeroCopyHandler} in the pipeline the handler decides (its
     * {@code isZeroCopyCandidate}); a handler built without an explicit threshold uses this option's value
     * (or {@value ZeroCopyHandler#DEFAULT_THRESHOLD} while the option is {@code -1}), one built with a threshold
     * uses its own. Per write, {@link ZeroCopyWrite#byCopy} and {@link ZeroCopyWrite#zeroCopy} override both.
     */
    public static final ChannelOption<Integer> ZEROCOPY_THRESHOLD =
            valueOf(ZeroCopyChannelOption.class, "ZEROCOPY_THRESHOLD");

    /**
     * Upper bound on the bytes one channel keeps pinned for zero-copy sends whose completion has not arrived
     * yet. Default {@code 0}: no bound (the kernel's {@code tcp_wmem[2]} and optmem limits are the only ones).
     * The channel never pins more: a zero-copy {@code sendmsg} carries at most the bytes left under the bound.
     * When the pinned bytes reach it, zero-copy pauses and the channel becomes unwritable through user-defined
     * writability bit {@link ZeroCopyEpollSocketChannel#PINNED_BYTES_WRITABILITY_INDEX}; writes that arrive
     * anyway are sent by copy. Once completions bring the pinned bytes down to half the bound (the low mark),
     * the channel is writable again and zero-copy resumes. A bound smaller than one buffer is fine: that buffer
     * goes out zero-copy in pieces of at most the bound, the rest by copy. On a {@link ZeroCopyEpollDatagramChannel}
     * a datagram is never split: one that does not fit under the bound goes out whole by copy.
     */
    public static final ChannelOption<Long> ZEROCOPY_MAX_PINNED_BYTES =
            valueOf(ZeroCopyChannelOption.class, "ZEROCOPY_MAX_PINNED_BYTES");

    @SuppressWarnings({ "unused", "deprecation" })
    private ZeroCopyChannelOption() {
    }
}
