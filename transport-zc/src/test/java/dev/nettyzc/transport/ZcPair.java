/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import dev.nettyzc.transport.testutil.StreamPattern;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connected loopback pair: a {@link ZeroCopyEpollSocketChannel} client (the sender, with a
 * {@link ZeroCopyHandler}) and a child of a {@link ZeroCopyEpollServerSocketChannel} (the receiver, which checks
 * every byte against a {@link StreamPattern}).
 */
final class ZcPair implements AutoCloseable {

    /** A {@link Source} result: nothing to write right now, ask again shortly. */
    static final Object NOT_YET = new Object();

    /** Produces the next message to write at a stream offset, {@link #NOT_YET}, or null when done. */
    interface Source {
        Object next(ChannelHandlerContext ctx, long streamOffset);
    }

    /** Random garbage written into scribble buffers to overwrite freshly released pooled memory. */
    static final byte[] GARBAGE = new byte[256 * 1024];

    static {
        ThreadLocalRandom.current().nextBytes(GARBAGE);
    }

    final StreamPattern pattern = new StreamPattern(ThreadLocalRandom.current().nextLong());
    final StreamPattern.Checker checker = pattern.newChecker();
    final AtomicLong received = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong written = new AtomicLong();
    final AtomicLong promisesDone = new AtomicLong();
    final AtomicLong messages = new AtomicLong();
    volatile Throwable clientError;
    volatile Throwable serverError;
    /** Every exception the receiver saw, also those {@code ignoreReceiverErrors} lets pass. */
    final java.util.concurrent.ConcurrentLinkedQueue<Throwable> receiverExceptions =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    volatile Throwable writeError;
    volatile boolean sourceDone;
    volatile boolean receiverInactive;
    private final boolean ignoreReceiverErrors;
    private final boolean expectWriteFailures;
    volatile Channel serverChild;
    final Channel server;
    final Channel client;
    final ZeroCopyHandler handler;
    private final ByteBufAllocator scribbleAlloc;
    private final int scribbleCount;
    private final int scribbleSize;
    private final int batch;

    static final class Options {
        ZeroCopyNotificationMode mode = ZeroCopyNotificationMode.ERRQUEUE;
        ZeroCopyHandler handler = new ZeroCopyHandler();
        ByteBufAllocator clientAllocator;
        boolean receiverAutoRead = true;
        int scribbleCount;
        int scribbleSize = 64 * 1024;
        /** Loopback address to use (IPv4 127.0.0.1 by default; ::1 tests the IPv6 error-queue cmsg). */
        InetAddress address = InetAddress.getLoopbackAddress();
        /** Messages written per event-loop task before yielding. */
        int batch = 8;
        /** The receiver may see a connection reset (abortive close tests). */
        boolean ignoreReceiverErrors;
        /** Writes pending at close fail (close tests). */
        boolean expectWriteFailures;
        Consumer<Bootstrap> client = b -> { };
        /** Extra handlers for the client pipeline (added after the ZeroCopyHandler, before the sender). */
        Consumer<Channel> clientPipeline = ch -> { };
        Consumer<ServerBootstrap> server = b -> { };
        /** Event loops of the sender and of the receiver (both {@link ZcTestSupport#GROUP} unless set). */
        io.netty.channel.EventLoopGroup clientGroup = ZcTestSupport.GROUP;
        io.netty.channel.EventLoopGroup serverGroup = ZcTestSupport.GROUP;

        /**
         * The quick start's sender: no handler, zero-copy from {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}
         * alone, pooled direct buffers, one scribble of {@code scribbleSize} bytes after each write.
         */
        static Options thresholdOnly(ZeroCopyNotificationMode mode, int threshold, int scribbleSize) {
            Options o = new Options();
            o.mode = mode;
            o.handler = null;
            o.clientAllocator = new io.netty.buffer.PooledByteBufAllocator(true);
            o.scribbleCount = 1;
            o.scribbleSize = scribbleSize;
            o.client = b -> b.option(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, threshold);
            return o;
        }
    }

    private final Source source;

    /**
     * A pair whose source streams {@code limit} bytes of the pattern in {@code chunk}-byte buffers from
     * {@code o.clientAllocator} (direct), each tracked by {@code reg}. Started with {@link #start()}.
     */
    static ZcPair trackedStream(Options o, TrackedBuf.Registry reg, long limit, int chunk) throws InterruptedException {
        byte[] scratch = new byte[chunk];
        ZcPair[] self = new ZcPair[1];
        self[0] = new ZcPair(o, (ctx, offset) -> {
            if (offset >= limit) {
                return null;
            }
            int len = (int) Math.min(chunk, limit - offset);
            ByteBuf b = o.clientAllocator.directBuffer(len);
            self[0].pattern.write(b, len, offset, scratch);
            return reg.track(b, offset);
        });
        return self[0];
    }

    /** A pair without a source: send with {@link #sendAll}. */
    ZcPair(Options o) throws InterruptedException {
        this(o, (ctx, offset) -> null);
    }

    ZcPair(Options o, Source source) throws InterruptedException {
        ZcTestSupport.requireAvailable();
        this.source = source;
        this.handler = o.handler;
        this.scribbleAlloc = o.clientAllocator;
        this.scribbleCount = o.scribbleCount;
        this.scribbleSize = o.scribbleSize;
        this.batch = o.batch;
        this.ignoreReceiverErrors = o.ignoreReceiverErrors;
        this.expectWriteFailures = o.expectWriteFailures;
        ServerBootstrap sb = new ServerBootstrap()
                .group(o.serverGroup)
                .channel(ZeroCopyEpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, o.receiverAutoRead)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        serverChild = ch;
                        ch.pipeline().addLast(new Receiver());
                    }
                });
        o.server.accept(sb);
        server = sb.bind(new InetSocketAddress(o.address, 0)).sync().channel();
        Bootstrap cb = new Bootstrap()
                .group(o.clientGroup)
                .channel(ZeroCopyEpollSocketChannel.class)
                .option(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, o.mode)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (handler != null) {
                            ch.pipeline().addLast(handler);
                        }
                        o.clientPipeline.accept(ch);
                        ch.pipeline().addLast(new Sender());
                    }
                });
        if (o.clientAllocator != null) {
            cb.option(ChannelOption.ALLOCATOR, o.clientAllocator);
        }
        o.client.accept(cb);
        client = cb.connect(server.localAddress()).sync().channel();
    }

    /** Starts (or resumes) the sender on the client's event loop. */
    void start() {
        client.pipeline().fireUserEventTriggered(Sender.PUMP);
    }

    final class Sender extends ChannelInboundHandlerAdapter {
        static final Object PUMP = "PUMP";

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == PUMP) {
                pump(ctx);
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        private boolean pumping;

        private void pump(ChannelHandlerContext ctx) {
            if (pumping) {
                return; // re-entered from a writability change inside writeAndFlush; the loop below re-checks
            }
            pumping = true;
            try {
                pumpLoop(ctx);
            } finally {
                pumping = false;
            }
        }

        private void pumpLoop(ChannelHandlerContext ctx) {
            int budget = batch;
            while (budget-- > 0 && !sourceDone && ctx.channel().isActive() && ctx.channel().isWritable()) {
                long offset = written.get();
                Object msg = source.next(ctx, offset);
                if (msg == null) {
                    sourceDone = true;
                    break;
                }
                if (msg == NOT_YET) {
                    ctx.executor().schedule(() -> pump(ctx), 100, TimeUnit.MICROSECONDS);
                    return;
                }
                int len = msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 0;
                written.addAndGet(len);
                messages.incrementAndGet();
                ctx.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                    promisesDone.incrementAndGet();
                    if (f.isSuccess()) {
                        acked.addAndGet(len);
                    } else if (writeError == null) {
                        writeError = f.cause();
                    }
                });
                scribble();
            }
            if (budget < 0 && !sourceDone && ctx.channel().isActive() && ctx.channel().isWritable()) {
                // Yield to the event loop's I/O phase (a plain execute() would run in the same task batch), so
                // epoll events - completion notifications - are processed between batches and released memory is
                // reused by the next allocations at once.
                ctx.executor().schedule(() -> pump(ctx), 10, TimeUnit.MICROSECONDS);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (clientError == null) {
                clientError = cause;
            }
            ctx.close();
        }
    }

    /**
     * Writes {@code msgs} in order on the client's event loop (flushing after each if {@code flushEach}, else once
     * at the end), scribbling over released pool memory after each flush. The source must not be running.
     */
    void sendAll(java.util.List<? extends ByteBuf> msgs, boolean flushEach) {
        client.eventLoop().execute(() -> {
            for (ByteBuf msg : msgs) {
                int len = msg.readableBytes();
                written.addAndGet(len);
                messages.incrementAndGet();
                client.write(msg).addListener((ChannelFutureListener) f -> {
                    promisesDone.incrementAndGet();
                    if (f.isSuccess()) {
                        acked.addAndGet(len);
                    } else if (writeError == null) {
                        writeError = f.cause();
                    }
                });
                if (flushEach) {
                    client.flush();
                    scribble();
                }
            }
            client.flush();
            scribble();
            sourceDone = true;
        });
    }

    /** Overwrites freshly released pooled memory at once (same allocator, same thread cache). */
    private void scribble() {
        if (scribbleAlloc == null) {
            return;
        }
        for (int i = 0; i < scribbleCount; i++) {
            ByteBuf g = scribbleAlloc.directBuffer(scribbleSize);
            g.writeBytes(GARBAGE, 0, scribbleSize);
            g.release();
        }
    }

    final class Receiver extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf buf = (ByteBuf) msg;
                int n = buf.readableBytes();
                if (!checker.check(buf) && serverError == null) {
                    serverError = new AssertionError("data corrupted: " + checker.mismatch());
                }
                received.addAndGet(n);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            receiverInactive = true;
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            receiverExceptions.add(cause);
            if (serverError == null && !ignoreReceiverErrors) {
                serverError = cause;
            }
            ctx.close();
        }
    }

    /** The receiver (autoRead off) reads until it got at least {@code bytes} in total, then stops again. */
    void receiveUpTo(long bytes) throws InterruptedException {
        ZcTestSupport.await(() -> serverChild != null, () -> "connection accepted: " + this);
        Channel child = serverChild;
        ZcTestSupport.await(() -> {
            if (received.get() >= bytes || failed() || !child.isActive()) {
                return true;
            }
            child.read();
            return false;
        }, () -> "receiver read up to " + bytes + ": " + this);
        assertNoErrors();
    }

    /** True if the receiver saw the connection reset by the sender. */
    boolean receiverSawReset() {
        return receiverExceptions.stream().anyMatch(t -> t instanceof java.io.IOException
                && String.valueOf(t.getMessage()).contains("Connection reset"));
    }

    /** How a test reads while the source streams (a slow receiver, say); the default waits for autoRead. */
    interface WhileStreaming {
        void run() throws InterruptedException;
    }

    /**
     * Starts the source and, after {@code whileStreaming}, waits until all writes are done, {@code bytes} arrived
     * and matched the pattern and no zero-copy send is outstanding; closes the pair in any case.
     */
    void streamAllAndClose(long bytes, WhileStreaming whileStreaming) throws InterruptedException {
        try {
            start();
            whileStreaming.run();
            awaitWritten();
            awaitReceived(bytes);
            awaitNoOutstanding();
            org.junit.jupiter.api.Assertions.assertEquals(bytes, checker.offset(), "every byte arrived and matched");
        } finally {
            close();
        }
    }

    /** {@link #streamAllAndClose(long, WhileStreaming)} with an auto-reading receiver. */
    void streamAllAndClose(long bytes) throws InterruptedException {
        streamAllAndClose(bytes, () -> { });
    }

    private final byte[] fillScratch = new byte[64 * 1024];
    /** Stream offset of the next {@link #fillNext} buffer. */
    long nextOffset;

    /** Writes the next {@code len} bytes of the stream pattern into {@code b} (explicit message lists). */
    ByteBuf fillNext(ByteBuf b, int len) {
        byte[] scratch = len <= fillScratch.length ? fillScratch : new byte[len];
        pattern.write(b, len, nextOffset, scratch);
        nextOffset += len;
        return b;
    }

    /** Waits until the source is exhausted and every write promise completed. */
    void awaitWritten() throws InterruptedException {
        ZcTestSupport.await(() -> sourceDone && promisesDone.get() == messages.get() || failed(),
                () -> "all writes done: " + this);
        assertNoErrors();
    }

    /** Waits until the receiver got {@code bytes}. */
    void awaitReceived(long bytes) throws InterruptedException {
        ZcTestSupport.await(() -> received.get() >= bytes || failed(), () -> "receiver got " + bytes + ": " + this);
        assertNoErrors();
    }

    /** Waits until the sender has no outstanding zero-copy send. */
    void awaitNoOutstanding() throws InterruptedException {
        ZcTestSupport.await(() -> ZcTestSupport.stats(client).outstandingSends() == 0 || failed(),
                () -> "outstanding sends drained: " + ZcTestSupport.stats(client));
        assertNoErrors();
    }

    boolean failed() {
        return clientError != null || serverError != null || writeError != null && !expectWriteFailures;
    }

    void assertNoErrors() {
        assertNull(serverError, () -> "receiver error: " + serverError);
        assertNull(clientError, () -> "sender error: " + clientError);
        if (!expectWriteFailures) {
            assertNull(writeError, () -> "write failed: " + writeError);
        }
    }

    ZeroCopyStats stats() {
        return ZcTestSupport.stats(client);
    }

    @Override
    public void close() throws InterruptedException {
        ChannelFuture c = client.close();
        ChannelFuture s = server.close();
        Channel child = serverChild;
        c.await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        s.await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (child != null) {
            child.close().await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        assertTrue(c.isDone() && s.isDone(), "channels closed");
    }

    @Override
    public String toString() {
        return "ZcPair(written=" + written + ", acked=" + acked + ", received=" + received + ", messages=" + messages
                + ", promisesDone=" + promisesDone + ", sourceDone=" + sourceDone + ", errors=" + clientError + '/'
                + serverError + '/' + writeError + ')';
    }
}
