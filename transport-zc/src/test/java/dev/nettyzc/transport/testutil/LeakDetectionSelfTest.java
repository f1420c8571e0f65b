/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testutil;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves that the leak net used by every test really catches a leaked buffer. */
class LeakDetectionSelfTest {

    @Test
    void leakedBufferIsReportedAndWouldFailTheTest() {
        LeakDetectionExtension.install();
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
        leakOne();
        List<String> leaks = List.of();
        for (int i = 0; i < 50 && leaks.isEmpty(); i++) {
            LeakDetectionExtension.provokeLeakReports();
            leaks = LeakDetectionExtension.drainLeaks();
        }
        assertFalse(leaks.isEmpty(), "a deliberately leaked direct buffer must be reported");
        assertTrue(leaks.get(0).contains("leakOne"), leaks.get(0));
        // Drained here, so the extension's own afterEach check stays green.
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
        leaked.writeLong(42);
    }
}
