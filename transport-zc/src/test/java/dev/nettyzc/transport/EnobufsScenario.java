/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import dev.nettyzc.transport.testutil.LeakDetectionExtension;
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
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.scribbleCount = 2;
        ZcPair p = ZcPair.trackedStream(o, reg, bytes, chunk);
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
        // A child JVM of ZeroCopyEnobufsTest: end it even if a non-daemon thread lingers.
        System.exit(0);
    }
}
