/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a connection can end while zero-copy sends are outstanding: memory is handed back only by the
 * kernel's completion, never earlier, and nothing the kernel accepted is lost unless the user asked for a reset.
 * The receiver stops reading, so the sender's socket queue holds pinned, unsent data; then the connection ends.
 *
 * <p>Every written buffer is a {@link TrackedBuf}: its last release poisons its memory, and the lifecycle check
 * fails if a pin was released by anything but its completion. The receiver reads late and checks every byte;
 * in the VM with the loopback zero-copy switch on (loopback pages stay referenced until the receiver reads
 * them) a buffer handed back early turns into corrupted received bytes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ZeroCopyCloseTest {

    static final int CHUNK = 64 * 1024;
    static final long LIMIT = 64L * 1024 * 1024;

    private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
    private final TrackedBuf.Registry reg = new TrackedBuf.Registry();
    private final byte[] scratch = new byte[CHUNK];

    /** A pair whose receiver does not read; returns once the sender is blocked with sends outstanding. */
    private ZcPair stalledPair(ZeroCopyNotificationMode mode, int closeTimeoutMillis, Consumer<ZcPair.Options> more)
            throws InterruptedException {
        ZcTestSupport.assumeMode(mode);
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientAllocator = alloc;
        o.scribbleCount = 1;
        o.receiverAutoRead = false;
        o.expectWriteFailures = true;
        o.client = b -> b.option(ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS, closeTimeoutMillis)
                .option(ChannelOption.SO_SNDBUF, 256 * 1024);
        o.server = b -> b.childOption(ChannelOption.SO_RCVBUF, 128 * 1024);
        more.accept(o);
        ZcPair p = ZcPair.trackedStream(o, reg, LIMIT, CHUNK);
        p.start();
        ZcTestSupport.await(() -> !p.client.isWritable() && p.stats().outstandingSends() > 0 || p.failed(),
                () -> "sender blocked with sends outstanding: " + p.stats() + " " + p);
        p.assertNoErrors();
        return p;
    }

    private ZcPair stalledPair(ZeroCopyNotificationMode mode, int closeTimeoutMillis) throws InterruptedException {
        return stalledPair(mode, closeTimeoutMillis, o -> { });
    }

    private long pinnedNotFreed() {
        return reg.all.stream().filter(t -> t.wasPinned() && !t.isFreed()).count();
    }

    private ZeroCopyEpollSocketChannel sender(ZcPair p) {
        return (ZeroCopyEpollSocketChannel) p.client;
    }

    /** Nothing pinned was handed back at close: the kernel still holds the data. */
    private void assertNothingReleasedAtClose(ZeroCopyStats atClose) throws InterruptedException {
        Thread.sleep(200);
        long stillPinned = pinnedNotFreed();
        assertTrue(stillPinned > 0, () -> "outstanding buffers were released at close: " + atClose);
        ZcTestSupport.assertLifecycleSoFar(reg);
    }

    /** The receiver resumes: every byte the kernel accepted arrives, intact, then EOF (no reset). */
    private void assertEverythingAcceptedArrives(ZcPair p) throws InterruptedException {
        p.serverChild.config().setAutoRead(true);
        p.serverChild.read();
        ZcTestSupport.await(() -> p.receiverInactive || p.failed(), () -> "receiver sees EOF: " + p);
        p.assertNoErrors();
        assertFalse(p.receiverSawReset(), () -> "the receiver saw a reset: " + p.receiverExceptions);
        ZeroCopyStats s = p.stats();
        // The kernel accepted whole buffers (acked: their promises succeeded) and possibly part of the next one.
        long accepted = s.zeroCopyBytes() + s.copyBytes();
        assertTrue(accepted >= p.acked.get(), () -> "accepted " + accepted + " < acked: " + p);
        assertEquals(accepted, p.received.get(), () -> "accepted bytes lost or extra: " + s + " " + p);
        assertEquals(p.received.get(), p.checker.offset());
    }

    /** The receiver resumes and reads until the connection ends; every byte it got is intact. */
    private static void readLate(ZcPair p) throws InterruptedException {
        p.serverChild.config().setAutoRead(true);
        p.serverChild.read();
        ZcTestSupport.await(() -> p.receiverInactive || p.serverError != null, () -> "receiver ends: " + p);
        p.assertNoErrors();
        assertEquals(p.received.get(), p.checker.offset());
    }

    /** Every pinned buffer is released, by its completion, and the release future succeeds. */
    private void assertAllReleasedByCompletions(ZcPair p) throws Exception {
        ZcTestSupport.await(() -> pinnedNotFreed() == 0,
                () -> pinnedNotFreed() + " pinned buffers never released after close: " + p.stats());
        assertTrue(sender(p).zeroCopyReleaseFuture().await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertTrue(sender(p).zeroCopyReleaseFuture().isSuccess(), () -> "release future: "
                + sender(p).zeroCopyReleaseFuture().cause());
        ZeroCopyStats s = p.stats();
        assertEquals(0, s.outstandingSends(), () -> "outstanding after close: " + s);
        assertEquals(0, s.quarantinedSends(), () -> "buffers abandoned: " + s);
        assertEquals(s.zeroCopySends(), s.completedSends(), () -> "all completed: " + s);
    }

    /** After the pair is closed: every buffer was freed, each pin by its completion. */
    private void assertAllFreed() throws Exception {
        ZcTestSupport.await(() -> reg.notFreed().isEmpty(), () -> "buffers never freed: " + reg.notFreed());
        ZcTestSupport.assertLifecycle(reg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void closeWaitsForCompletionsAndDeliversEverything(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = stalledPair(mode, 120_000);
        try {
            ZeroCopyStats atClose = p.stats();
            p.client.close().sync();
            assertFalse(sender(p).zeroCopyReleaseFuture().isDone(), "memory is still pinned after close");
            assertNothingReleasedAtClose(atClose);
            assertEverythingAcceptedArrives(p);
            assertAllReleasedByCompletions(p);
            assertEquals(0, p.stats().closeAborts());
        } finally {
            p.close();
        }
        assertAllFreed();
    }

    /** Path 1: the socket lives on after {@code deregister()}; the close that follows must not release. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void deregisterThenCloseKeepsBuffersUntilTheirCompletion(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = stalledPair(mode, 120_000);
        try {
            ZeroCopyStats atClose = p.stats();
            p.client.deregister().sync();
            p.client.close().sync();
            assertNothingReleasedAtClose(atClose);
            assertEverythingAcceptedArrives(p);
            assertAllReleasedByCompletions(p);
        } finally {
            p.close();
        }
        assertAllFreed();
    }

    /**
     * Path 2: after the close timeout the connection is reset, but the socket is kept open until the completions
     * of the purged data arrived; only they release the buffers. The receiver reads late: what it gets is intact.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void closeTimeoutResetsButReleasesOnlyOnCompletion(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = stalledPair(mode, 300, o -> o.ignoreReceiverErrors = true);
        try {
            p.client.close().sync();
            ZcTestSupport.await(() -> p.stats().closeAborts() == 1, () -> "the close timeout reset: " + p.stats());
            readLate(p); // a reset may cut the stream short; what arrives must be intact
            assertAllReleasedByCompletions(p);
        } finally {
            p.close();
        }
        assertAllFreed();
    }

    /** Path 4: SO_LINGER 0 asks for a reset: at once, not after the queued data; released by completions. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void soLingerZeroResetsAtOnce(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = stalledPair(mode, 120_000, o -> o.ignoreReceiverErrors = true);
        try {
            p.client.config().setOption(ChannelOption.SO_LINGER, 0);
            p.client.close().sync();
            readLate(p);
            assertTrue(p.receiverSawReset(), () -> "SO_LINGER 0 must reset the connection, the receiver saw "
                    + p.receiverExceptions + " after " + p.received + " bytes");
            assertEquals(1, p.stats().closeAborts());
            assertAllReleasedByCompletions(p);
        } finally {
            p.close();
        }
        assertAllFreed();
    }

    /**
     * Path 4: with SO_LINGER &gt; 0 the final close of the kept socket blocks until its queued data is sent; it must
     * never run on the event loop. Zero-copy data A, then copy data C, are queued; the receiver reads past A only,
     * so A completes (the lingering close is done) while C is still unsent and the close blocks.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void soLingerAboveZeroNeverBlocksTheEventLoop(ZeroCopyNotificationMode mode) throws Exception {
        ZcTestSupport.assumeMode(mode);
        EventLoopGroup senderGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("zc-sender", true),
                EpollIoHandler.newFactory());
        // Sized for the default net.core.wmem_max/rmem_max (SO_SNDBUF and SO_RCVBUF are capped there): the
        // kernel must accept A and C while the receiver, with a small window, holds on to them.
        int zeroCopyBytes = 192 * 1024;
        int copyBytes = 192 * 1024;
        ZcPair.Options o = new ZcPair.Options();
        o.mode = mode;
        o.clientGroup = senderGroup;
        o.receiverAutoRead = false;
        o.client = b -> b.option(ChannelOption.SO_SNDBUF, 512 * 1024)
                .option(ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS, 120_000);
        o.server = b -> b.childOption(ChannelOption.SO_RCVBUF, 16 * 1024)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(8 * 1024)
                        .maxMessagesPerRead(1));
        ZcPair p = new ZcPair(o);
        try {
            java.util.List<ByteBuf> msgs = new java.util.ArrayList<>();
            for (long off = 0; off < zeroCopyBytes; off += CHUNK) {
                ByteBuf b = alloc.directBuffer(CHUNK);
                p.pattern.write(b, CHUNK, off, scratch);
                msgs.add(reg.track(b, off));
            }
            byte[] heap = new byte[copyBytes];
            p.pattern.fill(heap, copyBytes, zeroCopyBytes);
            msgs.add(Unpooled.wrappedBuffer(heap)); // a heap buffer: sent by copy
            p.sendAll(msgs, true);
            p.awaitWritten(); // the kernel accepted all of it
            ZeroCopyStats before = p.stats();
            assertTrue(before.outstandingSends() > 0, () -> "zero-copy data still unacknowledged: " + before);
            p.client.config().setOption(ChannelOption.SO_LINGER, 300);
            p.client.close().sync();
            // The last zero-copy skb may also carry the first bytes of C (TCP appends copied data to it): read past
            // it, but not to the end of C.
            p.receiveUpTo(zeroCopyBytes + 96 * 1024);
            // A is acknowledged: its completions end the lingering close, whose final close now blocks on C.
            assertTrue(sender(p).zeroCopyReleaseFuture().await(ZcTestSupport.WAIT_MILLIS, TimeUnit.MILLISECONDS),
                    () -> "zero-copy sends completed: " + p.stats());
            assertTrue(senderGroup.next().submit(() -> { }).await(30, TimeUnit.SECONDS),
                    "the sender's event loop is blocked by a lingering close(2)");
            assertEverythingAcceptedArrives(p);
            assertAllReleasedByCompletions(p);
        } finally {
            p.close();
            senderGroup.shutdownGracefully(0, 10, TimeUnit.SECONDS);
        }
        assertAllFreed();
    }

    /**
     * Path 3: the sender's event loop shuts down with sends outstanding. The closed channel keeps collecting its
     * completions on another thread; everything the kernel accepted is delivered, as with EpollSocketChannel.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void shutdownGracefullyDeliversEverythingAccepted(ZeroCopyNotificationMode mode) throws Exception {
        EventLoopGroup senderGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("zc-sender", true),
                EpollIoHandler.newFactory());
        ZcPair p = stalledPair(mode, 120_000, o -> o.clientGroup = senderGroup);
        try {
            ZeroCopyStats atShutdown = p.stats();
            // A quiet period > 0: with 0, Netty 4.2 may terminate the loop without closing its channels at all (when
            // the shutdown request arrives while tasks run, confirmShutdown() ends the loop before
            // prepareToDestroy() ran), for EpollSocketChannel too; the socket then simply stays open.
            assertTrue(senderGroup.shutdownGracefully(100, 10_000, TimeUnit.MILLISECONDS).await(60, TimeUnit.SECONDS));
            assertFalse(p.client.isOpen());
            assertNothingReleasedAtClose(atShutdown);
            assertEverythingAcceptedArrives(p);
            assertAllReleasedByCompletions(p);
            assertEquals(0, p.stats().closeAborts());
        } finally {
            p.close();
        }
        assertAllFreed();
    }

    /** The peer resets the connection mid-stream: every pin is still released exactly once, by its completion. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nettyzc.transport.ZcTestSupport#modes")
    void peerResetMidStreamReleasesEverythingByCompletion(ZeroCopyNotificationMode mode) throws Exception {
        ZcPair p = stalledPair(mode, 120_000, o -> o.ignoreReceiverErrors = true);
        try {
            p.serverChild.config().setOption(ChannelOption.SO_LINGER, 0);
            p.serverChild.close().sync(); // RST to the sender
            ZcTestSupport.await(() -> !p.client.isOpen(), () -> "the sender closes after the reset: " + p);
            assertAllReleasedByCompletions(p);
        } finally {
            p.close();
        }
        assertAllFreed();
    }
}
