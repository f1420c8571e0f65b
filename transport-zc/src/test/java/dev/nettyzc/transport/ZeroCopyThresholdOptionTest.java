/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}: the quick start (the option, no {@link ZeroCopyHandler}) sends
 * zero-copy with the stream intact and every buffer's lifecycle exact; set on a server channel it reaches the
 * children; -1 (the default) is off; a handler built without a threshold takes the option's, one built with a
 * threshold keeps its own; bad values are refused.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ZeroCopyThresholdOptionTest {

    private static final long BYTES = 32L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    private static ZcPair.Options withoutHandler(ZeroCopyNotificationMode mode, int threshold) {
        ZcPair.Options o = ZcPair.Options.thresholdOnly(mode, threshold, CHUNK);
        o.scribbleCount = 2;
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void optionAloneSendsZeroCopyAndTheStreamArrivesIntact(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ZcPair p = ZcPair.trackedStream(withoutHandler(mode, 16 * 1024), reg, BYTES, CHUNK);
        p.streamAllAndClose(BYTES);
        ZeroCopyStats s = p.stats();
        assertTrue(s.zeroCopySends() > 0, () -> "no handler, only the option: zero-copy must happen: " + s);
        assertEquals(BYTES, s.zeroCopyBytes() + s.copyBytes(), () -> "bytes accounted: " + s);
        assertTrue(s.zeroCopyBytes() > BYTES / 2, () -> "most bytes went zero-copy: " + s);
        assertEquals(s.zeroCopySends(), s.completedSends(), () -> "every send completed: " + s);
        assertEquals(0, s.outstandingBytes(), () -> "nothing pinned after the end: " + s);
        assertTrue(reg.pinned() > 0, "buffers were pinned");
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void belowTheOptionsThresholdIsCopied(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ZcPair p = ZcPair.trackedStream(withoutHandler(mode, CHUNK + 1), reg, 4L * 1024 * 1024, CHUNK);
        p.streamAllAndClose(4L * 1024 * 1024);
        ZeroCopyStats s = p.stats();
        assertEquals(0, s.zeroCopySends(), () -> "64 KiB buffers are below a 64 KiB + 1 threshold: " + s);
        assertEquals(0, reg.pinned(), "nothing pinned");
        ZcTestSupport.assertLifecycle(reg);
    }

    @Test
    void defaultIsOffAndSendsEverythingByCopy() throws Exception {
        ZcPair.Options o = withoutHandler(ZeroCopyNotificationMode.ERRQUEUE, -1);
        o.client = b -> { }; // the default
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        ZcPair p = ZcPair.trackedStream(o, reg, 4L * 1024 * 1024, CHUNK);
        assertEquals(-1, p.client.config().getOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD));
        p.streamAllAndClose(4L * 1024 * 1024);
        ZeroCopyStats s = p.stats();
        assertEquals(0, s.zeroCopySends(), () -> "off by default: " + s);
        assertEquals(4L * 1024 * 1024, s.copyBytes(), () -> "all by copy: " + s);
    }

    @Test
    void setOnTheServerItAppliesToItsChildren() throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        o.server = sb -> sb.option(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, 1000)
                .option(ZeroCopyChannelOption.ZEROCOPY_MAX_PINNED_BYTES, 1L << 20);
        ZcPair p = new ZcPair(o);
        try {
            ZcTestSupport.await(() -> p.serverChild != null, () -> "accepted");
            Channel child = p.serverChild;
            assertEquals(1000, child.config().getOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD));
            assertEquals(1L << 20, child.config().getOption(ZeroCopyChannelOption.ZEROCOPY_MAX_PINNED_BYTES));
            assertEquals(1000, child.config().getOptions().get(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD));
            // The child sends zero-copy with no handler in its pipeline (the receiver side of ZcPair has none).
            child.eventLoop().execute(() -> {
                for (int i = 0; i < 4; i++) {
                    ByteBuf b = child.alloc().directBuffer(4096);
                    b.writeZero(4096);
                    child.write(b);
                }
                child.flush();
            });
            ZcTestSupport.await(() -> {
                ZeroCopyStats s = ZcTestSupport.stats(child);
                return s.zeroCopyBytes() == 4 * 4096 && s.completedSends() == s.zeroCopySends();
            }, () -> "child sent zero-copy: " + ZcTestSupport.stats(child));
        } finally {
            p.close();
        }
    }

    @Test
    void handlerWithoutThresholdTakesTheOptionsAndOneWithAThresholdKeepsIt() throws Exception {
        ZcPair.Options o = new ZcPair.Options();
        o.handler = new ZeroCopyHandler();
        o.client = b -> b.option(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, 1234);
        ZcPair p = new ZcPair(o);
        try {
            assertEquals(1234, p.handler.threshold(), "the option's threshold");
            p.client.config().setOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, -1);
            assertEquals(ZeroCopyHandler.DEFAULT_THRESHOLD, p.handler.threshold(), "option off: the default");
            ZeroCopyHandler own = new ZeroCopyHandler(5000);
            p.client.pipeline().replace(p.handler, "own", own);
            p.client.config().setOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, 100);
            assertEquals(5000, own.threshold(), "an explicit threshold wins over the option");
            assertEquals(5000, ZeroCopyHandler.builder().threshold(5000).build().threshold());
        } finally {
            p.close();
        }
    }

    @Test
    void badValuesAreRefused() throws Exception {
        ZcPair p = new ZcPair(new ZcPair.Options());
        try {
            assertThrows(IllegalArgumentException.class,
                    () -> p.client.config().setOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, -2));
            assertThrows(IllegalArgumentException.class,
                    () -> p.client.config().setOption(ZeroCopyChannelOption.ZEROCOPY_MAX_PINNED_BYTES, -1L));
            assertThrows(IllegalArgumentException.class, () -> new ZeroCopyHandler(0));
            p.client.config().setOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, 0);
            assertEquals(0, p.client.config().getOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD));
        } finally {
            p.close();
        }
    }
}
