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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import org.junit.jupiter.api.Test;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code ZeroCopyHandler.builder().piggybackSmallBuffers(true)}: a small direct header flushed right before a
 * zero-copy body goes out in the body's sendmsg(MSG_ZEROCOPY) - one syscall, no copy write - even when the pair
 * exceeds the initial gathering-write limit.
 */
class ZeroCopyPiggybackTest {
    @Test
    void headerRidesWithBody() throws Exception {
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        AtomicLong got = new AtomicLong();
        try {
            Channel server = new ServerBootstrap().group(g).channel(ZeroCopyEpollServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        got.addAndGet(((ByteBuf) msg).readableBytes()); ((ByteBuf) msg).release(); }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            ZeroCopyHandler h = ZeroCopyHandler.builder().piggybackSmallBuffers(true).build();
            Channel c = new Bootstrap().group(g).channel(ZeroCopyEpollSocketChannel.class)
                .option(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyNotificationMode.ERRQUEUE)
                .handler(h).connect(server.localAddress()).sync().channel();
            for (int i = 0; i < 10; i++) {
                ByteBuf hdr = c.alloc().directBuffer(100).writeZero(100);
                ByteBuf body = c.alloc().directBuffer(65536).writeZero(65536);
                c.write(hdr); c.writeAndFlush(body).sync();
                long t = System.currentTimeMillis();
                while (got.get() < (i + 1) * 65636L && System.currentTimeMillis() - t < 10000) Thread.sleep(1);
            }
            long t = System.currentTimeMillis();
            while (h.stats().outstandingSends() > 0 && System.currentTimeMillis() - t < 10000) Thread.sleep(5);
            ZeroCopyStats s = c.eventLoop().submit((java.util.concurrent.Callable<ZeroCopyStats>) h::stats).get();
            System.out.println("piggyback: " + s);
            assertEquals(10, s.zeroCopySends(), s::toString);
            assertEquals(10 * 65636L, got.get());
            assertEquals(0, s.copyWriteCalls(), s::toString);
            assertEquals(0, s.outstandingBuffers());
            c.close().sync(); server.close().sync();
        } finally { g.shutdownGracefully().sync(); }
    }
}
