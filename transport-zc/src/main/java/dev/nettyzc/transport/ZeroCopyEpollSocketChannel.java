/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.ZeroCopyEpollBridge;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.UnixChannelUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Drop-in replacement for Netty's {@code EpollSocketChannel} that sends large direct {@link ByteBuf}s with
 * {@code MSG_ZEROCOPY}. Use it (and {@link ZeroCopyEpollServerSocketChannel}) with an epoll event loop group
 * and set {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} (or add a {@link ZeroCopyHandler} for a custom
 * policy); with neither, only writes marked {@link ZeroCopyWrite#zeroCopy} go zero-copy, and everything else is
 * sent by copy with the same syscalls as {@code EpollSocketChannel}. {@code SO_ZEROCOPY} is set when the socket
 * is created.
 *
 * <p>The channel is assembled from parts with one job each:
 * <ul>
 *   <li>{@link ZeroCopyWriter}: batching, pinning, partial buffers, ENOBUFS (the send path and the promise
 *       semantics: the write promise completes when the kernel accepted the bytes, the buffer stays referenced
 *       until its completion);</li>
 *   <li>{@link ChannelCompletions} (shared with {@link ZeroCopyEpollDatagramChannel}): the
 *       {@link CompletionReader} (in-band copy-backs and the error queue, applied to the {@link CompletionTracker},
 *       send id to pinned buffers), the {@link ZeroCopyCounters} behind {@link #zeroCopyStats()}, the error-queue
 *       part of the EPOLLERR handling, and close with sends outstanding ({@link LingeringClose});</li>
 *   <li>{@link CompletionNotifier} (shared too): the policy, the completion event, failing the channel.</li>
 * </ul>
 * This class wires them to Netty: {@code doWrite}, the stream-specific part of the EPOLLERR policy below, and
 * {@code doClose}.
 *
 * <h2>"Memory is free again"</h2>
 * When a completion covers a send, each buffer it pinned is released once, and the channel fires its
 * {@link ZeroCopyCompletionEvent} through the pipeline. After close, {@link #zeroCopyReleaseFuture()} tells when
 * the last pinned buffer went back.
 *
 * <h2>EPOLLERR (Netty 4.2 epoll is level-triggered)</h2>
 * The kernel raises EPOLLERR while completions are queued. The channel's unsafe ({@link ZeroCopyEpollBridge})
 * hands EPOLLERR to the channel first; a completion never costs a {@code read()}, and an undrained queue never
 * spins the loop.
 * <ul>
 *   <li>With sends outstanding, in CMSG mode: if flushed data is waiting and a write is coming now (EPOLLOUT in
 *       the same event, or the flush task is queued), nothing is read: the coming {@code sendmsg} carries the
 *       notifications. If flushed data waits for EPOLLOUT, the channel writes now anyway (completions arrive
 *       when ACKs free send-buffer space, so this usually succeeds and carries them), and reads the error queue
 *       only if that got EAGAIN. Otherwise (and always in ERRQUEUE mode) it drains the error queue.</li>
 *   <li>If that dequeued nothing, or no send was outstanding: {@code poll} tells whether a socket error is
 *       pending (not {@code SO_ERROR}, which would clear it). If none, the EPOLLERR is consumed (the queue was
 *       emptied by a copy-back after {@code epoll_wait} reported it): no read, even with {@code autoRead(false)}.
 *       If POLLERR is still up, the error queue is read once more (an entry may have arrived meanwhile); only if
 *       it is empty is the error a socket error, and Netty's own EPOLLERR handling runs and surfaces it.</li>
 *   <li>A copy-back or error-queue entry that cannot be parsed, or a failing {@code recvmsg}, closes the channel
 *       with an error that says why (after every entry that was read has been applied).</li>
 * </ul>
 *
 * <h2>Close</h2>
 * Without outstanding zero-copy sends, close is exactly Netty's (including SO_LINGER &gt; 0, handed to
 * {@code GlobalEventExecutor}). With sends outstanding the memory is never handed back while the kernel may
 * read it: the socket is kept open through a {@code dup} and {@link LingeringClose} collects the rest of the
 * completions, through {@code deregister()}, {@code shutdownGracefully()} and SO_LINGER alike:
 * FIN after the queued data (or RST at once for SO_LINGER 0), wait up to
 * {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS}, then RST with the socket kept open, so the
 * completions of the purged data still arrive, and as a last resort keep the buffers forever rather than hand
 * them back early.
 */
public final class ZeroCopyEpollSocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    /**
     * The user-defined writability bit ({@code ChannelOutboundBuffer.setUserDefinedWritability}) this channel
     * clears while {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} is reached, and sets again once
     * completions brought the pinned bytes down to half the bound. Applications using their own user-defined bits
     * should pick others.
     */
    public static final int PINNED_BYTES_WRITABILITY_INDEX = 31;

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ZeroCopyEpollSocketChannel.class);
    private final ZeroCopyEpollSocketChannelConfig config;
    private volatile Collection<InetAddress> tcpMd5SigAddresses = Collections.emptyList();

    // ---- confined to the event loop; after close to the lingering close ----
    private final CompletionNotifier notifier = new CompletionNotifier(this, false);
    private final ChannelCompletions completions = new ChannelCompletions(notifier);
    private final ZeroCopyCounters counters = completions.counters;
    private final CompletionTracker tracker = completions.tracker;
    private final ZeroCopyWriter writer;
    private final Runnable flushTask = new Runnable() {
        @Override
        public void run() {
            flushTaskPending = false;
            ((ZeroCopyUnsafe) unsafe()).flushNow();
        }
    };
    private boolean flushTaskPending;

    public ZeroCopyEpollSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    public ZeroCopyEpollSocketChannel(SocketProtocolFamily protocol) {
        super(newZeroCopySocket(protocol), false);
        config = new ZeroCopyEpollSocketChannelConfig(this);
        writer = newWriter();
    }

    ZeroCopyEpollSocketChannel(Channel parent, LinuxSocket fd, InetSocketAddress remoteAddress) {
        super(parent, fd, remoteAddress);
        config = new ZeroCopyEpollSocketChannelConfig(this);
        writer = newWriter();
        if (parent instanceof ZeroCopyEpollServerSocketChannel) {
            tcpMd5SigAddresses = ((ZeroCopyEpollServerSocketChannel) parent).tcpMd5SigAddresses();
        }
    }

    private ZeroCopyWriter newWriter() {
        ZeroCopyWriter w = new ZeroCopyWriter(socket, new ZeroCopyWriter.Owner() {
            @Override
            public ZeroCopyHandler policy() {
                return notifier.policyOr(config.thresholdPolicy());
            }

            @Override
            public long maxPinnedBytes() {
                return config.getMaxPinnedBytes();
            }

            @Override
            public boolean isInbandEffective() {
                return config.isInbandEffective();
            }

            @Override
            public long maxBytesPerGatheringWrite() {
                return config.maxBytesPerGatheringWrite();
            }

            @Override
            public void maxBytesPerGatheringWrite(long bytes) {
                config.maxBytesPerGatheringWrite(bytes);
            }

            @Override
            public void completionsApplied(int completed, int copied, boolean inband) {
                notifier.completionsApplied(completed, copied);
            }
        }, tracker, completions.reader, counters);
        notifier.writerHook(w::onCompletions);
        notifier.pinnedBound(w::isPinnedBoundReached);
        return w;
    }

    /** A new stream socket with SO_ZEROCOPY set (it must be set in the initial state, else EBUSY). */
    static LinuxSocket newZeroCopySocket(SocketProtocolFamily protocol) {
        ZeroCopy.ensureAvailability();
        return withSoZeroCopy(protocol == null ? LinuxSocket.newSocketStream() : LinuxSocket.newSocketStream(protocol));
    }

    /** Sets SO_ZEROCOPY on a new socket (closing it on failure); shared with the datagram channel. */
    static LinuxSocket withSoZeroCopy(LinuxSocket socket) {
        try {
            Native.setSoZeroCopy(socket.intValue(), Native.SO_ZEROCOPY_ON);
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
    // Policy, statistics, release
    // =====================================================================================================

    /** The policy holder, for {@link ZeroCopyHandler}. */
    CompletionNotifier notifier() {
        return notifier;
    }

    /**
     * Statistics snapshot of this channel (also available as {@link ZeroCopyHandler#stats()}). Safe to call from
     * any thread, also after close; it reflects everything published up to the last completed I/O operation.
     */
    public ZeroCopyStats zeroCopyStats() {
        return completions.stats(config.isInbandEffective());
    }

    /**
     * Completes once the channel is closed and every buffer it pinned for a zero-copy send has been released by
     * that send's completion: from then on no memory of this channel is referenced by the kernel. Fails if the
     * closed channel had to give up on completions that never came ({@link ZeroCopyStats#quarantinedSends()}):
     * those buffers are kept, never released. Listeners run on the thread that released the last buffer (the
     * event loop, or the lingering-close thread after the loop shut down); they must not block.
     */
    public Future<Void> zeroCopyReleaseFuture() {
        return completions.releaseFuture();
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
                return heap ? ZeroCopyWrite.markHeapCopy(buf, copy, notifier.policyOr(config.thresholdPolicy())) : copy;
            }
            return buf;
        }
        return super.filterOutboundMessage(msg);
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        notifier.beginWrite();
        try {
            int writeSpinCount = config.getWriteSpinCount();
            do {
                // Fired here (between syscalls, like Netty's promise notifications) so that a handler reacting
                // with write+flush is picked up by this loop, and never while the thread's IovArray is in use.
                notifier.fireEventIfPending();
                if (in.size() == 0) {
                    ZeroCopyEpollBridge.clearEpollOut(this);
                    return;
                }
                Object msg = in.current();
                if (msg instanceof ByteBuf) {
                    writeSpinCount -= writer.writeBuffers(in, (ByteBuf) msg);
                    String failure = writer.takeFailure();
                    if (failure != null) {
                        // The pipeline learns why; the close fails the pending writes.
                        notifier.fail(new IOException(failure));
                        return;
                    }
                } else {
                    writeSpinCount -= doWriteSingle(in);
                }
            } while (writeSpinCount > 0);
            notifier.fireEventIfPending(); // before EPOLLOUT / the flush task is armed below

            if (writeSpinCount == 0) {
                // Quantum used, socket still writable as far as we know: write again later, not on EPOLLOUT.
                ZeroCopyEpollBridge.clearEpollOut(this);
                flushTaskPending = true;
                eventLoop().execute(flushTask);
            } else {
                setFlag(io.netty.channel.epoll.Native.EPOLLOUT);
            }
        } finally {
            notifier.endWrite();
            counters.publish();
        }
    }

    // =====================================================================================================
    // EPOLLERR
    // =====================================================================================================

    /** See the class javadoc, "EPOLLERR". */
    private boolean consumeEpollErr(boolean writable) {
        if (!isOpen()) {
            return false;
        }
        if (tracker.outstandingSends() > 0 && config.isInbandEffective() && isActive() && !socket.isOutputShutdown()) {
            ChannelOutboundBuffer out = unsafe().outboundBuffer();
            if (out != null && !out.isEmpty() && out.current() instanceof ByteBuf) {
                if (writable || flushTaskPending) {
                    return true; // a sendmsg is coming in this event-loop iteration; it carries them
                }
                long before = writer.placeholderSendsOk();
                ((ZeroCopyUnsafe) unsafe()).flushWhileWaitingForEpollOut();
                if (writer.placeholderSendsOk() != before || !isOpen()) {
                    return true;
                }
            }
        }
        return completions.consumeEpollErr(this, socket.intValue());
    }

    private final class ZeroCopyUnsafe extends ZeroCopyEpollBridge {
        ZeroCopyUnsafe() {
            super(ZeroCopyEpollSocketChannel.this);
        }

        @Override
        protected void onEpollEvent(boolean epollErr) {
            completions.countWakeup(epollErr);
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
                // As EpollSocketChannel: a blocking SO_LINGER close goes to another thread. With sends outstanding
                // the close keeps the socket open through a dup, so it does not block; the lingering close
                // moves its own final close off the loop instead.
                if (isOpen() && tracker.outstandingSends() == 0 && config.getSoLinger() > 0) {
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
    // Close
    // =====================================================================================================

    @Override
    protected void doClose() throws Exception {
        completions.close(this, socket, config.getCloseTimeoutMillis(), super::doClose);
    }

    // =====================================================================================================

    Collection<InetAddress> tcpMd5SigAddresses() {
        return tcpMd5SigAddresses;
    }

    void setTcpMd5Sig(Map<InetAddress, byte[]> keys) throws IOException {
        synchronized (this) {
            tcpMd5SigAddresses = ZeroCopyEpollBridge.newTcpMd5Sigs(this, tcpMd5SigAddresses, keys);
        }
    }
}
