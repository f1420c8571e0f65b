/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.ZeroCopyEpollBridge;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.UnixChannelUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Drop-in replacement for Netty's {@code EpollSocketChannel} that sends large direct {@link ByteBuf}s with
 * {@code MSG_ZEROCOPY}. Use it (and {@link ZeroCopyEpollServerSocketChannel}) with an epoll event loop group
 * and add a {@link ZeroCopyHandler} to the pipeline; without the handler everything is sent by copy, exactly
 * like {@code EpollSocketChannel}. {@code SO_ZEROCOPY} is set when the socket is created.
 *
 * <h2>Send path and buffer lifecycle</h2>
 * In {@code doWrite}, consecutive flushed buffers the handler selects go out together in one
 * {@code sendmsg(MSG_ZEROCOPY)} over an {@link IovArray} (one per event-loop thread, reused); other buffers go
 * out by copy ({@code writev}), file regions and splices as in Netty. After a successful zero-copy
 * {@code sendmsg} of {@code n} bytes, every buffer (partially) covered by those bytes is retained and pinned in
 * the channel's completion tracker under the send id the kernel used (one id per successful call), and only then
 * {@code ChannelOutboundBuffer.removeBytes(n)} runs: <b>the write promise completes when the kernel accepted the
 * bytes</b> (as Netty io_uring's {@code SEND_ZC}), while the memory stays referenced. EAGAIN consumes no id.
 * ENOBUFS (optmem limit) drains the error queue and retries once; if it persists, that batch is sent by copy
 * ({@code writev} of the same iovecs), so data is never lost, duplicated or reordered.
 *
 * <h2>"Memory is free again"</h2>
 * When the kernel reports a completion range, each covered send's pinned references are released exactly once
 * and the channel fires its (reused) {@link ZeroCopyCompletionEvent} through the pipeline. So a buffer's memory
 * returns to its allocator when the application's own references and the send references are gone, and the
 * event tells the application when that happened.
 *
 * <h2>Event loop (Netty 4.2 epoll is level-triggered)</h2>
 * The kernel raises EPOLLERR while completions are queued. The channel owns EPOLLERR (see
 * {@link ZeroCopyEpollBridge}): a completion never costs a {@code read()}, and an undrained queue never spins
 * the loop.
 * <ul>
 *   <li>In-band mode ({@link ZeroCopyNotificationMode#CMSG}, or AUTO on a kernel with
 *       {@code SCM_ZC_NOTIFICATION}): every {@code sendmsg} of the channel, zero-copy or copy, carries the
 *       placeholder and returned ranges are applied right after it returns. On EPOLLERR, if flushed data is
 *       waiting and a write is coming now (EPOLLOUT in the same event, or the channel's flush task is queued),
 *       no {@code recvmsg} is made: the coming {@code sendmsg} carries the notifications. If flushed data is
 *       waiting for EPOLLOUT, the channel writes now anyway (completions arrive when ACKs free send-buffer
 *       space, so this usually succeeds and carries them) and reads the error queue only if that write got
 *       EAGAIN. With the outbound buffer empty (trailing sends) the error queue is drained.</li>
 *   <li>Error-queue mode: each EPOLLERR drains the error queue (one {@code recvmsg} per queued notification,
 *       which the kernel coalesces, plus one that sees EAGAIN).</li>
 *   <li>If a drain finds no zero-copy notification (or finds a real error), Netty's default EPOLLERR handling
 *       runs, which surfaces the socket error and closes the channel.</li>
 * </ul>
 *
 * <h2>Close with sends outstanding</h2>
 * Memory is never handed back while the kernel may still read it, and never leaked. If sends are outstanding at
 * close, the channel {@code dup}s the fd, calls {@code shutdown(SHUT_WR)} (the peer sees EOF after the queued
 * data) and lets Netty close its fd. The event loop then polls the error queue of the duplicate (1 ms, backing
 * off to 50 ms) until every completion arrived, then closes the duplicate. After
 * {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS} (default 30 s) it aborts: {@code SO_LINGER 0} and
 * close, so the kernel resets the connection and purges the send queue, and the remaining buffers are released.
 * If the event loop terminates first, the same abort runs from its termination listener.
 */
public final class ZeroCopyEpollSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ZeroCopyEpollSocketChannel.class);

    private static final int WRITE_STATUS_SNDBUF_FULL = Integer.MAX_VALUE;
    private static final int GATHERING_WRITE_LOW_THRESHOLD = 4096;

    /** Ranges read per drainErrorQueue call. */
    private static final int MAX_RANGES = 64;
    // Native memory layout: [control (CTL_CAPACITY)] [controlLenOut (8)] [ranges (MAX_RANGES * 12)]
    private static final int CMSG_HDR = 16;                              // sizeof(struct cmsghdr) on LP64
    private static final int ZC_INFO_LEN = 4 + Native.ZC_NOTIFICATION_MAX * 12;
    private static final int CMSG_LEN = CMSG_HDR + ZC_INFO_LEN;         // 212
    private static final int CMSG_SPACE = CMSG_HDR + ((ZC_INFO_LEN + 7) & ~7); // 216
    /**
     * msg_controllen passed to sendmsg: 8 bytes more than the placeholder needs (too short for another cmsghdr,
     * so the kernel ignores them). The kernel sets msg_controllen to at most the end of the returned cmsg, so a
     * returned length below this value proves the cmsg was copied back.
     */
    private static final int CTL_CAPACITY = CMSG_SPACE + 8;
    private static final int CTL_LEN_OUT_OFFSET = CTL_CAPACITY;
    private static final int RANGES_OFFSET = CTL_LEN_OUT_OFFSET + 8;
    private static final int NATIVE_MEMORY_SIZE = RANGES_OFFSET + MAX_RANGES * Native.RANGE_SIZE;
    private static final int SOL_SOCKET = 1;

    private static final FastThreadLocal<IovArray> IOV_ARRAY = new FastThreadLocal<IovArray>() {
        @Override
        protected IovArray initialValue() {
            return new IovArray();
        }

        @Override
        protected void onRemoval(IovArray value) {
            value.release();
        }
    };

    private final ZeroCopyEpollSocketChannelConfig config;
    private volatile Collection<InetAddress> tcpMd5SigAddresses = Collections.emptyList();
    private volatile ZeroCopyHandler policy;

    // ---- event-loop confined state ----
    private final CompletionTracker tracker = new CompletionTracker();
    private final ZeroCopyCompletionEvent completionEvent = new ZeroCopyCompletionEvent(this);
    private final BatchCollector collector = new BatchCollector();
    private final Pinner pinner = new Pinner();
    private final Runnable flushTask = new Runnable() {
        @Override
        public void run() {
            flushTaskPending = false;
            ((ZeroCopyUnsafe) unsafe()).flushNow();
        }
    };
    private boolean flushTaskPending;
    /** Inside doWrite: completion events are collected and fired between writes, never during one. */
    private boolean inWrite;
    private int pendingEventSends;
    private int pendingEventCopied;
    private boolean pendingEventInband;
    /**
     * The buffer the last zero-copy send covered only partly: its rest also goes out zero-copy, whatever its
     * size, so a buffer that started zero-copy is finished zero-copy and is freed by its last completion.
     */
    private ByteBuf partialZeroCopyBuf;
    private ByteBuffer nativeMemory;
    private long nativeAddress;
    private int inbandCmsgType = -1;
    private boolean lastDrainSawError;
    /** Placeholder sendmsg calls that returned >= 0 (the only ones that can carry notifications back). */
    private long placeholderSendsOk;

    // ---- statistics (written on the event loop, published through statsPublished) ----
    private long zeroCopySends;
    private long zeroCopyBytes;
    private long copySends;
    private long copyBytes;
    private long inbandRanges;
    private long inbandSends;
    private long errqueueRanges;
    private long errqueueSends;
    private long sendmsgCalls;
    private long copyWriteCalls;
    private long errqueueSyscalls;
    private long wakeups;
    private long epollErrWakeups;
    private long enobufsFallbacks;
    private volatile int statsPublished;

    public ZeroCopyEpollSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    public ZeroCopyEpollSocketChannel(SocketProtocolFamily protocol) {
        super(newZeroCopySocket(protocol), false);
        config = new ZeroCopyEpollSocketChannelConfig(this);
    }

    ZeroCopyEpollSocketChannel(Channel parent, LinuxSocket fd, InetSocketAddress remoteAddress) {
        super(parent, fd, remoteAddress);
        config = new ZeroCopyEpollSocketChannelConfig(this);
        if (parent instanceof ZeroCopyEpollServerSocketChannel) {
            tcpMd5SigAddresses = ((ZeroCopyEpollServerSocketChannel) parent).tcpMd5SigAddresses();
        }
    }

    /** A new stream socket with SO_ZEROCOPY set (it must be set in the initial state, else EBUSY). */
    static LinuxSocket newZeroCopySocket(SocketProtocolFamily protocol) {
        ZeroCopy.ensureAvailability();
        LinuxSocket socket = protocol == null ? LinuxSocket.newSocketStream() : LinuxSocket.newSocketStream(protocol);
        try {
            Native.setSoZeroCopy(socket.intValue(), true);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignore) {
                // ignore
            }
            throw new ChannelException("setsockopt(SO_ZEROCOPY) failed", e);
        }
        return socket;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public ZeroCopyEpollSocketChannelConfig config() {
        return config;
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    protected AbstractEpollUnsafe newUnsafe() {
        return new ZeroCopyUnsafe();
    }

    // =====================================================================================================
    // Policy and statistics
    // =====================================================================================================

    void policy(ZeroCopyHandler handler) {
        policy = handler;
    }

    void policy(ZeroCopyHandler expected, ZeroCopyHandler handler) {
        if (policy == expected) {
            policy = handler;
        }
    }

    /**
     * Statistics snapshot of this channel (also available as {@link ZeroCopyHandler#stats()}). Safe to call from
     * any thread; it reflects everything the event loop published up to its last completed I/O operation.
     */
    public ZeroCopyStats zeroCopyStats() {
        @SuppressWarnings("unused")
        int seq = statsPublished; // acquire: everything written before the last publish() is visible
        return new ZeroCopyStats(zeroCopySends, zeroCopyBytes, copySends, copyBytes, tracker.completedSends(),
                tracker.copiedSends(), inbandRanges, inbandSends, errqueueRanges, errqueueSends, sendmsgCalls,
                copyWriteCalls, errqueueSyscalls, wakeups, epollErrWakeups, tracker.outstandingSends(), tracker.outstandingBuffers(),
                tracker.outstandingBytes(), enobufsFallbacks, tracker.ignoredIds(),
                config.isInbandEffective() ? ZeroCopyNotificationMode.CMSG : ZeroCopyNotificationMode.ERRQUEUE);
    }

    private void publish() {
        statsPublished++; // single writer (the event loop); the volatile write is the release
    }

    // =====================================================================================================
    // Write path
    // =====================================================================================================

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            if (UnixChannelUtil.isBufferCopyNeededForWrite(buf)) {
                boolean heap = !buf.isDirect();
                ByteBuf copy = newDirectBuffer(buf);
                ZeroCopyHandler p = policy;
                if (heap && p != null && copy.readableBytes() >= p.threshold()) {
                    // Heap buffers take the normal (copy) path: mark Netty's private direct copy.
                    return new HeapCopyByteBuf(copy);
                }
                return copy;
            }
            return buf;
        }
        return super.filterOutboundMessage(msg);
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        inWrite = true;
        try {
            int writeSpinCount = config.getWriteSpinCount();
            do {
                // Fired here (between syscalls, like Netty's promise notifications) so that a handler reacting
                // with write+flush is picked up by this loop, and never while the thread's IovArray is in use.
                firePendingCompletionEvent();
                final int msgCount = in.size();
                if (msgCount == 0) {
                    ZeroCopyEpollBridge.clearEpollOut(this);
                    return;
                }
                Object msg = in.current();
                if (msg instanceof ByteBuf) {
                    ZeroCopyHandler p = policy;
                    ByteBuf partial = partialZeroCopyBuf;
                    if (msg != partial) {
                        partialZeroCopyBuf = null;
                    }
                    if (msg == partial || p != null && p.isZeroCopyCandidate((ByteBuf) msg)) {
                        writeSpinCount -= writeBatch(in, p, true);
                    } else {
                        writeSpinCount -= writeBatch(in, p, false);
                    }
                } else {
                    writeSpinCount -= doWriteSingle(in);
                }
            } while (writeSpinCount > 0);
            firePendingCompletionEvent(); // before EPOLLOUT / the flush task is armed below

            if (writeSpinCount == 0) {
                // Quantum used, socket still writable as far as we know: write again later, not on EPOLLOUT.
                ZeroCopyEpollBridge.clearEpollOut(this);
                flushTaskPending = true;
                eventLoop().execute(flushTask);
            } else {
                setFlag(io.netty.channel.epoll.Native.EPOLLOUT);
            }
        } finally {
            inWrite = false;
            if (pendingEventSends != 0) {
                firePendingCompletionEvent(); // exception path
            }
            publish();
        }
    }

    /**
     * One syscall for a batch of consecutive flushed buffers: zero-copy candidates ({@code zeroCopy}) or
     * non-candidates. The first buffer's decision was made by the caller.
     */
    private int writeBatch(ChannelOutboundBuffer in, ZeroCopyHandler p, boolean zeroCopy) throws Exception {
        IovArray array = IOV_ARRAY.get();
        array.clear();
        long maxBytes = config.maxBytesPerGatheringWrite();
        array.maxBytes(maxBytes);
        collector.start(array, p, zeroCopy);
        try {
            in.forEachFlushedMessage(collector);
        } finally {
            collector.reset();
        }
        final int cnt = array.count();
        if (cnt == 0) {
            // Only empty buffers.
            in.removeBytes(0);
            return 0;
        }
        if (collector.switchedToZeroCopy) {
            zeroCopy = true; // small direct prefix rides in the candidate's zero-copy sendmsg
        }
        final long expected = array.size();
        final boolean inband = config.isInbandEffective();
        if (zeroCopy) {
            return writeZeroCopy(in, array, cnt, expected, maxBytes, inband);
        }
        long written;
        int res = 0;
        if (inband) {
            res = sendmsgWithPlaceholder(array, cnt, 0);
            applyInband();
            if (res == -Native.EINTR) {
                return 0;
            }
            written = res < 0 ? 0 : res;
        } else {
            copyWriteCalls++;
            written = socket.writevAddresses(array.memoryAddress(0), cnt);
        }
        if (res == -Native.ENOBUFS) {
            // Never wait for EPOLLOUT on ENOBUFS (the socket may be writable: that would spin): plain writev.
            enobufsFallbacks++;
            copyWriteCalls++;
            written = socket.writevAddresses(array.memoryAddress(0), cnt);
        }
        if (written > 0) {
            copySends++;
            copyBytes += written;
            adjustMaxBytesPerGatheringWrite(expected, written, maxBytes);
            in.removeBytes(written);
            return 1;
        }
        return WRITE_STATUS_SNDBUF_FULL;
    }

    private int writeZeroCopy(ChannelOutboundBuffer in, IovArray array, int cnt, long expected, long maxBytes,
                              boolean inband) throws Exception {
        final int fd = socket.intValue();
        int res;
        boolean retried = false;
        for (;;) {
            if (inband) {
                res = sendmsgWithPlaceholder(array, cnt, Native.MSG_ZEROCOPY);
                if (res <= 0) {
                    // No id consumed; the kernel may still have copied notifications back (res == 0).
                    applyInband();
                }
            } else {
                sendmsgCalls++;
                res = Native.sendmsg(fd, array.memoryAddress(0), cnt, Native.MSG_ZEROCOPY, 0, 0, 0);
            }
            if (res == -Native.EINTR) {
                continue;
            }
            if (res == -Native.ENOBUFS) {
                if (!retried) {
                    // Over optmem (or locked pages): completions free it. Drain, then retry once.
                    retried = true;
                    drainErrorQueue(fd);
                    continue;
                }
                // Still ENOBUFS: send this batch by copy. Same iovecs, same order: nothing lost or duplicated.
                enobufsFallbacks++;
                partialZeroCopyBuf = null;
                copyWriteCalls++;
                long written = socket.writevAddresses(array.memoryAddress(0), cnt);
                if (written > 0) {
                    copySends++;
                    copyBytes += written;
                    in.removeBytes(written);
                    return 1;
                }
                return WRITE_STATUS_SNDBUF_FULL;
            }
            break;
        }
        if (res <= 0) {
            // EAGAIN (or 0): the kernel took no send id and pinned nothing.
            return WRITE_STATUS_SNDBUF_FULL;
        }
        // Pin every buffer covered by res bytes under the id this send consumed, before removeBytes releases
        // the outbound buffer's references and completes the promises.
        partialZeroCopyBuf = null;
        pinner.start(res);
        try {
            in.forEachFlushedMessage(pinner);
        } finally {
            // The kernel consumed an id whatever happened here: keep the tracker's ids aligned with the kernel's.
            tracker.commit(res);
        }
        zeroCopySends++;
        zeroCopyBytes += res;
        if (inband) {
            applyInband();
        }
        adjustMaxBytesPerGatheringWrite(expected, res, maxBytes);
        in.removeBytes(res);
        return 1;
    }

    /**
     * sendmsg with the SCM_ZC_NOTIFICATION placeholder. Applies nothing: the caller calls {@link #applyInband()}
     * after every call, for a successful zero-copy send only after committing its id (the copy-back may already
     * contain that id's completion).
     */
    private int sendmsgWithPlaceholder(IovArray array, int cnt, int flags) throws IOException {
        long addr = nativeAddress();
        prepareControl(addr);
        if (flags == 0) {
            copyWriteCalls++;
        } else {
            sendmsgCalls++;
        }
        int res = Native.sendmsg(socket.intValue(), array.memoryAddress(0), cnt, flags, addr, CTL_CAPACITY,
                addr + CTL_LEN_OUT_OFFSET);
        if (res >= 0) {
            placeholderSendsOk++;
        }
        return res;
    }

    private void prepareControl(long addr) {
        int type = inbandCmsgType;
        if (type < 0) {
            type = inbandCmsgType = ZeroCopy.inbandNotificationCmsgType();
        }
        // The kernel may have rewritten cmsg_len and size on the previous call: reset them every time.
        PlatformDependent.putLong(addr, CMSG_LEN);
        PlatformDependent.putInt(addr + 8, SOL_SOCKET);
        PlatformDependent.putInt(addr + 12, type);
        PlatformDependent.putInt(addr + CMSG_HDR, Native.ZC_NOTIFICATION_MAX);
        PlatformDependent.putLong(addr + CTL_LEN_OUT_OFFSET, CTL_CAPACITY);
    }

    /** Applies the ranges the kernel copied back into the control buffer, if it did. */
    private void applyInband() {
        long addr = nativeAddress;
        long controlLen = PlatformDependent.getLong(addr + CTL_LEN_OUT_OFFSET);
        if (controlLen >= CTL_CAPACITY || controlLen < CMSG_HDR + 4) {
            return; // not copied back: the notifications stay in the error queue
        }
        long cmsgLen = PlatformDependent.getLong(addr);
        int level = PlatformDependent.getInt(addr + 8);
        int type = PlatformDependent.getInt(addr + 12);
        int size = PlatformDependent.getInt(addr + CMSG_HDR);
        if (level != SOL_SOCKET || type != inbandCmsgType || size < 0 || size > Native.ZC_NOTIFICATION_MAX
                || CMSG_HDR + 4 + 12L * size > cmsgLen) {
            logger.warn("{}: unexpected SCM_ZC_NOTIFICATION copy-back (len {}, level {}, type {}, size {})",
                    this, cmsgLen, level, type, size);
            return;
        }
        if (size == 0) {
            return;
        }
        int completed = 0;
        int copied = 0;
        long elem = addr + CMSG_HDR + 4;
        for (int i = 0; i < size; i++, elem += 12) {
            int lo = PlatformDependent.getInt(elem);
            int hi = PlatformDependent.getInt(elem + 4);
            boolean wasCopied = PlatformDependent.getByte(elem + 8) == 0;
            int done = tracker.complete(lo, hi, wasCopied);
            completed += done;
            if (wasCopied) {
                copied += done;
            }
        }
        inbandRanges += size;
        inbandSends += completed;
        completionsApplied(completed, copied, true);
    }

    private void completionsApplied(int completed, int copied, boolean inband) {
        if (completed <= 0) {
            return;
        }
        ZeroCopyHandler p = policy;
        if (p != null) {
            p.onCompletions(completed, copied);
        }
        pendingEventSends += completed;
        pendingEventCopied += copied;
        pendingEventInband = inband;
        if (!inWrite) {
            firePendingCompletionEvent();
        }
    }

    private void firePendingCompletionEvent() {
        int completed = pendingEventSends;
        if (completed == 0) {
            return;
        }
        int copied = pendingEventCopied;
        pendingEventSends = 0;
        pendingEventCopied = 0;
        completionEvent.update(completed, copied, tracker.completedSends(), tracker.outstandingSends(),
                tracker.outstandingBytes(), pendingEventInband);
        if (isRegistered()) {
            pipeline().fireUserEventTriggered(completionEvent);
        }
    }

    /**
     * Drains the error queue of {@code fd} completely. Returns the number of zero-copy ranges found; sets
     * {@link #lastDrainSawError} if a non-zero-copy entry (a real error) was dequeued.
     */
    private int drainErrorQueue(int fd) throws IOException {
        long ranges = nativeAddress() + RANGES_OFFSET;
        int found = 0;
        int completed = 0;
        int copied = 0;
        lastDrainSawError = false;
        for (;;) {
            int n = Native.drainErrorQueue(fd, ranges, MAX_RANGES);
            errqueueSyscalls += n + (n < MAX_RANGES ? 1 : 0);
            long r = ranges;
            for (int i = 0; i < n; i++, r += Native.RANGE_SIZE) {
                int originAndCode = PlatformDependent.getInt(r + 8);
                int origin = (originAndCode >>> 8) & 0xff;
                if (origin != Native.SO_EE_ORIGIN_ZEROCOPY) {
                    lastDrainSawError = true;
                    logger.debug("{}: error queue entry origin {} code {} errno {}", this, origin,
                            originAndCode & 0xff, PlatformDependent.getInt(r));
                    continue;
                }
                boolean wasCopied = (originAndCode & 0xff) == Native.SO_EE_CODE_ZEROCOPY_COPIED;
                int done = tracker.complete(PlatformDependent.getInt(r), PlatformDependent.getInt(r + 4), wasCopied);
                found++;
                completed += done;
                if (wasCopied) {
                    copied += done;
                }
            }
            if (n < MAX_RANGES) {
                break;
            }
        }
        errqueueRanges += found;
        errqueueSends += completed;
        completionsApplied(completed, copied, false);
        return found;
    }

    private long nativeAddress() {
        if (nativeMemory == null) {
            nativeMemory = Buffer.allocateDirectWithNativeOrder(NATIVE_MEMORY_SIZE);
            nativeAddress = Buffer.memoryAddress(nativeMemory);
        }
        return nativeAddress;
    }

    private void freeNativeMemory() {
        ByteBuffer mem = nativeMemory;
        if (mem != null) {
            nativeMemory = null;
            nativeAddress = 0;
            Buffer.free(mem);
        }
    }

    private void adjustMaxBytesPerGatheringWrite(long attempted, long written, long oldMax) {
        // As Netty's AbstractEpollStreamChannel: follow what the kernel accepts.
        if (attempted == written) {
            if (attempted << 1 > oldMax) {
                config.maxBytesPerGatheringWrite(attempted << 1);
            }
        } else if (attempted > GATHERING_WRITE_LOW_THRESHOLD && written < attempted >>> 1) {
            config.maxBytesPerGatheringWrite(attempted >>> 1);
        }
    }

    /**
     * Collects consecutive flushed ByteBufs of one kind (zero-copy candidates or not) into the IovArray. With
     * {@link ZeroCopyHandler#isPiggybackSmallBuffers()}, a non-candidate run of direct buffers that is directly
     * followed by a candidate switches to zero-copy and continues with the candidates.
     */
    private static final class BatchCollector implements ChannelOutboundBuffer.MessageProcessor {
        private IovArray array;
        private ZeroCopyHandler policy;
        private boolean zeroCopy;
        private boolean first;
        private boolean prefixDirect;
        boolean switchedToZeroCopy;

        void start(IovArray array, ZeroCopyHandler policy, boolean zeroCopy) {
            this.array = array;
            this.policy = policy;
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
        public boolean processMessage(Object msg) {
            if (!(msg instanceof ByteBuf)) {
                return false;
            }
            ByteBuf buf = (ByteBuf) msg;
            if (first) {
                first = false; // decided by the caller
            } else {
                boolean candidate = policy != null && buf.isReadable() && policy.isZeroCopyCandidate(buf);
                if (candidate != zeroCopy) {
                    if (candidate && prefixDirect && policy.isPiggybackSmallBuffers() && addCandidate(buf)) {
                        zeroCopy = true;
                        switchedToZeroCopy = true;
                        return true;
                    }
                    return false;
                }
            }
            if (!zeroCopy && (!buf.isDirect() || buf instanceof HeapCopyByteBuf)) {
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
    private final class Pinner implements ChannelOutboundBuffer.MessageProcessor {
        private long remaining;

        void start(long bytes) {
            remaining = bytes;
        }

        @Override
        public boolean processMessage(Object msg) {
            if (remaining <= 0 || !(msg instanceof ByteBuf)) {
                return false;
            }
            ByteBuf buf = (ByteBuf) msg;
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

    // =====================================================================================================
    // EPOLLERR
    // =====================================================================================================

    /** See the class javadoc, "Event loop". */
    private boolean consumeEpollErr(boolean writable) {
        if (!isOpen()) {
            return false;
        }
        try {
            if (config.isInbandEffective() && isActive() && !socket.isOutputShutdown()) {
                ChannelOutboundBuffer out = unsafe().outboundBuffer();
                if (out != null && !out.isEmpty() && out.current() instanceof ByteBuf) {
                    if (writable || flushTaskPending) {
                        // A sendmsg is coming in this event-loop iteration; it carries the notifications.
                        return true;
                    }
                    // Waiting for EPOLLOUT. Completions arrive when ACKs free send-buffer space, so a write now
                    // usually succeeds and carries the notifications; only if it gets EAGAIN, read the queue.
                    long before = placeholderSendsOk;
                    ((ZeroCopyUnsafe) unsafe()).flushWhileWaitingForEpollOut();
                    if (placeholderSendsOk != before || !isOpen()) {
                        return true;
                    }
                }
            }
            int found = drainErrorQueue(socket.intValue());
            return found > 0 && !lastDrainSawError;
        } catch (IOException e) {
            logger.debug("{}: recvmsg(MSG_ERRQUEUE) failed", this, e);
            return false;
        } finally {
            publish();
        }
    }

    private final class ZeroCopyUnsafe extends ZeroCopyEpollBridge {
        ZeroCopyUnsafe() {
            super(ZeroCopyEpollSocketChannel.this);
        }

        @Override
        protected void onEpollEvent(boolean epollErr) {
            wakeups++;
            if (epollErr) {
                epollErrWakeups++;
            }
            publish();
        }

        @Override
        protected boolean consumeEpollErr(boolean writable) {
            return ZeroCopyEpollSocketChannel.this.consumeEpollErr(writable);
        }

        void flushNow() {
            flush0();
        }

        void flushWhileWaitingForEpollOut() {
            forceFlush();
        }

        @Override
        protected Executor prepareToClose() {
            try {
                // As EpollSocketChannel: a blocking SO_LINGER close goes to another thread. Only when nothing is
                // outstanding; otherwise our close policy keeps the socket open through a dup anyway.
                if (isOpen() && config.getSoLinger() > 0 && tracker.outstandingSends() == 0) {
                    registration().cancel();
                    return GlobalEventExecutor.INSTANCE;
                }
            } catch (Throwable ignore) {
                // As Netty: the fd may be closed already.
            }
            return null;
        }
    }

    // =====================================================================================================
    // Close policy
    // =====================================================================================================

    @Override
    protected void doClose() throws Exception {
        EventLoop loop = isRegistered() ? eventLoop() : null;
        if (loop == null || !loop.inEventLoop() || tracker.outstandingSends() == 0 || !socket.isOpen()) {
            try {
                super.doClose();
            } finally {
                if (loop == null || loop.inEventLoop()) {
                    if (tracker.outstandingSends() != 0) {
                        // Socket already gone: the kernel purged its queue.
                        tracker.releaseAll();
                    }
                    freeNativeMemory();
                } else {
                    loop.execute(this::freeNativeMemory);
                }
                publish();
            }
            return;
        }
        int dupFd = -1;
        try {
            dupFd = Native.dup(socket.intValue());
            Native.shutdownWrite(dupFd);
        } catch (IOException e) {
            logger.debug("{}: dup/shutdown for the zero-copy close policy failed", this, e);
        }
        try {
            super.doClose();
        } finally {
            if (dupFd < 0) {
                tracker.releaseAll();
                freeNativeMemory();
                publish();
            } else {
                new CloseWaiter(loop, dupFd).start();
            }
        }
    }

    /** Collects the outstanding completions of a closed channel from a dup of its fd (see class javadoc). */
    private final class CloseWaiter implements Runnable {
        private final EventLoop loop;
        private final int fd;
        private final long deadline;
        private final io.netty.util.concurrent.GenericFutureListener<io.netty.util.concurrent.Future<Object>>
                terminationListener = f -> finish(true);
        private long delayMicros = 1000;
        private boolean done;

        CloseWaiter(EventLoop loop, int fd) {
            this.loop = loop;
            this.fd = fd;
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.getCloseTimeoutMillis());
        }

        void start() {
            @SuppressWarnings("unchecked")
            io.netty.util.concurrent.Future<Object> termination =
                    (io.netty.util.concurrent.Future<Object>) loop.terminationFuture();
            termination.addListener(terminationListener);
            run();
        }

        @Override
        public void run() {
            if (done) {
                return;
            }
            try {
                drainErrorQueue(fd);
            } catch (IOException e) {
                logger.debug("{}: draining completions after close failed", ZeroCopyEpollSocketChannel.this, e);
                finish(true);
                return;
            }
            publish();
            if (tracker.outstandingSends() == 0) {
                finish(false);
            } else if (System.nanoTime() - deadline >= 0 || loop.isShuttingDown()) {
                logger.warn("{}: {} zero-copy sends still outstanding {} ms after close; resetting the connection",
                        ZeroCopyEpollSocketChannel.this, tracker.outstandingSends(), config.getCloseTimeoutMillis());
                finish(true);
            } else {
                try {
                    loop.schedule(this, delayMicros, TimeUnit.MICROSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    finish(true); // the event loop is shutting down
                    return;
                }
                delayMicros = Math.min(delayMicros * 2, 50_000);
            }
        }

        private synchronized void finish(boolean abort) {
            if (done) {
                return;
            }
            done = true;
            @SuppressWarnings("unchecked")
            io.netty.util.concurrent.Future<Object> termination =
                    (io.netty.util.concurrent.Future<Object>) loop.terminationFuture();
            termination.removeListener(terminationListener);
            try {
                if (abort) {
                    // RST: the kernel purges the send queue and drops its references to our pages.
                    Native.setLingerZero(fd);
                }
            } catch (IOException e) {
                logger.debug("setsockopt(SO_LINGER 0) failed", e);
            }
            try {
                Native.close(fd);
            } catch (IOException e) {
                logger.debug("close of the duplicated fd failed", e);
            }
            tracker.releaseAll();
            freeNativeMemory();
            publish();
        }
    }

    // =====================================================================================================

    void setTcpMd5Sig(Map<InetAddress, byte[]> keys) throws IOException {
        synchronized (this) {
            tcpMd5SigAddresses = ZeroCopyEpollBridge.newTcpMd5Sigs(this, tcpMd5SigAddresses, keys);
        }
    }
}
