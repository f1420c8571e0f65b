/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.WrappedByteBuf;
import io.netty.util.internal.ObjectUtil;

/**
 * Per-write control over zero-copy: mark one buffer to be sent by copy whatever its size, or with
 * {@code MSG_ZEROCOPY} whatever the threshold. The mark overrides {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}
 * and any {@link ZeroCopyHandler}:
 * <pre>
 *   ctx.write(ZeroCopyWrite.byCopy(header));       // reused right after the promise: must not be pinned
 *   ctx.writeAndFlush(ZeroCopyWrite.zeroCopy(body)); // below the threshold, but stays put anyway
 * </pre>
 * The returned buffer wraps {@code buf} and shares its reference count: write it instead of {@code buf} (the
 * channel releases it as it would release {@code buf}). Marking allocates one small wrapper; unmarked writes
 * allocate nothing.
 *
 * <h2>The buffer-reuse rule of zero-copy</h2>
 * With Netty's other transports a buffer may be reused (written to, or its memory handed back to a pool) as soon
 * as its write promise succeeded. <b>A buffer written zero-copy stays off-limits until its completion, not its
 * promise</b>: the promise completes when the kernel accepted the bytes, but the kernel reads the memory until
 * it reports the send complete. The channel holds its own reference until then, so releasing your reference is
 * always safe; <em>writing into</em> the memory is not. That matters where memory is shared behind a reference
 * count, for example a cached buffer written as {@code retainedDuplicate()}:
 * <pre>
 *   ByteBuf cached = cache.get(key);                       // direct, 64 KiB, the application rewrites it later
 *   ctx.writeAndFlush(cached.retainedDuplicate())           // zero-copy: the kernel reads cached's memory
 *      .addListener(f -&gt; cached.setBytes(0, newContent));  // WRONG: the peer may receive newContent
 * </pre>
 * Either wait for the memory to be free again ({@link ZeroCopyCompletionEvent}, fired after completions released
 * buffers, or the buffer's reference count dropping to what the application holds), or exempt that write:
 * <pre>
 *   ctx.writeAndFlush(ZeroCopyWrite.byCopy(cached.retainedDuplicate()))
 *      .addListener(f -&gt; cached.setBytes(0, newContent));  // fine: sent by copy, the promise rule holds
 * </pre>
 * Buffers the channel sends by copy (below the threshold, heap buffers, {@link #byCopy}, and batches sent by copy
 * after {@code ENOBUFS} or while {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} is reached) follow
 * Netty's usual rule, except the rest of a buffer whose first part went zero-copy, which stays pinned until
 * that part's completion.
 */
public final class ZeroCopyWrite {
    private ZeroCopyWrite() {
    }

    /**
     * {@code buf}, marked to be sent by copy whatever its size, threshold or policy: Netty's usual rule applies,
     * its memory may be reused once the write promise succeeded.
     */
    public static ByteBuf byCopy(ByteBuf buf) {
        return new MarkedByteBuf(ObjectUtil.checkNotNull(buf, "buf"), false);
    }

    /**
     * {@code buf}, marked to be sent with {@code MSG_ZEROCOPY} even below the threshold, and even while
     * {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} is {@code -1} or the handler's policy says no. Only direct
     * memory can be sent zero-copy: a heap buffer is still copied (Netty copies it into a private direct buffer
     * first). While the kernel refuses to pin more ({@code ENOBUFS}) or the channel's pinned-bytes bound is
     * reached, it is sent by copy like every other buffer.
     */
    public static ByteBuf zeroCopy(ByteBuf buf) {
        return new MarkedByteBuf(ObjectUtil.checkNotNull(buf, "buf"), true);
    }

    /** The per-buffer decision of a channel: the write's mark if it has one, else the policy's. */
    static boolean isCandidate(ZeroCopyHandler policy, ByteBuf buf) {
        if (buf instanceof MarkedByteBuf) {
            return ((MarkedByteBuf) buf).zeroCopy && buf.isDirect();
        }
        return policy != null && policy.isZeroCopyCandidate(buf);
    }

    /** {@code true} if {@code buf} must go by copy whatever the policy (a {@link #byCopy} mark, a heap copy). */
    static boolean isCopyOnly(ByteBuf buf) {
        return buf instanceof HeapCopyByteBuf || buf instanceof MarkedByteBuf && !((MarkedByteBuf) buf).zeroCopy;
    }

    /**
     * Netty's private direct copy of the heap buffer {@code original}: heap buffers take the normal (copy) path, so
     * the copy is marked wherever the policy or a mark could otherwise pick it (small heap writes allocate no
     * wrapper). Shared by the stream and the datagram channel.
     */
    static ByteBuf markHeapCopy(ByteBuf original, ByteBuf copy, ZeroCopyHandler policy) {
        if (isMarked(original) || policy != null && copy.readableBytes() >= policy.threshold()) {
            return new HeapCopyByteBuf(copy);
        }
        return copy;
    }

    /** {@code true} if the write carries a mark (the policy is not asked). */
    static boolean isMarked(Object msg) {
        return msg instanceof MarkedByteBuf;
    }

    /** The mark; reference counting and content are delegated. */
    static final class MarkedByteBuf extends WrappedByteBuf {
        final boolean zeroCopy;

        MarkedByteBuf(ByteBuf buf, boolean zeroCopy) {
            super(buf);
            this.zeroCopy = zeroCopy;
        }
    }
}
