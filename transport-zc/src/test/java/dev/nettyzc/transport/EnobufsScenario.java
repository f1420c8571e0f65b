/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import dev.nettyzc.transport.testutil.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The JVM {@link ZeroCopyEnobufsTest} starts where ENOBUFS is real (a network namespace with a small
 * {@code net.core.optmem_max}): an integrity stream of poisoning buffers, checked byte by byte at the receiver,
 * with the buffer lifecycle and leak checks of the other tests. Prints one {@code SCENARIO-STATS} line and exits
 * 0 only if everything held.
 */
public final class EnobufsScenario {
    private EnobufsScenario() {
    }

    public static void main(String[] args) throws Exception {
        ZeroCopyNotificationMode mode = ZeroCopyNotificationMode.valueOf(args[0]);
        long bytes = Long.parseLong(args[1]);
        int chunk = 64 * 1024;
        LeakDetectionExtension.install();
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        TrackedBuf.Registry reg = new TrackedBuf.Registry();
        byte[] scratch = new byte[chunk];
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.scribbleCount = 2;
        ZcPair[] self = new ZcPair[1];
        ZcPair p = new ZcPair(o, (ctx, offset) -> {
            if (offset >= bytes) {
                return null;
            }
            ByteBuf b = alloc.directBuffer(chunk);
            self[0].pattern.write(b, chunk, offset, scratch);
            return reg.track(b, offset);
        });
        self[0] = p;
        ZeroCopyStats s;
        try {
            p.start();
            p.awaitWritten();
            p.awaitReceived(bytes);
            p.awaitNoOutstanding();
            s = p.stats();
        } finally {
            p.close();
        }
        System.out.println("SCENARIO-STATS " + s);
        if (p.checker.offset() != bytes) {
            throw new AssertionError("received " + p.checker.offset() + " of " + bytes);
        }
        ZcTestSupport.await(() -> reg.notFreed().isEmpty(), () -> "buffers never freed: " + reg.notFreed());
        ZcTestSupport.assertLifecycle(reg);
        LeakDetectionExtension.assertNoLeaks("after the ENOBUFS scenario");
        System.out.println("SCENARIO-OK");
        System.exit(0);
    }
}
