/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testutil;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Makes {@link ResourceLeakDetector} reports FAIL tests instead of only being logged.
 *
 * <p>Registered for every test class through JUnit's extension auto-detection
 * ({@code junit-platform.properties} + {@code META-INF/services}), so it also covers Netty's testsuite
 * classes run against our channels. It forces the PARANOID level, installs a
 * {@link ResourceLeakDetector.LeakListener} on ByteBuf's detector ({@code AbstractByteBuf.leakDetector}, read
 * reflectively: the field is package-private, and the detector is created once when ByteBuf classes
 * initialise, so this works whenever it runs), and after each test provokes collection of
 * unreachable buffers (GC + fresh tracked allocations, which is when Netty polls its reference queue).
 * Any report seen fails the test being finished (or the class, after all).
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;

    /** Installs the listener (idempotent). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) f.get(null);
            detector.setLeakListener((resourceType, records) -> LEAKS.add("LEAK of " + resourceType + ":\n" + records));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException(
                    "cannot hook ByteBuf's ResourceLeakDetector; leaks would go unnoticed", e);
        }
        installed = true;
    }

    /** GC, then allocate tracked buffers so Netty polls its reference queue and reports leaks. */
    public static void provokeLeakReports() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
            PooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
            UnpooledByteBufAllocator.DEFAULT.directBuffer(8).release();
            Unpooled.buffer(8).release();
        }
    }

    /** Reports captured since the last call; clears them. */
    public static List<String> drainLeaks() {
        List<String> out = new ArrayList<>();
        String s;
        while ((s = LEAKS.poll()) != null) {
            out.add(s);
        }
        return out;
    }

    /** Fails if any leak was reported (after provoking reports). */
    public static void assertNoLeaks(String where) {
        install();
        provokeLeakReports();
        List<String> leaks = drainLeaks();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " ByteBuf leak report(s) " + where + ":\n" + String.join("\n----\n", leaks));
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoLeaks("after " + context.getDisplayName() + " in " + context.getRequiredTestClass().getName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks("after all tests of " + context.getRequiredTestClass().getName());
    }
}
