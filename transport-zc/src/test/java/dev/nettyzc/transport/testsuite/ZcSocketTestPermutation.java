/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import dev.nettyzc.transport.ZeroCopy;
import dev.nettyzc.transport.ZeroCopyEpollDatagramChannel;
import dev.nettyzc.transport.ZeroCopyEpollServerSocketChannel;
import dev.nettyzc.transport.ZeroCopyEpollSocketChannel;
import dev.nettyzc.transport.ZeroCopyHandler;
import dev.nettyzc.transport.ZeroCopyNotificationMode;
import dev.nettyzc.transport.ZeroCopyStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs Netty's transport testsuite on our channels: server = {@link ZeroCopyEpollServerSocketChannel} (children
 * are {@link ZeroCopyEpollSocketChannel}), client = {@link ZeroCopyEpollSocketChannel}.
 *
 * <p><b>Making the testsuite exercise zero-copy.</b> The testsuite builds its own pipelines
 * ({@code sb.childHandler(...)}, {@code cb.handler(...)}), so a {@link ZeroCopyHandler} is installed on every
 * channel below them: clients through the bootstrap's {@code channelFactory} (the handler is added to the new
 * channel's pipeline before registration), accepted children through a {@link ServerBootstrap} subclass whose
 * {@code childHandler(h)} wraps {@code h} in an initializer that installs ours first. The handler's threshold is
 * 1 byte, so every direct buffer goes out with MSG_ZEROCOPY. Most testsuite payloads are heap buffers
 * ({@code Unpooled.wrappedBuffer(byte[])}), which our policy sends by copy, so a head-side outbound handler
 * converts heap buffers (and heap-backed composites) into pooled direct buffers first: data the tests write then
 * takes the zero-copy path too (echo servers already write direct buffers). Every channel is recorded, and each
 * test class asserts at the end (via {@link #assertExercised}) that zero-copy sends really happened, that every
 * send completed and nothing is left pinned.
 */
public class ZcSocketTestPermutation extends SocketTestPermutation {

    static final ZcSocketTestPermutation INSTANCE = new ZcSocketTestPermutation();

    static final EventLoopGroup ZC_GROUP = new MultiThreadIoEventLoopGroup(
            NUM_THREADS, new DefaultThreadFactory("testsuite-zc", true), EpollIoHandler.newFactory());

    /** Channels created by this permutation since the last {@link #assertExercised} (one test class). */
    static final ConcurrentLinkedQueue<Channel> CHANNELS = new ConcurrentLinkedQueue<>();

    static {
        ZeroCopy.ensureAvailability();
    }

    /**
     * Per-buffer zero-copy threshold of the installed handlers: 1 byte (every direct buffer goes zero-copy), except
     * for test classes whose assertions contradict the zero-copy contract by design (see
     * {@link ZcSocketBufReleaseTest}), which run with the default threshold.
     */
    static volatile int threshold = 1;

    /**
     * The completion path the testsuite's channels use: {@code -Dzc.testsuite.mode=CMSG|ERRQUEUE|AUTO} (default
     * AUTO). The VM runner runs the selection once in each mode.
     */
    static final ZeroCopyNotificationMode MODE =
            ZeroCopyNotificationMode.valueOf(System.getProperty("zc.testsuite.mode", "AUTO"));

    /** Installs the zero-copy handler and the heap-to-direct converter on a new channel. */
    static void install(Channel ch) {
        CHANNELS.add(ch);
        if (ch instanceof ZeroCopyEpollSocketChannel) {
            ((ZeroCopyEpollSocketChannel) ch).config().setNotificationMode(MODE);
        } else if (ch instanceof ZeroCopyEpollDatagramChannel) {
            ((ZeroCopyEpollDatagramChannel) ch).config().setNotificationMode(MODE);
        }
        ch.pipeline().addFirst("zc-heap-to-direct", new HeapToDirect());
        ch.pipeline().addFirst("zc-handler", new ZeroCopyHandler(threshold));
    }

    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        return combo(serverSocket(), clientSocket());
    }

    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socketWithFastOpen() {
        return socket();
    }

    @Override
    public List<BootstrapFactory<ServerBootstrap>> serverSocket() {
        List<BootstrapFactory<ServerBootstrap>> l = new ArrayList<>();
        l.add(new BootstrapFactory<ServerBootstrap>() {
            @Override
            public ServerBootstrap newInstance() {
                return new ZcServerBootstrap().group(ZC_GROUP).channel(ZeroCopyEpollServerSocketChannel.class);
            }

            @Override
            public String toString() {
                return "ZeroCopyEpollServerSocketChannel+ZeroCopyHandler";
            }
        });
        return l;
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocket() {
        return Collections.singletonList(new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(ZC_GROUP).channelFactory(new io.netty.channel.ChannelFactory<Channel>() {
                    @Override
                    public Channel newChannel() {
                        ZeroCopyEpollSocketChannel ch = new ZeroCopyEpollSocketChannel();
                        install(ch);
                        return ch;
                    }

                    @Override
                    public String toString() {
                        return "ZeroCopyEpollSocketChannel+ZeroCopyHandler";
                    }
                });
            }

            @Override
            public String toString() {
                return "ZeroCopyEpollSocketChannel+ZeroCopyHandler";
            }
        });
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocketWithFastOpen() {
        return clientSocket();
    }

    /**
     * Datagram tests: both ends are {@link ZeroCopyEpollDatagramChannel}s of {@code family} with the handlers
     * installed (as {@code EpollSocketTestPermutation.datagram} pairs Netty's epoll datagram channels).
     */
    @Override
    public List<BootstrapComboFactory<Bootstrap, Bootstrap>> datagram(SocketProtocolFamily family) {
        List<BootstrapFactory<Bootstrap>> ours = Collections.singletonList(datagramFactory(family));
        return combo(ours, ours);
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> datagramSocket() {
        return Collections.singletonList(datagramFactory(null));
    }

    private static BootstrapFactory<Bootstrap> datagramFactory(SocketProtocolFamily family) {
        return new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(ZC_GROUP).channelFactory(new io.netty.channel.ChannelFactory<Channel>() {
                    @Override
                    public Channel newChannel() {
                        ZeroCopyEpollDatagramChannel ch = new ZeroCopyEpollDatagramChannel(family);
                        install(ch);
                        return ch;
                    }

                    @Override
                    public String toString() {
                        return "ZeroCopyEpollDatagramChannel(" + family + ")+ZeroCopyHandler";
                    }
                });
            }

            @Override
            public String toString() {
                return "ZeroCopyEpollDatagramChannel(" + family + ")+ZeroCopyHandler";
            }
        };
    }

    /** Installs our handlers on every accepted child, below whatever the test sets as child handler. */
    static final class ZcServerBootstrap extends ServerBootstrap {
        @Override
        public ServerBootstrap childHandler(ChannelHandler childHandler) {
            return super.childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    install(ch);
                    ch.pipeline().addLast(childHandler);
                }
            });
        }
    }

    /** Copies heap buffers into pooled direct buffers so the testsuite's heap payloads go zero-copy. */
    static final class HeapToDirect extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof CompositeByteBuf && !((CompositeByteBuf) msg).isDirect()) {
                // Keep the gathering structure: a direct composite of direct copies of each component.
                CompositeByteBuf src = (CompositeByteBuf) msg;
                CompositeByteBuf dst;
                try {
                    List<ByteBuf> parts = src.decompose(src.readerIndex(), src.readableBytes());
                    dst = ctx.alloc().compositeDirectBuffer(Math.max(2, parts.size()));
                    for (ByteBuf part : parts) {
                        ByteBuf d = ctx.alloc().directBuffer(Math.max(1, part.readableBytes()));
                        d.writeBytes(part, part.readerIndex(), part.readableBytes());
                        dst.addComponent(true, d);
                    }
                } finally {
                    src.release();
                }
                ctx.write(dst, promise);
                return;
            }
            if (msg instanceof DatagramPacket && !((DatagramPacket) msg).content().isDirect()) {
                DatagramPacket packet = (DatagramPacket) msg;
                ByteBuf heap = packet.content();
                ByteBuf direct;
                try {
                    direct = ctx.alloc().directBuffer(Math.max(1, heap.readableBytes()));
                    direct.writeBytes(heap, heap.readerIndex(), heap.readableBytes());
                } catch (Throwable t) {
                    packet.release();
                    throw t;
                }
                ctx.write(packet.replace(direct), promise);
                packet.release();
                return;
            }
            if (msg instanceof ByteBuf && !((ByteBuf) msg).isDirect()) {
                ByteBuf heap = (ByteBuf) msg;
                ByteBuf direct;
                try {
                    direct = ctx.alloc().directBuffer(Math.max(1, heap.readableBytes()));
                    direct.writeBytes(heap, heap.readerIndex(), heap.readableBytes());
                } finally {
                    heap.release();
                }
                ctx.write(direct, promise);
                return;
            }
            ctx.write(msg, promise);
        }
    }

    /**
     * Called after each testsuite class: sums the statistics of every channel it created, waits (hang guard)
     * until closed channels have no outstanding sends, and asserts zero-copy was exercised.
     */
    static void assertExercised(String testClass) throws InterruptedException {
        assertExercised(testClass, true);
    }

    static void assertExercised(String testClass, boolean expectZeroCopy) throws InterruptedException {
        List<Channel> channels = new ArrayList<>(CHANNELS);
        CHANNELS.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long zc = 0;
        long zcBytes = 0;
        long copy = 0;
        long completed = 0;
        long ignored = 0;
        long enobufs = 0;
        int zcChannels = 0;
        for (Channel ch : channels) {
            ch.close().await(60, TimeUnit.SECONDS);
            ZeroCopyStats s = ZeroCopyHandler.stats(ch);
            while (s.outstandingSends() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                s = ZeroCopyHandler.stats(ch);
            }
            if (s.outstandingSends() != 0 || s.outstandingBuffers() != 0) {
                throw new AssertionError(testClass + ": closed channel still has pinned buffers: " + ch + " " + s);
            }
            if (MODE != ZeroCopyNotificationMode.AUTO && s.notificationMode() != MODE) {
                throw new AssertionError(testClass + ": channel ran in " + s.notificationMode() + ", not " + MODE);
            }
            if (s.completedSends() != s.zeroCopySends()) {
                throw new AssertionError(testClass + ": completions != zero-copy sends: " + ch + " " + s);
            }
            zc += s.zeroCopySends();
            zcBytes += s.zeroCopyBytes();
            copy += s.copySends();
            completed += s.completedSends();
            ignored += s.ignoredIds();
            enobufs += s.enobufsErrors();
            if (s.zeroCopySends() > 0) {
                zcChannels++;
            }
        }
        System.out.printf("testsuite %s (%s) on zero-copy channels: %d channels (%d sent zero-copy), zero-copy sends %d"
                        + " (%d bytes), completed %d, copy sends %d, ENOBUFS %d, ignored ids %d%n",
                testClass, MODE, channels.size(), zcChannels, zc, zcBytes, completed, copy, enobufs, ignored);
        if (channels.isEmpty()) {
            throw new AssertionError(testClass + ": no zero-copy channel was created by the permutation");
        }
        if (zc == 0 && expectZeroCopy) {
            throw new AssertionError(testClass + ": the testsuite ran but no MSG_ZEROCOPY send happened");
        }
        if (ignored != 0) {
            throw new AssertionError(testClass + ": " + ignored + " completion ids matched no send");
        }
    }
}
