/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults the kernel does not produce on demand, injected under the real JNI code by the LD_PRELOAD shim
 * ({@link FaultShim}): runs in its own JVM (surefire execution "fault-injection"; in the VM, run-in-vm).
 * <ul>
 *   <li>A drain stopped by an error after it dequeued entries (path 5): those entries must still be applied.</li>
 *   <li>An SCM_ZC_NOTIFICATION copy-back that cannot be parsed (path 5): the kernel dequeued its notifications,
 *       so the sends they covered can never complete; the channel closes with the reason, and their buffers are
 *       kept, never handed back.</li>
 *   <li>A libc that copies msghdr and msg_control before the syscall, as musl does on 64-bit (path 8): the
 *       in-band completions must still arrive, because the syscall is made directly.</li>
 * </ul>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyFaultInjectionTest {
    static final int CHUNK = 64 * 1024;
    static final long LIMIT = Long.getLong("zc.fault.bytes", 32L * 1024 * 1024);

    private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
    private final TrackedBuf.Registry reg = new TrackedBuf.Registry();

    @BeforeEach
    void shim() throws Exception {
        FaultShim.requireLoaded();
        FaultShim.off();
    }

    @AfterEach
    void off() throws Exception {
        FaultShim.off();
    }

    private ZcPair streamingPair(ZeroCopyNotificationMode mode, int closeTimeoutMillis) throws InterruptedException {
        ZcTestSupport.assumeMode(mode);
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.scribbleCount = 1;
        o.expectWriteFailures = true;
        o.client = b -> b.option(ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS, closeTimeoutMillis);
        ZcPair p = ZcPair.trackedStream(o, reg, LIMIT, CHUNK);
        return p;
    }

    private long pinnedNotFreed() {
        return reg.all.stream().filter(t -> t.wasPinned() && !t.isFreed()).count();
    }

    private static ZeroCopyEpollSocketChannel sender(ZcPair p) {
        return (ZeroCopyEpollSocketChannel) p.client;
    }

    @Test
    void aDrainStoppedByAnErrorLosesNoEntry() throws Exception {
        ZcPair p = streamingPair(ZeroCopyNotificationMode.ERRQUEUE, 30_000);
        try {
            long gen = FaultShim.arm("drain-eio");
            p.start();
            ZcTestSupport.await(() -> FaultShim.fired(gen) || p.sourceDone && p.stats().outstandingSends() == 0,
                    () -> "the fault fired: " + p);
            assertTrue(FaultShim.fired(gen), "the stream ended before a drain dequeued an entry: " + p.stats());
            // The channel reports the error and closes ...
            ZcTestSupport.await(() -> !p.client.isOpen(), () -> "the sender closes after recvmsg failed: " + p);
            assertTrue(p.clientError != null && p.clientError.getMessage().contains("recvmsg")
                    && p.clientError.getMessage().contains("Input/output error"), () -> "error: " + p.clientError);
            // ... and not one completion was lost: every pinned buffer is released, by its completion.
            ZcTestSupport.await(() -> pinnedNotFreed() == 0,
                    () -> pinnedNotFreed() + " pinned buffers never released: " + p.stats());
            assertTrue(sender(p).zeroCopyReleaseFuture().await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS));
            assertTrue(sender(p).zeroCopyReleaseFuture().isSuccess());
            ZeroCopyStats s = p.stats();
            assertEquals(s.zeroCopySends(), s.completedSends(), () -> "completions lost: " + s);
            assertEquals(0, s.quarantinedSends(), s::toString);
            // Whatever the kernel accepted arrives intact.
            ZcTestSupport.await(() -> p.receiverInactive || p.serverError != null, () -> "receiver sees EOF: " + p);
            assertEquals(s.zeroCopyBytes() + s.copyBytes(), p.received.get());
            assertEquals(p.received.get(), p.checker.offset());
        } finally {
            p.close();
        }
        ZcTestSupport.await(() -> reg.notFreed().isEmpty(), () -> "buffers never freed: " + reg.notFreed());
        ZcTestSupport.assertLifecycle(reg);
    }

    @Test
    void aCopyBackThatCannotBeParsedClosesTheChannelAndKeepsTheBuffers() throws Exception {
        ZcPair p = streamingPair(ZeroCopyNotificationMode.CMSG, 500);
        int quarantinedBefore = LingeringClose.quarantinedBuffers();
        try {
            long gen = FaultShim.arm("corrupt-copyback");
            p.start();
            ZcTestSupport.await(() -> FaultShim.fired(gen) || p.sourceDone && p.stats().outstandingSends() == 0,
                    () -> "the fault fired: " + p);
            assertTrue(FaultShim.fired(gen), "no copy-back carried a range: " + p.stats());
            ZcTestSupport.await(() -> !p.client.isOpen(), () -> "the sender closes after the bad copy-back: " + p);
            assertTrue(p.clientError != null && p.clientError.getMessage().contains("cannot be parsed"),
                    () -> "error: " + p.clientError);
            assertEquals(1, p.stats().badCopyBacks());
            // The lost sends never complete: after the close timeout and the abort, their buffers are kept.
            assertTrue(sender(p).zeroCopyReleaseFuture().await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS));
            assertFalse(sender(p).zeroCopyReleaseFuture().isSuccess(), "the lost sends cannot have completed");
            ZeroCopyStats s = p.stats();
            assertTrue(s.quarantinedSends() >= 1, s::toString);
            assertEquals(1, s.closeAborts(), s::toString);
            assertEquals(0, s.outstandingSends(), s::toString);
        } finally {
            p.close();
        }
        // Nothing was released early; what is not freed is exactly what the quarantine keeps.
        ZcTestSupport.assertLifecycleSoFar(reg);
        long kept = 0;
        for (TrackedBuf t : reg.all) {
            if (t.wasPinned() && !t.isFreed()) {
                assertTrue(LingeringClose.isQuarantined(t), () -> "pinned, not freed and not quarantined: " + t);
                kept++;
            }
        }
        assertTrue(kept > 0);
        assertEquals(quarantinedBefore + kept, LingeringClose.quarantinedBuffers());
    }

    @Test
    void aLibcThatCopiesTheMsghdrStillGetsTheInbandCompletions() throws Exception {
        ZcPair p = streamingPair(ZeroCopyNotificationMode.CMSG, 30_000);
        try {
            FaultShim.arm("musl-sendmsg");
            p.start();
            p.awaitWritten();
            p.awaitReceived(LIMIT);
            p.awaitNoOutstanding();
            assertEquals(LIMIT, p.checker.offset());
        } finally {
            p.close();
        }
        ZeroCopyStats s = p.stats();
        assertTrue(s.inbandSends() > 0, () -> "no completion came back in-band: " + s);
        assertEquals(s.zeroCopySends(), s.completedSends(), s::toString);
        ZcTestSupport.await(() -> reg.notFreed().isEmpty(), () -> "buffers never freed: " + reg.notFreed());
        ZcTestSupport.assertLifecycle(reg);
    }
}
