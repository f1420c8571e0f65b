/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import dev.nettyzc.transport.ZeroCopy;
import dev.nettyzc.transport.ZeroCopyEpollSocketChannel;
import dev.nettyzc.transport.ZeroCopyMetric;
import dev.nettyzc.transport.ZeroCopyStats;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide statistics: HTTP counters, and the zero-copy counters of every connection, open or closed.
 *
 * <p>Each {@link ZeroCopyEpollSocketChannel} keeps its own counters ({@link ZeroCopyStats} snapshots can be
 * taken from any thread). A connection is tracked from accept until it is closed <em>and</em> its last
 * zero-copy send has completed (a closed channel may still wait for completions); then its final snapshot is
 * folded into the totals of closed connections. So the sums never lose or double-count a send. The process-wide
 * totals ({@link ZeroCopy#metric()}, every zero-copy channel of the JVM, this server's and any other) are served
 * next to them.
 */
public final class ServerStats {

    /** Sum of {@link ZeroCopyStats} over connections. */
    public static final class ZeroCopyTotals {
        public long zeroCopySends;
        public long zeroCopyBytes;
        public long copySends;
        public long copyBytes;
        public long completedSends;
        public long copiedSends;
        public long inbandRanges;
        public long inbandSends;
        public long errqueueRanges;
        public long errqueueSends;
        public long sendmsgCalls;
        public long errqueueSyscalls;
        public long enobufsErrors;
        public long ignoredIds;
        public long outstandingSends;
        public long outstandingBuffers;
        public long outstandingBytes;

        void add(ZeroCopyStats s, boolean withOutstanding) {
            zeroCopySends += s.zeroCopySends();
            zeroCopyBytes += s.zeroCopyBytes();
            copySends += s.copySends();
            copyBytes += s.copyBytes();
            completedSends += s.completedSends();
            copiedSends += s.copiedSends();
            inbandRanges += s.inbandRanges();
            inbandSends += s.inbandSends();
            errqueueRanges += s.errqueueRanges();
            errqueueSends += s.errqueueSends();
            sendmsgCalls += s.sendmsgCalls();
            errqueueSyscalls += s.errqueueSyscalls();
            enobufsErrors += s.enobufsErrors();
            ignoredIds += s.ignoredIds();
            if (withOutstanding) {
                outstandingSends += s.outstandingSends();
                outstandingBuffers += s.outstandingBuffers();
                outstandingBytes += s.outstandingBytes();
            }
        }

        void add(ZeroCopyTotals t) {
            zeroCopySends += t.zeroCopySends;
            zeroCopyBytes += t.zeroCopyBytes;
            copySends += t.copySends;
            copyBytes += t.copyBytes;
            completedSends += t.completedSends;
            copiedSends += t.copiedSends;
            inbandRanges += t.inbandRanges;
            inbandSends += t.inbandSends;
            errqueueRanges += t.errqueueRanges;
            errqueueSends += t.errqueueSends;
            sendmsgCalls += t.sendmsgCalls;
            errqueueSyscalls += t.errqueueSyscalls;
            enobufsErrors += t.enobufsErrors;
            ignoredIds += t.ignoredIds;
            outstandingSends += t.outstandingSends;
            outstandingBuffers += t.outstandingBuffers;
            outstandingBytes += t.outstandingBytes;
        }
    }

    /** The process-wide {@link ZeroCopyMetric}, read once per snapshot. */
    public record ProcessZeroCopy(long zeroCopySends, long zeroCopyBytes, long copySends, long copyBytes,
                                  long completedSends, long copiedSends, long inbandCompletedSends,
                                  long errqueueCompletedSends, long enobufsErrors, long closeAborts,
                                  long badCopyBacks, long quarantinedSends, long quarantinedBytes, long pinnedBytes,
                                  long peakPinnedBytes) {
        static ProcessZeroCopy of(ZeroCopyMetric m) {
            return new ProcessZeroCopy(m.zeroCopySends(), m.zeroCopyBytes(), m.copySends(), m.copyBytes(),
                    m.completedSends(), m.copiedSends(), m.inbandCompletedSends(), m.errqueueCompletedSends(),
                    m.enobufsErrors(), m.closeAborts(), m.badCopyBacks(), m.quarantinedSends(),
                    m.quarantinedBytes(), m.pinnedBytes(), m.peakPinnedBytes());
        }
    }

    /** A consistent snapshot of everything, as served by {@code /_stats}. */
    public record Snapshot(String zeroCopyMode, String notificationMode, String transfer, String channel,
                           long uptimeMillis, long connectionsOpen, long connectionsTotal, long idleClosed,
                           long requests, long[] statusClasses, long bodyBytes, ZeroCopyTotals zeroCopy,
                           ProcessZeroCopy zeroCopyProcess, ContentCache.Stats cache) {

        public String toJson() {
            StringBuilder sb = new StringBuilder(1024);
            sb.append("{\n");
            sb.append("  \"server\": {\"zerocopy\": \"").append(zeroCopyMode)
              .append("\", \"notification_mode\": \"").append(notificationMode)
              .append("\", \"transfer\": \"").append(transfer)
              .append("\", \"channel\": \"").append(channel)
              .append("\", \"uptime_ms\": ").append(uptimeMillis).append("},\n");
            sb.append("  \"connections\": {\"open\": ").append(connectionsOpen)
              .append(", \"total\": ").append(connectionsTotal)
              .append(", \"idle_closed\": ").append(idleClosed).append("},\n");
            sb.append("  \"requests\": {\"total\": ").append(requests)
              .append(", \"2xx\": ").append(statusClasses[2])
              .append(", \"3xx\": ").append(statusClasses[3])
              .append(", \"4xx\": ").append(statusClasses[4])
              .append(", \"5xx\": ").append(statusClasses[5])
              .append(", \"body_bytes\": ").append(bodyBytes).append("},\n");
            ZeroCopyTotals z = zeroCopy;
            sb.append("  \"zerocopy\": {")
              .append("\"sends\": ").append(z.zeroCopySends)
              .append(", \"bytes\": ").append(z.zeroCopyBytes)
              .append(", \"copy_sends\": ").append(z.copySends)
              .append(", \"copy_bytes\": ").append(z.copyBytes)
              .append(", \"completed_sends\": ").append(z.completedSends)
              .append(", \"copied_completions\": ").append(z.copiedSends)
              .append(", \"inband_completions\": ").append(z.inbandSends)
              .append(", \"inband_ranges\": ").append(z.inbandRanges)
              .append(", \"errqueue_completions\": ").append(z.errqueueSends)
              .append(", \"errqueue_ranges\": ").append(z.errqueueRanges)
              .append(", \"sendmsg_calls\": ").append(z.sendmsgCalls)
              .append(", \"errqueue_syscalls\": ").append(z.errqueueSyscalls)
              .append(", \"enobufs_errors\": ").append(z.enobufsErrors)
              .append(", \"ignored_ids\": ").append(z.ignoredIds)
              .append(", \"outstanding_sends\": ").append(z.outstandingSends)
              .append(", \"outstanding_buffers\": ").append(z.outstandingBuffers)
              .append(", \"outstanding_bytes\": ").append(z.outstandingBytes)
              .append("},\n");
            ProcessZeroCopy pz = zeroCopyProcess;
            sb.append("  \"zerocopy_process\": {")
              .append("\"sends\": ").append(pz.zeroCopySends())
              .append(", \"bytes\": ").append(pz.zeroCopyBytes())
              .append(", \"copy_sends\": ").append(pz.copySends())
              .append(", \"copy_bytes\": ").append(pz.copyBytes())
              .append(", \"completed_sends\": ").append(pz.completedSends())
              .append(", \"copied_completions\": ").append(pz.copiedSends())
              .append(", \"inband_completions\": ").append(pz.inbandCompletedSends())
              .append(", \"errqueue_completions\": ").append(pz.errqueueCompletedSends())
              .append(", \"enobufs_errors\": ").append(pz.enobufsErrors())
              .append(", \"close_aborts\": ").append(pz.closeAborts())
              .append(", \"bad_copy_backs\": ").append(pz.badCopyBacks())
              .append(", \"quarantined_sends\": ").append(pz.quarantinedSends())
              .append(", \"quarantined_bytes\": ").append(pz.quarantinedBytes())
              .append(", \"pinned_bytes\": ").append(pz.pinnedBytes())
              .append(", \"peak_pinned_bytes\": ").append(pz.peakPinnedBytes())
              .append("},\n");
            ContentCache.Stats c = cache;
            sb.append("  \"cache\": {\"entries\": ").append(c.entries())
              .append(", \"bytes\": ").append(c.bytes())
              .append(", \"capacity\": ").append(c.capacity())
              .append(", \"max_entry\": ").append(c.maxEntrySize())
              .append(", \"hits\": ").append(c.hits())
              .append(", \"misses\": ").append(c.misses())
              .append(", \"loads\": ").append(c.loads())
              .append(", \"evictions\": ").append(c.evictions())
              .append(", \"invalidations\": ").append(c.invalidations())
              .append("}\n}\n");
            return sb.toString();
        }

        /** One line for the periodic log. */
        public String toLogLine() {
            ZeroCopyTotals z = zeroCopy;
            ContentCache.Stats c = cache;
            return String.format(Locale.ROOT,
                    "stats: conns %d open/%d total | req %d (2xx %d 3xx %d 4xx %d 5xx %d) %s | "
                            + "zc sends %d (%s) completed %d copied %d in-band %d errqueue %d outstanding %d (%s) "
                            + "| copy sends %d (%s) | cache %d entries %s/%s hit %d miss %d evict %d inval %d",
                    connectionsOpen, connectionsTotal, requests, statusClasses[2], statusClasses[3],
                    statusClasses[4], statusClasses[5], human(bodyBytes),
                    z.zeroCopySends, human(z.zeroCopyBytes), z.completedSends, z.copiedSends, z.inbandSends,
                    z.errqueueSends, z.outstandingSends, human(z.outstandingBytes),
                    z.copySends, human(z.copyBytes),
                    c.entries(), human(c.bytes()), human(c.capacity()), c.hits(), c.misses(), c.evictions(),
                    c.invalidations());
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
    }

    private final long startNanos = System.nanoTime();
    private final String zeroCopyMode;
    private final String notificationMode;
    private final String transfer;
    private final String channelType;
    private final ContentCache cache;

    private final List<ZeroCopyEpollSocketChannel> tracked = new ArrayList<>();
    private final ZeroCopyTotals closedTotals = new ZeroCopyTotals();

    private final LongAdder connectionsOpen = new LongAdder();
    private final LongAdder connectionsTotal = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder[] statusClasses = new LongAdder[6];
    private final LongAdder bodyBytes = new LongAdder();

    ServerStats(String zeroCopyMode, String notificationMode, String transfer, String channelType,
                ContentCache cache) {
        this.zeroCopyMode = zeroCopyMode;
        this.notificationMode = notificationMode;
        this.transfer = transfer;
        this.channelType = channelType;
        this.cache = cache;
        for (int i = 0; i < statusClasses.length; i++) {
            statusClasses[i] = new LongAdder();
        }
    }

    /** Called once per accepted connection. */
    void connectionOpened(Channel ch) {
        connectionsOpen.increment();
        connectionsTotal.increment();
        if (ch instanceof ZeroCopyEpollSocketChannel) {
            synchronized (this) {
                tracked.add((ZeroCopyEpollSocketChannel) ch);
            }
        }
        ch.closeFuture().addListener(f -> {
            connectionsOpen.decrement();
            sweep();
        });
    }

    void idleClosed() {
        idleClosed.increment();
    }

    void request() {
        requests.increment();
    }

    void response(int status, long bodyLength) {
        int cls = status / 100;
        if (cls >= 1 && cls <= 5) {
            statusClasses[cls].increment();
        }
        bodyBytes.add(bodyLength);
    }

    /** Folds closed connections without outstanding sends into the totals; cheap, called periodically. */
    public synchronized void sweep() {
        for (int i = tracked.size() - 1; i >= 0; i--) {
            ZeroCopyEpollSocketChannel ch = tracked.get(i);
            if (!ch.isOpen()) {
                ZeroCopyStats s = ch.zeroCopyStats();
                if (s.outstandingSends() == 0) {
                    closedTotals.add(s, false);
                    int last = tracked.size() - 1;
                    tracked.set(i, tracked.get(last));
                    tracked.remove(last);
                }
            }
        }
    }

    public Snapshot snapshot() {
        ZeroCopyTotals z = new ZeroCopyTotals();
        synchronized (this) {
            sweep();
            z.add(closedTotals);
            for (ZeroCopyEpollSocketChannel ch : tracked) {
                z.add(ch.zeroCopyStats(), true);
            }
        }
        long[] classes = new long[6];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = statusClasses[i].sum();
        }
        return new Snapshot(zeroCopyMode, notificationMode, transfer, channelType,
                (System.nanoTime() - startNanos) / 1_000_000, connectionsOpen.sum(), connectionsTotal.sum(),
                idleClosed.sum(), requests.sum(), classes, bodyBytes.sum(), z, ProcessZeroCopy.of(ZeroCopy.metric()),
                cache.stats());
    }
}
