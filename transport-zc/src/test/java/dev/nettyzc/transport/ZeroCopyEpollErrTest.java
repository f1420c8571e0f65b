/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Path 6: an EPOLLERR with no zero-copy notification left must not turn into a read. The proxy case, in CMSG
 * mode, on one event loop: channel A (client side of a proxy) and channel B (zero-copy, {@code autoRead(false)},
 * to a backend that has sent B some bytes). One {@code epoll_wait} reports A readable and then B's EPOLLERR (a
 * completion queued); A's read handler writes to B, whose {@code sendmsg} takes the notification in-band, so when
 * B's EPOLLERR is handled its error queue is empty. B must not read: no {@code channelRead} without a
 * {@code read()}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyEpollErrTest {

    @Test
    void sameLoopProxyDoesNotReadWithAutoReadOff() throws Exception {
        ZcTestSupport.assumeMode(ZeroCopyNotificationMode.CMSG);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("zc-proxy", true),
                EpollIoHandler.newFactory());
        AtomicInteger reads = new AtomicInteger();
        AtomicLong backendReceived = new AtomicLong();
        Channel[] backendChild = new Channel[1];
        Channel backend = null;
        Channel front = null;
        Channel b = null;
        try (Socket client = new Socket()) {
            // The backend (another loop) reads everything B sends, and sends B 100 bytes when it connects.
            backend = new ServerBootstrap().group(ZcTestSupport.GROUP).channel(ZeroCopyEpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            backendChild[0] = ch;
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    ctx.writeAndFlush(ctx.alloc().directBuffer(100).writeZero(100));
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    backendReceived.addAndGet(((ByteBuf) msg).readableBytes());
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            ZeroCopyHandler zc = new ZeroCopyHandler();
            b = new Bootstrap().group(loop).channel(ZeroCopyEpollSocketChannel.class)
                    .option(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyNotificationMode.CMSG)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(zc, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    reads.incrementAndGet();
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).connect(backend.localAddress()).sync().channel();
            Channel toBackend = b;
            // The proxy's front (same loop as B): whatever A reads goes to B.
            front = new ServerBootstrap().group(loop).channel(ZeroCopyEpollServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            toBackend.writeAndFlush(msg);
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            client.connect(front.localAddress());
            OutputStream out = client.getOutputStream();
            ZcTestSupport.await(() -> backendChild[0] != null, () -> "backend accepted");
            Thread.sleep(100); // the backend's 100 bytes are in B's receive queue, unread (autoRead off)

            // One task on the loop makes A readable first, then queues a completion for B (EPOLLERR), so that the
            // next epoll_wait reports both, in that order.
            loop.next().submit(() -> {
                out.write(new byte[] { 1, 2, 3, 4 });
                out.flush();
                Thread.sleep(50);
                toBackend.writeAndFlush(toBackend.alloc().directBuffer(64 * 1024).writeZero(64 * 1024));
                Thread.sleep(100);
                return null;
            }).sync();
            ZcTestSupport.await(() -> backendReceived.get() == 64 * 1024 + 4
                            && ZcTestSupport.stats(toBackend).outstandingSends() == 0,
                    () -> "forwarded and completed: " + backendReceived + " " + ZcTestSupport.stats(toBackend));
            Thread.sleep(100);
            ZeroCopyStats s = ZcTestSupport.stats(toBackend);
            System.out.println("same-loop proxy: " + s);
            assertTrue(s.inbandSends() >= 1 && s.spuriousEpollErrs() >= 1, () -> "the scenario did not happen "
                    + "(the completion must come back on A's write, before B's EPOLLERR is handled): " + s);
            assertEquals(0, reads.get(), "B read although autoRead is off and nobody called read()");
            // read() still works: the 100 bytes arrive when asked for.
            toBackend.read();
            ZcTestSupport.await(() -> reads.get() > 0, () -> "B reads after read()");
        } finally {
            for (Channel c : new Channel[] { b, front, backend, backendChild[0] }) {
                if (c != null) {
                    c.close().await(10, TimeUnit.SECONDS);
                }
            }
            loop.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
        }
    }
}
