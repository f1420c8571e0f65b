/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In-band completions (SCM_ZC_NOTIFICATION, patched kernel only): deterministic syscall-count assertions for
 * steady streaming. Error-queue reads must be a small fraction of sends (the notifications ride on the next
 * sendmsg), and every buffer is still released exactly once. On a kernel without support the CMSG tests abort
 * loudly, or fail when {@code ZC_EXPECT_INBAND=1} (the VM runner).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ZeroCopyInbandTest {

    static final int CHUNK = 64 * 1024;
    static final int SENDS = Integer.getInteger("zc.inband.sends", 4096);

    @Test
    void steadyStreamingCollectsCompletionsInBand() throws Exception {
        ZcTestSupport.assumeMode(ZeroCopyNotificationMode.CMSG);
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        byte[] scratch = new byte[CHUNK];
        ZcPair.Options o = new ZcPair.Options();
        o.mode = ZeroCopyNotificationMode.CMSG;
        o.clientAllocator = alloc;
        o.scribbleCount = 1;
        ZcPair[] self = new ZcPair[1];
        long total = (long) SENDS * CHUNK;
        ZcPair p = new ZcPair(o, (ctx, offset) -> {
            if (offset >= total) {
                return null;
            }
            ByteBuf b = alloc.directBuffer(CHUNK);
            self[0].pattern.write(b, CHUNK, offset, scratch);
            return reg.track(b, offset);
        });
        self[0] = p;
        try {
            p.start();
            p.awaitWritten();
            p.awaitReceived(total);
            p.awaitNoOutstanding();
        } finally {
            p.close();
        }
        ZeroCopyStats s = p.stats();
        System.out.printf("in-band streaming: %s%n  error-queue syscalls per zero-copy send: %.4f%n", s,
                (double) s.errqueueSyscalls() / Math.max(1, s.zeroCopySends()));
        assertEquals(ZeroCopyNotificationMode.CMSG, s.notificationMode());
        assertTrue(s.zeroCopySends() > SENDS / 2, () -> "zero-copy sends: " + s);
        assertTrue(s.inbandSends() > 0 && s.inbandRanges() > 0, () -> "nothing came back in-band: " + s);
        assertTrue(s.errqueueSyscalls() * 10 < s.zeroCopySends(),
                () -> "error-queue recvmsg calls must be < 10% of sends in steady CMSG streaming: " + s);
        assertTrue(s.inbandSends() > s.errqueueSends(), () -> "most completions in-band: " + s);
        assertEquals(s.zeroCopySends(), s.completedSends(), () -> "every send completed: " + s);
        assertEquals(s.completedSends(), s.inbandSends() + s.errqueueSends(), () -> "no completion counted twice: " + s);
        assertEquals(0, s.outstandingSends());
        assertEquals(0, s.ignoredIds(), () -> "duplicate/bogus ids between cmsg and errqueue: " + s);
        ZcTestSupport.assertLifecycle(reg);
    }

    @Test
    void autoModeResolvesToWhatTheKernelSupports() throws Exception {
        ZcTestSupport.requireAvailable();
        ZcPair.Options o = new ZcPair.Options();
        o.mode = ZeroCopyNotificationMode.AUTO;
        ZcPair p = new ZcPair(o);
        try {
            ZeroCopyStats s = p.stats();
            assertEquals(ZeroCopy.isInbandNotificationSupported() ? ZeroCopyNotificationMode.CMSG
                    : ZeroCopyNotificationMode.ERRQUEUE, s.notificationMode(), () -> "AUTO resolved to " + s);
        } finally {
            p.close();
        }
    }

    @Test
    void forcingCmsgWithoutKernelSupportFailsAtConfiguration() throws Exception {
        ZcTestSupport.requireAvailable();
        ZeroCopyEpollSocketChannel ch = new ZeroCopyEpollSocketChannel();
        try {
            if (ZeroCopy.isInbandNotificationSupported()) {
                assertTrue(ch.config().setOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE,
                        ZeroCopyNotificationMode.CMSG));
                assertEquals(ZeroCopyNotificationMode.CMSG,
                        ch.config().getOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE));
            } else {
                ChannelException e = assertThrows(ChannelException.class, () -> ch.config().setOption(
                        ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyNotificationMode.CMSG));
                assertTrue(String.valueOf(e.getMessage()).contains("SCM_ZC_NOTIFICATION"), e::toString);
            }
        } finally {
            ch.unsafe().closeForcibly();
        }
    }
}
