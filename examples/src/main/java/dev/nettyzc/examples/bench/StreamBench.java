/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.bench;

import dev.nettyzc.transport.ZeroCopy;
import dev.nettyzc.transport.ZeroCopyChannelOption;
import dev.nettyzc.transport.ZeroCopyEpollDatagramChannel;
import dev.nettyzc.transport.ZeroCopyEpollSocketChannel;
import dev.nettyzc.transport.ZeroCopyHandler;
import dev.nettyzc.transport.ZeroCopyNotificationMode;
import dev.nettyzc.transport.ZeroCopyStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Streams fixed-size buffers from one Netty client channel to a loopback receiver for a fixed duration, the
 * Java counterpart of {@code kernel/tools/zc_bench}. It prints one parseable line per run.
 *
 * <p>Modes: {@code copy} (Netty's {@code EpollSocketChannel}), {@code errqueue} and {@code cmsg} (our channel,
 * completions from the error queue or in-band), {@code uring} and {@code uring-zc} (Netty io_uring, without
 * and with {@code SEND_ZC}), {@code zc-off} (our channel with zero-copy off: threshold -1). Every mode writes
 * the same read-only direct buffer (a retained duplicate per write), keeps the channel's outbound buffer between
 * the same water marks, and counts event-loop wakeups with the same {@link IoHandler} wrapper, so the modes
 * differ only in the transport.
 *
 * <p>By default the sender writes until the channel is unwritable and then flushes, so the transport may gather
 * many buffers into one syscall; {@code --flush-each} flushes every buffer on its own, and {@code --serial} writes
 * the next buffer only when the kernel has accepted the previous one (one send per write, as a server answering
 * one request at a time does).
 *
 * <p>The receiver is a plain blocking NIO socket on its own thread ({@code --sink-port} sends to a receiver
 * in another process instead, so that {@code strace -f -c} on this process counts only the sender, and so that
 * the Java and C senders can share one receiver: {@code kernel/tools/zc_bench -r PORT}).
 * {@code --sndbuf} sets {@code SO_SNDBUF} on every transport alike.
 *
 * <p>{@code --udp} sends datagrams instead, on a connected datagram channel: {@code copy} is Netty's {@code
 * EpollDatagramChannel}, {@code errqueue} and {@code cmsg} our {@link ZeroCopyEpollDatagramChannel} (zero-copy
 * for datagrams of at least {@code --threshold} bytes, through {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}).
 * Each write is one datagram of {@code --size} bytes, or with {@code --segment BYTES} one {@link
 * SegmentedDatagramPacket} (UDP GSO) of {@code --size} bytes cut into segments of that size. UDP needs a
 * receiver elsewhere ({@code --sink-port}; a UDP sender cannot tell what arrived), or an address nothing
 * answers on ({@code --target}, e.g. one routed through a {@code dummy} device: see {@code examples/bench-stream
 * udp-dummy}).
 *
 * <p>Every line also carries the sender's CPU time over the measured interval: the event-loop thread's
 * ({@code thread_cpu_s}, user + system, from {@link ThreadMXBean}) and the whole JVM's ({@code process_cpu_s}),
 * and the event-loop thread's seconds per GB (10^9 bytes) the kernel accepted ({@code cpu_s_per_GB}).
 */
public final class StreamBench {

    private static final String USAGE = String.join("\n",
            "usage: StreamBench [--mode copy|errqueue|cmsg|zc-off|uring|uring-zc[,...]] [--size BYTES]",
            "                   [--seconds S | --writes N] [--warmup S]",
            "                   [--ipv6] [--threshold BYTES] [--flush-each | --serial]",
            "                   [--sink-port PORT] [--sndbuf BYTES]",
            "                   [--udp [--segment BYTES] [--target ADDRESS]]",
            "                       (datagrams; modes copy, errqueue, cmsg, zc-off)",
            "       StreamBench --sink PORT [--ipv6]     (receiver only, runs until killed)",
            "       StreamBench --probe                  (prints what ZeroCopy found: available, inband, cmsg_type;",
            "                                             and whether Netty io_uring is available)");

    /** Datagrams per flush before the event loop gets back to epoll (Netty's default write spin count, 16). */
    private static final int UDP_MESSAGES_PER_WRITE = 16;

    private StreamBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = "errqueue";
        int size = 64 * 1024;
        double seconds = 2;
        double warmup = 0;
        long writes = -1;
        boolean ipv6 = false;
        int threshold = ZeroCopyHandler.DEFAULT_THRESHOLD;
        int sinkPort = -1;
        int sinkOnly = -1;
        int sndbuf = 0;
        boolean flushEach = false;
        boolean serial = false;
        boolean udp = false;
        int segment = 0;
        String targetHost = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--mode" -> mode = value(args, ++i, a);
                case "--size" -> size = Integer.parseInt(value(args, ++i, a));
                case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, a));
                case "--writes" -> writes = Long.parseLong(value(args, ++i, a));
                case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, a));
                case "--ipv6" -> ipv6 = true;
                case "--flush-each" -> flushEach = true;
                case "--serial" -> serial = true;
                case "--threshold" -> threshold = Integer.parseInt(value(args, ++i, a));
                case "--sink-port" -> sinkPort = Integer.parseInt(value(args, ++i, a));
                case "--sink" -> sinkOnly = Integer.parseInt(value(args, ++i, a));
                case "--sndbuf" -> sndbuf = Integer.parseInt(value(args, ++i, a));
                case "--udp" -> udp = true;
                case "--segment" -> segment = Integer.parseInt(value(args, ++i, a));
                case "--target" -> targetHost = value(args, ++i, a);
                case "--probe" -> {
                    System.out.println("available=" + ZeroCopy.isAvailable()
                            + " inband=" + (ZeroCopy.isAvailable() && ZeroCopy.isInbandNotificationSupported())
                            + " cmsg_type=" + (ZeroCopy.isAvailable() ? ZeroCopy.inbandNotificationCmsgType() : -1)
                            + " defer_pollerr=" + (ZeroCopy.isAvailable() && ZeroCopy.isDeferPollerrSupported())
                            + " io_uring=" + IoUring.isAvailable());
                    return;
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> throw usage("unknown argument '" + a + "'");
            }
        }
        if (size <= 0) {
            throw usage("--size must be positive");
        }
        if (sndbuf < 0) {
            throw usage("--sndbuf must be 0 (kernel default) or positive");
        }
        if (udp) {
            // zc_bench's limit: the largest UDP payload of one IPv4 / IPv6 datagram (no jumbograms).
            int maxPayload = 65535 - 8 - (ipv6 ? 0 : 20);
            if (size > maxPayload) {
                throw usage("--udp: --size " + size + " exceeds the largest UDP payload, " + maxPayload);
            }
            if (segment < 0 || segment > size) {
                throw usage("--segment must be between 1 and --size (0: no GSO)");
            }
            if (sinkPort < 0 || sinkOnly >= 0) {
                throw usage("--udp needs --sink-port (a receiver elsewhere, or any port of --target)");
            }
        } else if (segment != 0 || targetHost != null) {
            throw usage("--segment and --target need --udp");
        }
        InetAddress loopback = InetAddress.getByName(targetHost != null ? targetHost : ipv6 ? "::1" : "127.0.0.1");
        if (targetHost != null && (loopback instanceof Inet6Address) != ipv6) {
            throw usage("--target " + targetHost + " is not an " + (ipv6 ? "IPv6" : "IPv4") + " address (--ipv6)");
        }
        if (sinkOnly >= 0) {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(loopback, sinkOnly));
                System.out.println("sink listening on " + server.getLocalAddress());
                while (true) {
                    SocketChannel peer = server.accept();
                    Thread t = new Thread(() -> drain(peer, new AtomicLong()), "sink");
                    t.start();
                }
            }
        }
        // Several comma-separated modes run one after the other in this JVM (one start-up, shared JIT: cheaper
        // under the VM's instruction-count timing).
        for (String m : mode.split(",")) {
            run(m, size, seconds, warmup, writes, ipv6, threshold, flushEach, serial, loopback, sinkPort, sndbuf,
                    udp, segment);
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw usage(flag + " needs a value");
        }
        return args[i];
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message + "\n" + USAGE);
    }

    private static void run(String mode, int size, double seconds, double warmup, long writes, boolean ipv6, int threshold,
                            boolean flushEach, boolean serial, InetAddress loopback, int sinkPort, int sndbuf,
                            boolean udp, int segment)
            throws Exception {
        boolean uring = mode.startsWith("uring");
        if (udp && uring) {
            throw usage("--udp: mode '" + mode + "' is TCP only (modes copy, errqueue, cmsg, zc-off)");
        }
        if (uring && !IoUring.isAvailable()) {
            throw new IllegalStateException("io_uring unavailable: " + IoUring.unavailabilityCause());
        }
        if (!uring && !mode.equals("copy")) {
            ZeroCopy.ensureAvailability();
        }
        if (mode.equals("cmsg") && !ZeroCopy.isInbandNotificationSupported()) {
            throw new IllegalStateException("--mode cmsg needs a kernel with SCM_ZC_NOTIFICATION (see kernel/vm)");
        }

        AtomicLong received = new AtomicLong();
        ServerSocketChannel server = null;
        Thread sink = null;
        InetSocketAddress target;
        if (sinkPort >= 0) {
            target = new InetSocketAddress(loopback, sinkPort);
        } else {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(loopback, 0));
            target = (InetSocketAddress) server.getLocalAddress();
            ServerSocketChannel s = server;
            sink = new Thread(() -> {
                try (SocketChannel peer = s.accept()) {
                    drain(peer, received);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "sink");
            sink.start();
        }

        CountingIoHandlerFactory ioFactory = new CountingIoHandlerFactory(
                uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, ioFactory);
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size, size).writeZero(size))
                .asReadOnly();
        // UDP GSO: each write one super-packet of `size` bytes in `segment`-byte segments (one sendmsg).
        Function<ByteBuf, Object> message = udp && segment > 0
                ? dup -> new SegmentedDatagramPacket(dup, segment, target) : dup -> dup;
        Sender sender = new Sender(payload, message, seconds, warmup, writes, flushEach, serial, ioFactory.runs);
        try {
            Bootstrap b = new Bootstrap().group(group)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(4 * size, 16 * size))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(sender);
                        }
                    });
            if (sndbuf > 0) {
                // Same send buffer for every transport (zc_bench sets SO_SNDBUF too), so that they differ only in
                // how they send.
                b.option(ChannelOption.SO_SNDBUF, sndbuf);
            }
            if (udp) {
                // Netty's default for datagram channels is no limit, and a sender that refills the outbound buffer
                // from channelWritabilityChanged then keeps one flush going for the whole run, never back in
                // epoll_wait (and our channel never at its error queue). A server's loop gets back there: here
                // every UDP_MESSAGES_PER_WRITE datagrams, the same for every transport.
                b.option(ChannelOption.MAX_MESSAGES_PER_WRITE, UDP_MESSAGES_PER_WRITE);
            }
            SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
            switch (mode) {
                case "copy" -> {
                    if (udp) {
                        b.channelFactory(() -> new EpollDatagramChannel(family));
                    } else {
                        b.channel(EpollSocketChannel.class);
                    }
                }
                case "errqueue", "cmsg", "zc-off" -> {
                    if (udp) {
                        b.channelFactory(() -> new ZeroCopyEpollDatagramChannel(family));
                    } else {
                        b.channel(ZeroCopyEpollSocketChannel.class);
                    }
                    // zc-off: our channel with zero-copy off (threshold -1), its cost without MSG_ZEROCOPY.
                    b.option(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, mode.equals("zc-off") ? -1 : threshold)
                        .option(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE,
                                mode.equals("cmsg") ? ZeroCopyNotificationMode.CMSG
                                        : ZeroCopyNotificationMode.ERRQUEUE);
                }
                case "uring" -> b.channel(IoUringSocketChannel.class);
                case "uring-zc" -> b.channel(IoUringSocketChannel.class)
                        .option(IoUringChannelOption.IO_URING_WRITE_ZERO_COPY_THRESHOLD, threshold);
                default -> throw usage("unknown mode '" + mode + "'");
            }
            Channel ch = b.connect(target).sync().channel();
            sender.done.await();
            long wakeups = ioFactory.runs.get() - sender.baseWakeups;
            ZeroCopyStats stats = ZeroCopyHandler.stats(ch);
            ch.close().sync();
            ZeroCopyStats atRelease = ZeroCopyStats.EMPTY;
            // After every pinned buffer came back: the whole connection's sends against its completions.
            if (ch instanceof ZeroCopyEpollSocketChannel zc) {
                zc.zeroCopyReleaseFuture().await();
                atRelease = zc.zeroCopyStats();
            } else if (ch instanceof ZeroCopyEpollDatagramChannel zc) {
                zc.zeroCopyReleaseFuture().await();
                atRelease = zc.zeroCopyStats();
            }
            if (sink != null) {
                sink.join();
            }
            String protocol = udp ? (segment > 0 ? "udp-gso" + segment : "udp") : "tcp";
            report(mode, protocol, ipv6, size, sender, wakeups, stats, sender.baseStats, atRelease,
                    sink != null ? received.get() : -1);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            if (server != null) {
                server.close();
            }
        }
    }

    private static void report(String mode, String protocol, boolean ipv6, int size, Sender s, long wakeups,
                               ZeroCopyStats st, ZeroCopyStats base, ZeroCopyStats atRelease, long received) {
        double secs = (s.endNanos - s.startNanos) / 1e9;
        double mb = s.bytesAccepted / 1e6;
        long w = Math.max(1, s.writes);
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT,
                "mode=%s protocol=%s family=%s size=%d seconds=%.3f writes=%d MB=%.1f MBps=%.1f wakeups_per_write=%.3f"
                        + " failed_writes=%d thread_cpu_s=%.3f process_cpu_s=%.3f cpu_s_per_GB=%.3f",
                mode, protocol, ipv6 ? "ipv6" : "ipv4", size, secs, s.writes, mb, mb / secs, (double) wakeups / w,
                s.failedWrites, s.threadCpuNanos / 1e9, s.processCpuNanos / 1e9,
                s.bytesAccepted > 0 ? s.threadCpuNanos / (double) s.bytesAccepted : 0));
        if (st.zeroCopySends() > 0 || mode.equals("errqueue") || mode.equals("cmsg")) {
            line.append(String.format(Locale.ROOT,
                    " zc_sends=%d sendmsg_per_write=%.3f errqueue_syscalls_per_write=%.4f"
                            + " inband_sends=%d errqueue_sends=%d copied=%d outstanding_at_end=%d"
                            + " channel_wakeups_per_write=%.3f epollerr_wakeups=%d",
                    st.zeroCopySends() - base.zeroCopySends(),
                    (double) (st.sendmsgCalls() - base.sendmsgCalls()) / w,
                    (double) (st.errqueueSyscalls() - base.errqueueSyscalls()) / w,
                    st.inbandSends() - base.inbandSends(), st.errqueueSends() - base.errqueueSends(),
                    st.copiedSends() - base.copiedSends(), st.outstandingSends(),
                    (double) (st.wakeups() - base.wakeups()) / w, st.epollErrWakeups() - base.epollErrWakeups()));
        }
        // The whole connection (warm-up included), for the check against the receiver's byte count; for our
        // channel also its zero-copy sends against their completions once every pinned buffer came back.
        line.append(" bytes_sent=").append(s.bytesTotal);
        if (atRelease.zeroCopySends() > 0) {
            line.append(String.format(Locale.ROOT, " zc_sends_total=%d completed_total=%d quarantined=%d",
                    atRelease.zeroCopySends(), atRelease.completedSends(), atRelease.quarantinedSends()));
        }
        if (received >= 0) {
            line.append(" received_MB=").append(String.format(Locale.ROOT, "%.1f", received / 1e6));
        }
        System.out.println(line);
    }

    private static void drain(SocketChannel peer, AtomicLong received) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (peer) {
            int n;
            while ((n = peer.read(buf)) >= 0) {
                received.addAndGet(n);
                buf.clear();
            }
        } catch (IOException e) {
            // The sender closing or resetting the connection ends the run.
        }
    }

    /**
     * Keeps the channel's outbound buffer full: writes while the channel is writable, then waits for
     * writability to come back. Stops after {@code seconds} or {@code writes}. The first {@code warmup} seconds
     * (JIT compilation, TCP window growth) are not measured: counters are taken as a baseline when they end.
     */
    private static final class Sender extends ChannelInboundHandlerAdapter {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final ByteBuf payload;
        /** What one write sends: the payload's duplicate itself, or a datagram envelope around it. */
        private final Function<ByteBuf, Object> message;
        private final long durationNanos;
        private final long maxWrites;
        final CountDownLatch done = new CountDownLatch(1);
        private final long warmupNanos;
        private final AtomicLong wakeupCounter;
        private long activeNanos;
        private boolean measuring;
        long startNanos;
        long endNanos;
        long writes;
        long bytesAccepted;
        /** Every byte the kernel accepted on this connection, warm-up included (what the receiver must count). */
        long bytesTotal;
        long baseWakeups;
        ZeroCopyStats baseStats = ZeroCopyStats.EMPTY;
        /** Writes the kernel refused (a datagram fails alone; TCP fails the connection). */
        long failedWrites;
        /** CPU time over the measured interval: the event-loop thread's, and the whole JVM's. */
        long threadCpuNanos;
        long processCpuNanos;
        private ChannelFuture lastWrite;
        private final boolean flushEach;
        private final boolean serial;
        private boolean finished;
        private boolean inFlight;

        Sender(ByteBuf payload, Function<ByteBuf, Object> message, double seconds, double warmup, long maxWrites,
               boolean flushEach, boolean serial, AtomicLong wakeupCounter) {
            this.payload = payload;
            this.message = message;
            this.warmupNanos = (long) (warmup * 1e9);
            this.wakeupCounter = wakeupCounter;
            this.flushEach = flushEach;
            this.serial = serial;
            this.durationNanos = maxWrites > 0 ? Long.MAX_VALUE : (long) (seconds * 1e9);
            this.maxWrites = maxWrites > 0 ? maxWrites : Long.MAX_VALUE;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            activeNanos = System.nanoTime();
            startMeasuringIfWarm(ctx.channel(), activeNanos);
            pump(ctx);
        }

        private void startMeasuringIfWarm(Channel ch, long now) {
            if (!measuring && now - activeNanos >= warmupNanos) {
                measuring = true;
                startNanos = now;
                writes = 0;
                bytesAccepted = 0;
                baseWakeups = wakeupCounter.get();
                baseStats = ZeroCopyHandler.stats(ch);
                failedWrites = 0;
                // Runs on the event loop: its thread's CPU time from here to the end.
                threadCpuNanos = -THREADS.getCurrentThreadCpuTime();
                processCpuNanos = -processCpuNanos();
            }
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }

        private void accepted(Future<?> f, int size) {
            if (f.isSuccess()) {
                bytesAccepted += size;
                bytesTotal += size;
            } else {
                failedWrites++;
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            int size = payload.readableBytes();
            while (!finished && !inFlight && ch.isWritable()) {
                long now = System.nanoTime();
                startMeasuringIfWarm(ch, now);
                if (measuring && (writes >= maxWrites || now - startNanos >= durationNanos)) {
                    finished = true;
                    // The run ends when everything written so far was accepted by the kernel: writes complete in
                    // order, so when the last one did (no empty write: on a datagram channel it would be a datagram).
                    ctx.flush();
                    ChannelFuture last = lastWrite != null ? lastWrite : ctx.newSucceededFuture();
                    last.addListener(f -> {
                        endNanos = System.nanoTime();
                        threadCpuNanos += THREADS.getCurrentThreadCpuTime();
                        processCpuNanos += processCpuNanos();
                        done.countDown();
                    });
                    return;
                }
                writes++;
                Object msg = message.apply(payload.retainedDuplicate());
                if (serial) {
                    inFlight = true;
                    lastWrite = ctx.writeAndFlush(msg).addListener(f -> {
                        accepted(f, size);
                        inFlight = false;
                        pump(ctx);
                    });
                    return;
                }
                lastWrite = (flushEach ? ctx.writeAndFlush(msg) : ctx.write(msg)).addListener(f -> accepted(f, size));
            }
            ctx.flush();
        }
    }

    /** Counts {@link IoHandler#run} calls: one per event-loop wakeup (an epoll_wait or io_uring enter). */
    private static final class CountingIoHandlerFactory implements IoHandlerFactory {
        private final IoHandlerFactory delegate;
        final AtomicLong runs = new AtomicLong();

        CountingIoHandlerFactory(IoHandlerFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public IoHandler newHandler(io.netty.util.concurrent.ThreadAwareExecutor executor) {
            IoHandler inner = delegate.newHandler(executor);
            return new IoHandler() {
                @Override
                public void initialize() {
                    inner.initialize();
                }

                @Override
                public int run(IoHandlerContext context) {
                    runs.incrementAndGet();
                    return inner.run(context);
                }

                @Override
                public void prepareToDestroy() {
                    inner.prepareToDestroy();
                }

                @Override
                public void destroy() {
                    inner.destroy();
                }

                @Override
                public IoRegistration register(IoHandle handle) throws Exception {
                    return inner.register(handle);
                }

                @Override
                public void wakeup() {
                    inner.wakeup();
                }

                @Override
                public boolean isCompatible(Class<? extends IoHandle> handleType) {
                    return inner.isCompatible(handleType);
                }
            };
        }
    }
}
