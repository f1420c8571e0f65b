/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The completion side of one zero-copy socket, shared by the stream and the datagram channel: the
 * {@link CompletionTracker} of its pinned buffers, the {@link CompletionReader}, the {@link ZeroCopyCounters},
 * the error-queue drain with its failure handling, and close with sends outstanding ({@link LingeringClose}
 * through a {@code dup} of the socket) ending in {@link #releaseFuture()}. The channels only wire it to Netty.
 *
 * <p>Confined to the channel's event loop; after a lingering close started, to the lingering close.
 */
final class ChannelCompletions {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ChannelCompletions.class);
    /**
     * Shortest wait for completions after a lingering close reset the socket. After the reset only clones in a
     * qdisc or driver ring (or, on loopback, a receiver's queue) still reference the pages; giving up means keeping
     * the buffers forever, so it waits generously.
     */
    private static final long MIN_ABORT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What the drain reports to its channel. */
    interface Owner {
        /** Completions were applied: their buffers are released already. */
        void completionsApplied(int completed, int copied);

        /** The completion state is broken (unreadable entry, failing recvmsg): fire and close. */
        void fail(Throwable cause);

        /**
         * The drain dequeued an ICMP error ({@code SO_EE_ORIGIN_ICMP/ICMP6}, only queued with {@code IP_RECVERR}).
         * Dequeuing it also cleared the socket error it had set, so the channel must surface it now.
         */
        void icmpError(int errno, int entries);
    }

    /** Netty's {@code doClose} of the channel. */
    interface NettyClose {
        void close() throws Exception;
    }

    final CompletionTracker tracker = new CompletionTracker();
    /** Constructed with the tracker: folded into {@link ZeroCopy#metric()} at each publish. */
    final ZeroCopyCounters counters = new ZeroCopyCounters(tracker);
    final CompletionReader reader = new CompletionReader(tracker, counters);
    private final Promise<Void> releaseFuture = ImmediateEventExecutor.INSTANCE.newPromise();
    private final Owner owner;
    private LingeringClose lingering;

    ChannelCompletions(Owner owner) {
        this.owner = owner;
    }

    /** See {@code zeroCopyReleaseFuture()} of the channels. */
    Future<Void> releaseFuture() {
        return releaseFuture;
    }

    ZeroCopyStats stats(boolean inband) {
        return counters.snapshot(tracker, inband ? ZeroCopyNotificationMode.CMSG : ZeroCopyNotificationMode.ERRQUEUE);
    }

    /** An epoll event was dispatched to the channel (statistics: wakeups, EPOLLERR wakeups). */
    void countWakeup(boolean epollErr) {
        counters.wakeups++;
        if (epollErr) {
            counters.epollErrWakeups++;
        }
        counters.publish();
    }

    /** Drains and applies the error queue; fails the channel on what cannot be read. Returns entries dequeued. */
    int drainErrorQueue(int fd) {
        int completed = reader.drain(fd);
        if (completed > 0) {
            owner.completionsApplied(completed, reader.lastCopied());
        }
        if (reader.lastIcmpEntries() > 0) {
            owner.icmpError(reader.lastIcmpErrno(), reader.lastIcmpEntries());
        }
        if (reader.lastUnreadableEntries() > 0) {
            owner.fail(new IOException(reader.problem()));
        } else if (reader.lastErrno() != 0) {
            owner.fail(new Errors.NativeIoException("recvmsg", -reader.lastErrno()));
        }
        return reader.lastEntries();
    }

    /**
     * The part of a channel's EPOLLERR handling both channels share, after the channel's own decision not to
     * defer (see the stream channel's javadoc, "EPOLLERR"): with sends outstanding, drain the error queue; if that
     * dequeued nothing (or nothing was outstanding), {@code poll} tells whether a socket error is pending (not
     * {@code SO_ERROR}, which would clear it). If none, the EPOLLERR is consumed (a copy-back emptied the queue
     * after {@code epoll_wait} reported it). If POLLERR is still up, the queue is read once more (an entry may have
     * arrived meanwhile); only if it is empty is the error a socket error, for Netty's own handling.
     *
     * @return {@code true} if EPOLLERR is consumed, {@code false} to let Netty handle the event
     */
    boolean consumeEpollErr(Channel channel, int fd) {
        try {
            if (tracker.outstandingSends() > 0 && (drainErrorQueue(fd) > 0 || !channel.isOpen())) {
                // A socket error that is pending as well keeps EPOLLERR raised: the next epoll_wait reports it.
                return true;
            }
            if (!Native.isErrorPending(fd)) {
                counters.spuriousEpollErrs++;
                return true;
            }
            // POLLERR: a socket error, or an error-queue entry (one that arrived after the drain, or one that is no
            // completion of ours). Dequeue what is there: Netty's read would not, and EPOLLERR would spin.
            return drainErrorQueue(fd) > 0;
        } catch (IOException e) {
            logger.debug("{}: poll for a pending socket error failed", channel, e);
            return false;
        } finally {
            counters.publish();
        }
    }

    /**
     * The channel's {@code doClose}. Without outstanding sends it is Netty's close. With sends outstanding the
     * socket is kept open through a {@code dup} and a {@link LingeringClose} collects the rest of the completions
     * (the buffers are never handed back while the kernel may read them).
     *
     * @param channel the channel; its event loop is asked for only with sends outstanding (an unregistered
     *                channel has none, and Netty keeps the loop after deregister)
     */
    void close(Channel channel, LinuxSocket socket, int closeTimeoutMillis, NettyClose nettyClose)
            throws Exception {
        if (lingering != null || tracker.outstandingSends() == 0) {
            try {
                nettyClose.close();
            } finally {
                if (lingering == null) {
                    releaseFuture.trySuccess(null);
                }
                counters.publish();
            }
            return;
        }
        String name = channel.toString();
        EventLoop loop = channel.eventLoop();
        int soLinger = soLingerAtClose(socket);
        int dupFd = -1;
        IOException dupFailure = null;
        try {
            dupFd = Native.dup(socket.intValue());
        } catch (IOException e) {
            dupFailure = e;
        }
        if (dupFd >= 0) {
            long timeout = TimeUnit.MILLISECONDS.toNanos(closeTimeoutMillis);
            lingering = new LingeringClose(new LingeringSocket(dupFd), name, soLinger, timeout,
                    Math.max(timeout, MIN_ABORT_GRACE_NANOS), System::nanoTime, LingeringClose.scheduler(loop),
                    LingeringClose.fallback(), GlobalEventExecutor.INSTANCE, releaseFuture);
            lingering.begin();
        }
        try {
            nettyClose.close();
        } finally {
            if (lingering != null) {
                lingering.start(loop.inEventLoop() && !loop.isShuttingDown());
            } else {
                abandonAll(name, "its socket could not be kept open to collect them (" + dupFailure + ")");
            }
            counters.publish();
        }
    }

    private static int soLingerAtClose(LinuxSocket socket) {
        try {
            return socket.getSoLinger();
        } catch (IOException e) {
            return -1;
        }
    }

    private void abandonAll(String name, String why) {
        int sends = tracker.outstandingSends();
        quarantine();
        logger.warn("{}: closed with {} zero-copy sends outstanding, and {}. Their buffers are kept and never "
                + "released, because the kernel may still read them.", name, sends, why);
        releaseFuture.tryFailure(new ChannelException(name + ": zero-copy buffers abandoned at close: " + why));
    }

    private void quarantine() {
        counters.quarantinedSends += tracker.outstandingSends();
        counters.quarantinedBytes += tracker.outstandingBytes();
        tracker.abandonAll(LingeringClose::quarantine);
    }

    /** The closed channel's socket, kept open by a duplicated fd while its completions arrive. */
    private final class LingeringSocket implements LingeringClose.Target {
        private final int fd;

        LingeringSocket(int fd) {
            this.fd = fd;
        }

        @Override
        public int collect() throws IOException {
            reader.drain(fd);
            counters.publish();
            if (reader.lastErrno() != 0) {
                throw new Errors.NativeIoException("recvmsg", -reader.lastErrno());
            }
            return tracker.outstandingSends();
        }

        @Override
        public void shutdownOutput() throws IOException {
            Native.shutdownWrite(fd);
        }

        @Override
        public void abort() throws IOException {
            counters.closeAborts++;
            counters.publish();
            Native.disconnect(fd);
        }

        @Override
        public void close() throws IOException {
            Native.close(fd);
        }

        @Override
        public void abandon() {
            quarantine();
            counters.publish();
        }
    }
}
