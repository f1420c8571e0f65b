/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.Socket;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;

/**
 * The send path of a zero-copy channel: which flushed buffers go zero-copy, how they are batched into one
 * {@code sendmsg}, how the buffers a send covered are pinned until its completion, partial writes, and what
 * happens on ENOBUFS. Event-loop confined; nothing is allocated per send.
 *
 * <h2>One write</h2>
 * Consecutive flushed {@link ByteBuf}s of one kind (zero-copy candidates, or not) are gathered into the
 * thread's {@link IovArray} and sent with one syscall:
 * <ul>
 *   <li>candidates: {@code sendmsg(MSG_ZEROCOPY)}. After it accepted {@code n} bytes, every buffer (partly)
 *       covered is retained and pinned in the {@link CompletionTracker} under the id the send consumed, and only
 *       then does {@code ChannelOutboundBuffer.removeBytes(n)} complete the promises: the promise completes when
 *       the kernel accepted the bytes, the memory stays referenced until the completion. A buffer a zero-copy
 *       send covered only partly is finished zero-copy, whatever the size of its rest, so its last release is a
 *       completion (except during an ENOBUFS suspension, which copies);</li>
 *   <li>others: {@code send} for one buffer and {@code writev} for several, exactly as Netty's epoll channel
 *       does, or, in CMSG mode while zero-copy sends are outstanding, {@code sendmsg} carrying the
 *       {@code SCM_ZC_NOTIFICATION} placeholder so that the write brings completions back. Without outstanding sends the placeholder could return nothing, so it is not
 *       attached (it costs the kernel an allocation and a copy-back).</li>
 * </ul>
 * Zero-copy sends carry the placeholder in CMSG mode too (their own completion can come back on loopback).
 * Returned ranges are applied right after the call, for a zero-copy send after its own id was committed.
 *
 * <h2>ENOBUFS</h2>
 * The batch goes out by copy at once (same iovecs, so nothing is lost, duplicated or reordered), and zero-copy is
 * suspended as {@link EnobufsSuspension} describes.
 *
 * <h2>The pinned-bytes bound</h2>
 * With {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} set, a zero-copy batch is cut to what is left under
 * the bound, so the pinned bytes never exceed it. Once they reach it, zero-copy pauses (batches go out by copy,
 * as after ENOBUFS) until completions bring them down to half of it ({@link PinnedBytesBound}); the channel
 * mirrors the pause in its writability.
 */
final class ZeroCopyWriter {
    /** Write-spin cost of a write that found the socket buffer full. */
    static final int WRITE_STATUS_SNDBUF_FULL = Integer.MAX_VALUE;
    private static final int GATHERING_WRITE_LOW_THRESHOLD = 4096;

    /** What the writer needs from its channel. */
    interface Owner {
        /** The zero-copy policy, or {@code null}: everything by copy. */
        ZeroCopyHandler policy();

        /** {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES}: 0 is no bound. */
        long maxPinnedBytes();

        /** Sends carry the in-band placeholder (CMSG mode, or AUTO where the kernel has it). */
        boolean isInbandEffective();

        long maxBytesPerGatheringWrite();

        void maxBytesPerGatheringWrite(long bytes);

        /** Completions came back in-band; their buffers are released already. */
        void completionsApplied(int completed, int copied, boolean inband);
    }

    private final Socket socket;
    private final Owner owner;
    private final CompletionTracker tracker;
    private final CompletionReader reader;
    private final ZeroCopyCounters counters;
    private final BatchCollector collector = new BatchCollector();
    private final Pinner pinner = new Pinner();
    private final SuspendedCopies suspendedCopies = new SuspendedCopies();
    private final EnobufsSuspension enobufs;
    private final PinnedBytesBound pinnedBound;
    private final DeferPollerrSwitch deferPollerr;

    /** See "One write": the rest of this buffer also goes zero-copy. */
    private ByteBuf partialZeroCopyBuf;
    /** Placeholder sendmsg calls that returned &gt;= 0, i.e. that could carry notifications back. */
    private long placeholderSendsOk;
    private String failure;

    ZeroCopyWriter(Socket socket, Owner owner, CompletionTracker tracker, CompletionReader reader,
                   ZeroCopyCounters counters) {
        this.socket = socket;
        this.owner = owner;
        this.tracker = tracker;
        this.reader = reader;
        this.counters = counters;
        this.enobufs = new EnobufsSuspension(tracker, counters);
        this.pinnedBound = new PinnedBytesBound(tracker, counters, owner::maxPinnedBytes);
        this.deferPollerr = new DeferPollerrSwitch(socket);
    }

    /**
     * One syscall for the flushed buffers at the head of {@code in}, the first of which is {@code first}.
     *
     * @return the write-spin cost: 0 (only empty buffers), 1, or {@link #WRITE_STATUS_SNDBUF_FULL}
     */
    int writeBuffers(ChannelOutboundBuffer in, ByteBuf first) throws Exception {
        long pinBudget = pinnedBound.budget();
        boolean allowed = !enobufs.isSuspended() && pinBudget > 0;
        ZeroCopyHandler p = allowed ? owner.policy() : null;
        boolean zeroCopy;
        if (first == partialZeroCopyBuf && allowed) {
            zeroCopy = true;
        } else {
            partialZeroCopyBuf = null;
            zeroCopy = allowed && ZeroCopyWrite.isCandidate(p, first);
        }
        ThreadScratch scratch = ThreadScratch.get();
        IovArray array = scratch.iov();
        array.clear();
        long maxBytes = owner.maxBytesPerGatheringWrite();
        array.maxBytes(maxBytes);
        collector.start(array, p, allowed, zeroCopy);
        try {
            in.forEachFlushedMessage(collector);
        } finally {
            collector.reset();
        }
        int cnt = array.count();
        if (cnt == 0) {
            in.removeBytes(0); // only empty buffers
            return 0;
        }
        if (collector.switchedToZeroCopy) {
            zeroCopy = true; // a small direct prefix rides in the candidate's zero-copy sendmsg
        }
        long expected = array.size();
        if (zeroCopy && expected > pinBudget) {
            cnt = clampIovecs(array, cnt, pinBudget);
            expected = pinBudget;
        }
        boolean inband = owner.isInbandEffective();
        deferPollerr.follow(inband);
        return zeroCopy ? writeZeroCopy(in, scratch, cnt, expected, maxBytes, inband)
                : writeCopy(in, scratch, cnt, expected, maxBytes, inband);
    }

    private int writeZeroCopy(ChannelOutboundBuffer in, ThreadScratch scratch, int cnt, long expected,
                              long maxBytes, boolean inband) throws Exception {
        int res;
        do {
            counters.sendmsgCalls++;
            res = sendmsg(scratch, cnt, Native.MSG_ZEROCOPY, inband);
        } while (res == -Native.EINTR);
        if (res == -Native.ENOBUFS) {
            enobufs.onEnobufs();
            partialZeroCopyBuf = null;
            return writeCopy(in, scratch, cnt, expected, maxBytes, inband); // the same iovecs
        }
        if (res < 0) {
            return WRITE_STATUS_SNDBUF_FULL; // EAGAIN: no id consumed, nothing copied back
        }
        if (res > 0) {
            // Pin before removeBytes releases the outbound buffer's references and completes the promises.
            partialZeroCopyBuf = null;
            pinner.start(res);
            try {
                in.forEachFlushedMessage(pinner);
            } finally {
                // The kernel consumed an id whatever happened here: keep the tracker's ids aligned with it.
                tracker.commit(res);
            }
            counters.zeroCopySends++;
            counters.zeroCopyBytes += res;
            pinnedBound.onZeroCopySent();
            enobufs.onZeroCopySent();
        }
        if (inband) {
            applyCopyBack(scratch);
        }
        if (res == 0) {
            return WRITE_STATUS_SNDBUF_FULL;
        }
        adjustMaxBytesPerGatheringWrite(expected, res, maxBytes);
        in.removeBytes(res);
        return 1;
    }

    private int writeCopy(ChannelOutboundBuffer in, ThreadScratch scratch, int cnt, long expected, long maxBytes,
                          boolean inband) throws Exception {
        long written;
        if (inband && tracker.outstandingSends() > 0) {
            int res;
            do {
                counters.copyWriteCalls++;
                res = sendmsg(scratch, cnt, 0, true);
            } while (res == -Native.EINTR);
            if (res >= 0) {
                applyCopyBack(scratch);
                written = res;
            } else if (res == -Native.ENOBUFS) {
                // The placeholder itself needs socket option memory: write without it.
                enobufs.onEnobufs();
                written = writeWithoutPlaceholder(scratch, cnt);
            } else {
                written = 0; // EAGAIN
            }
        } else {
            written = writeWithoutPlaceholder(scratch, cnt);
        }
        if (written <= 0) {
            return WRITE_STATUS_SNDBUF_FULL;
        }
        counters.copySends++;
        counters.copyBytes += written;
        adjustMaxBytesPerGatheringWrite(expected, written, maxBytes);
        ZeroCopyHandler p = owner.policy();
        if (p != null && p.isSuspended()) {
            suspendedCopies.count(in, written, p);
        }
        enobufs.onCopySent();
        in.removeBytes(written);
        return 1;
    }

    /**
     * The copy write of {@code EpollSocketChannel}, syscall for syscall: one buffer goes out with {@code send}
     * (its {@code doWriteBytes}), several with {@code writev} (its {@code doWriteMultiple}).
     */
    private long writeWithoutPlaceholder(ThreadScratch scratch, int cnt) throws IOException {
        counters.copyWriteCalls++;
        long iov = scratch.iov().memoryAddress(0);
        if (cnt == 1) {
            // struct iovec { void *iov_base; size_t iov_len; } (LP64, as IovArray writes it)
            return socket.sendAddress(PlatformDependent.getLong(iov), 0, (int) PlatformDependent.getLong(iov + 8));
        }
        return socket.writevAddresses(iov, cnt);
    }

    /** Whether this writer's socket has {@code SO_ZEROCOPY_DEFER_POLLERR} set (tests). */
    boolean isDeferPollerrSet() {
        return deferPollerr.isSet();
    }

    /** Writes the msghdr for the thread's iovecs into its scratch memory and makes the (direct) syscall. */
    private int sendmsg(ThreadScratch scratch, int cnt, int flags, boolean placeholder) throws IOException {
        long hdr = scratch.msghdr();
        PlatformDependent.putLong(hdr + Native.MSGHDR_NAME, 0);
        PlatformDependent.putInt(hdr + Native.MSGHDR_NAMELEN, 0);
        PlatformDependent.putLong(hdr + Native.MSGHDR_IOV, scratch.iov().memoryAddress(0));
        PlatformDependent.putLong(hdr + Native.MSGHDR_IOVLEN, cnt);
        if (placeholder) {
            counters.placeholderSends++;
            long control = scratch.control();
            PlatformDependent.putLong(hdr + Native.MSGHDR_CONTROL, control);
            PlatformDependent.putLong(hdr + Native.MSGHDR_CONTROLLEN, reader.writePlaceholder(control));
        } else {
            PlatformDependent.putLong(hdr + Native.MSGHDR_CONTROL, 0);
            PlatformDependent.putLong(hdr + Native.MSGHDR_CONTROLLEN, 0);
        }
        PlatformDependent.putInt(hdr + Native.MSGHDR_FLAGS, 0);
        int res = Native.sendmsg(socket.intValue(), hdr, flags);
        if (placeholder && res >= 0) {
            placeholderSendsOk++;
        }
        return res;
    }

    private void applyCopyBack(ThreadScratch scratch) {
        int completed = reader.applyCopyBack(scratch.control());
        if (completed == CompletionReader.BAD_COPY_BACK) {
            if (failure == null) {
                failure = reader.problem();
            }
        } else if (completed > 0) {
            owner.completionsApplied(completed, reader.lastCopied(), true);
        }
    }

    /**
     * Completions freed memory: may end an ENOBUFS suspension, and the pinned-bytes pause at its low mark.
     */
    void onCompletions() {
        enobufs.onCompletions();
        pinnedBound.onCompletions();
    }

    /** {@code true} while {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} holds zero-copy back. */
    boolean isPinnedBoundReached() {
        return pinnedBound.isReached();
    }

    /**
     * Cuts the gathered iovecs to {@code budget} bytes (the last one kept is shortened), so a zero-copy send never
     * pins more than the pinned-bytes bound allows. The buffer cut short is finished later like any partly written
     * one. Returns the new iovec count.
     */
    private static int clampIovecs(IovArray array, int cnt, long budget) {
        long remaining = budget;
        for (int i = 0; i < cnt; i++) {
            long lenAddr = array.memoryAddress(i) + 8; // struct iovec { void *iov_base; size_t iov_len; } (LP64)
            long len = PlatformDependent.getLong(lenAddr);
            if (len >= remaining) {
                PlatformDependent.putLong(lenAddr, remaining);
                return i + 1;
            }
            remaining -= len;
        }
        return cnt;
    }

    /** Placeholder sendmsg calls that succeeded so far (each could carry notifications back). */
    long placeholderSendsOk() {
        return placeholderSendsOk;
    }

    /** Why the channel must fail (a copy-back that could not be parsed), once; {@code null} if nothing is wrong. */
    String takeFailure() {
        String f = failure;
        failure = null;
        return f;
    }

    private void adjustMaxBytesPerGatheringWrite(long attempted, long written, long oldMax) {
        // As Netty's AbstractEpollStreamChannel: follow what the kernel accepts.
        if (attempted == written) {
            if (attempted << 1 > oldMax) {
                owner.maxBytesPerGatheringWrite(attempted << 1);
            }
        } else if (attempted > GATHERING_WRITE_LOW_THRESHOLD && written < attempted >>> 1) {
            owner.maxBytesPerGatheringWrite(attempted >>> 1);
        }
    }

    /** A {@link ChannelOutboundBuffer.MessageProcessor} that stops at the first message that is no ByteBuf. */
    private abstract static class ByteBufProcessor implements ChannelOutboundBuffer.MessageProcessor {
        @Override
        public final boolean processMessage(Object msg) {
            return msg instanceof ByteBuf && process((ByteBuf) msg);
        }

        abstract boolean process(ByteBuf buf);
    }

    /**
     * Collects consecutive flushed ByteBufs of one kind (zero-copy candidates or not) into the IovArray. With
     * {@link ZeroCopyHandler#isPiggybackSmallBuffers()}, a non-candidate run of direct buffers that is directly
     * followed by a candidate switches to zero-copy and continues with the candidates.
     */
    private static final class BatchCollector extends ByteBufProcessor {
        private IovArray array;
        private ZeroCopyHandler policy;
        private boolean allowed;
        private boolean zeroCopy;
        private boolean first;
        private boolean prefixDirect;
        boolean switchedToZeroCopy;

        void start(IovArray array, ZeroCopyHandler policy, boolean allowed, boolean zeroCopy) {
            this.array = array;
            this.policy = policy;
            this.allowed = allowed;
            this.zeroCopy = zeroCopy;
            this.first = true;
            this.prefixDirect = true;
            this.switchedToZeroCopy = false;
        }

        void reset() {
            array = null;
            policy = null;
        }

        @Override
        boolean process(ByteBuf buf) {
            if (first) {
                first = false; // decided by the caller
            } else {
                boolean candidate = allowed && buf.isReadable() && ZeroCopyWrite.isCandidate(policy, buf);
                if (candidate != zeroCopy) {
                    if (candidate && prefixDirect && policy != null && policy.isPiggybackSmallBuffers()
                            && addCandidate(buf)) {
                        zeroCopy = true;
                        switchedToZeroCopy = true;
                        return true;
                    }
                    return false;
                }
            }
            if (!zeroCopy && (!buf.isDirect() || ZeroCopyWrite.isCopyOnly(buf))) {
                prefixDirect = false;
            }
            return array.add(buf, buf.readerIndex(), buf.readableBytes());
        }

        /** Adds the first candidate after a small prefix even if the gathering-write byte limit is reached. */
        private boolean addCandidate(ByteBuf buf) {
            long needed = array.size() + buf.readableBytes();
            if (needed > array.maxBytes()) {
                array.maxBytes(needed);
            }
            return array.add(buf, buf.readerIndex(), buf.readableBytes());
        }
    }

    /** Retains and pins each buffer covered by the bytes a zero-copy sendmsg accepted. */
    private final class Pinner extends ByteBufProcessor {
        private long remaining;

        void start(long bytes) {
            remaining = bytes;
        }

        @Override
        boolean process(ByteBuf buf) {
            if (remaining <= 0) {
                return false;
            }
            int readable = buf.readableBytes();
            if (readable == 0) {
                return true;
            }
            buf.retain();
            tracker.pin(buf);
            if (remaining < readable) {
                partialZeroCopyBuf = buf;
            }
            remaining -= readable;
            return remaining > 0;
        }
    }

    /**
     * Tells the policy about each buffer a copy write finished while the adaptive policy is suspended (once per
     * buffer: when its last byte is written), which is what its retry counts.
     */
    private static final class SuspendedCopies extends ByteBufProcessor {
        private long remaining;
        private ZeroCopyHandler policy;

        void count(ChannelOutboundBuffer in, long written, ZeroCopyHandler p) {
            remaining = written;
            policy = p;
            try {
                in.forEachFlushedMessage(this);
            } catch (Exception e) {
                throw new IllegalStateException(e); // our processor throws nothing
            } finally {
                policy = null;
            }
        }

        @Override
        boolean process(ByteBuf buf) {
            int readable = buf.readableBytes();
            if (readable > remaining) {
                return false;
            }
            remaining -= readable;
            policy.onSentByCopyWhileSuspended(buf);
            return remaining > 0;
        }
    }
}
