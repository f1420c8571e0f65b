/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.Assumptions;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared plumbing of the integration tests (real loopback sockets). */
final class ZcTestSupport {

    /** Shared epoll event loops (daemon threads). Two threads: client and server usually run on different ones. */
    static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("zc-test", true), EpollIoHandler.newFactory());

    /** Hang guard for waits; never a performance assertion. Generous for a loaded 2-core machine. */
    static final long WAIT_MILLIS = Long.getLong("zc.test.waitMillis", 120_000);

    private ZcTestSupport() {
    }

    /** The transport must be available on the test host: a missing native library fails, it does not skip. */
    static void requireAvailable() {
        if (!ZeroCopy.isAvailable()) {
            Throwable cause = ZeroCopy.unavailabilityCause();
            throw new AssertionError("netty-transport-zc unavailable on this Linux host: " + cause, cause);
        }
    }

    /** The notification modes the lifecycle tests run in: ERRQUEUE always, CMSG checked by {@link #assumeMode}. */
    static Stream<ZeroCopyNotificationMode> modes() {
        return Stream.of(ZeroCopyNotificationMode.ERRQUEUE, ZeroCopyNotificationMode.CMSG);
    }

    /**
     * ERRQUEUE: always runs. CMSG: runs when the kernel supports SCM_ZC_NOTIFICATION. Otherwise the test is
     * aborted with a loud message (not a silent skip) - and if the environment says in-band must work
     * ({@code ZC_EXPECT_INBAND=1}, set by the VM runner), it FAILS.
     */
    static void assumeMode(ZeroCopyNotificationMode mode) {
        requireAvailable();
        if (mode != ZeroCopyNotificationMode.CMSG || ZeroCopy.isInbandNotificationSupported()) {
            return;
        }
        String why = "IN-BAND (CMSG) TEST NOT RUN: kernel " + System.getProperty("os.version")
                + " does not support SCM_ZC_NOTIFICATION (" + ZeroCopy.inbandProbeDescription() + "). "
                + "The in-band path is only exercised inside the patched kernel: transport-zc/src/test/vm/run-in-vm.";
        if ("1".equals(System.getenv("ZC_EXPECT_INBAND"))) {
            fail("ZC_EXPECT_INBAND=1 but " + why);
        }
        System.err.println("*** " + why);
        Assumptions.abort(why);
    }

    /** Polls {@code condition} until true; fails with {@code message} after {@link #WAIT_MILLIS} (hang guard). */
    static void await(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT_MILLIS + " ms waiting for: " + message.get());
            }
            Thread.sleep(5);
        }
    }

    /** A stats snapshot taken on the channel's event loop (directly once that loop shut down: it is safe anyway). */
    static ZeroCopyStats stats(Channel ch) {
        if (ch.eventLoop().isShuttingDown()) {
            return ZeroCopyHandler.stats(ch);
        }
        try {
            return ch.eventLoop().submit(() -> ZeroCopyHandler.stats(ch)).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot take stats of " + ch, e);
        }
    }

    /** While buffers may still be pinned: none was released early, and the freed ones lived as they should. */
    static void assertLifecycleSoFar(TrackedBuf.Registry reg) {
        assertTrue(reg.violations.isEmpty(), () -> "reference-count violations: " + reg.violations);
        for (TrackedBuf t : reg.all) {
            String p = t.earlyReleaseProblem();
            if (p != null) {
                fail(p);
            }
        }
    }

    /** Asserts every tracked buffer lived and died as the zero-copy contract says ({@link TrackedBuf}). */
    static void assertLifecycle(TrackedBuf.Registry reg) {
        assertTrue(reg.violations.isEmpty(), () -> "reference-count violations: " + reg.violations);
        StringBuilder problems = new StringBuilder();
        int n = 0;
        for (TrackedBuf t : reg.all) {
            String p = t.lifecycleProblem();
            if (p != null && n++ < 20) {
                problems.append("\n  ").append(p);
            }
        }
        if (n > 0) {
            fail(n + " of " + reg.size() + " buffers violate the lifecycle:" + problems);
        }
    }
}
