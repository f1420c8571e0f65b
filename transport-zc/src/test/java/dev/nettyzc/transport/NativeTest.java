/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.IovArray;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The JNI layer on real loopback sockets (no channels). */
class NativeTest {
    private static final int SEND_SIZE = 64 * 1024;

    private LinuxSocket listener;
    private LinuxSocket client;
    private LinuxSocket server;
    private ByteBuf data;
    private IovArray iov;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ZEROCOPY = 60;
    private static final int EBADF = 9;
    private static final int ECONNRESET = 104;

    /** msghdr at 0, drain status at 64, error-queue entries from 128. */
    private ByteBuffer scratch;

    @BeforeAll
    static void available() {
        if (!ZeroCopy.isAvailable()) {
            throw new AssertionError("transport unavailable: " + ZeroCopy.unavailabilityCause(),
                    ZeroCopy.unavailabilityCause());
        }
    }

    @BeforeEach
    void setUp() {
        data = Unpooled.directBuffer(SEND_SIZE).writeZero(SEND_SIZE);
        iov = new IovArray();
        scratch = ByteBuffer.allocateDirect(128 + 64 * Native.ERRQUEUE_ENTRY_SIZE).order(java.nio.ByteOrder.nativeOrder());
    }

    @AfterEach
    void tearDown() throws IOException {
        for (LinuxSocket s : new LinuxSocket[] { client, server, listener }) {
            if (s != null && s.isOpen()) {
                s.close();
            }
        }
        iov.release();
        data.release();
    }

    @Test
    void soZeroCopyIsSet() throws IOException {
        client = LinuxSocket.newSocketStream(false);
        assertEquals(0, client.getIntOpt(SOL_SOCKET, SO_ZEROCOPY));
        Native.setSoZeroCopy(client.intValue(), Native.SO_ZEROCOPY_ON);
        assertEquals(1, client.getIntOpt(SOL_SOCKET, SO_ZEROCOPY));
        assertEquals(1, Native.getSoZeroCopy(client.intValue()));
        Native.setSoZeroCopy(client.intValue(), 0);
        assertEquals(0, client.getIntOpt(SOL_SOCKET, SO_ZEROCOPY));
        assertEquals(0, Native.getSoZeroCopy(client.intValue()));
    }

    /** SO_ZEROCOPY_DEFER_POLLERR: accepted exactly where the probe says so, else EINVAL and nothing changed. */
    @Test
    void deferPollerrMatchesTheProbe() throws IOException {
        client = LinuxSocket.newSocketStream(false);
        int withDefer = Native.SO_ZEROCOPY_ON | Native.SO_ZEROCOPY_DEFER_POLLERR;
        if (ZeroCopy.isDeferPollerrSupported()) {
            Native.setSoZeroCopy(client.intValue(), withDefer);
            assertEquals(withDefer, Native.getSoZeroCopy(client.intValue()));
            Native.setSoZeroCopy(client.intValue(), Native.SO_ZEROCOPY_ON);
            assertEquals(Native.SO_ZEROCOPY_ON, Native.getSoZeroCopy(client.intValue()));
        } else {
            IOException e = assertThrows(IOException.class, () -> Native.setSoZeroCopy(client.intValue(), withDefer));
            assertTrue(e.getMessage().contains("Invalid argument"), e.getMessage());
            assertEquals(0, Native.getSoZeroCopy(client.intValue()));
        }
    }

    @Test
    void errorsCarryErrnoText() {
        Errors.NativeIoException e = assertThrows(Errors.NativeIoException.class,
                () -> Native.sendmsg(-1, msghdr(0, 0), Native.MSG_ZEROCOPY));
        assertTrue(e.getMessage().startsWith("sendmsg(..) failed"), e.getMessage());
        assertTrue(e.getMessage().contains("Bad file descriptor"), e.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> Native.setSoZeroCopy(-1, Native.SO_ZEROCOPY_ON));
        assertTrue(e2.getMessage().contains("setsockopt(..) failed"), e2.getMessage());
        IOException e3 = assertThrows(IOException.class, () -> Native.disconnect(-1));
        assertTrue(e3.getMessage().contains("connect(..) failed") && e3.getMessage().contains("Bad file descriptor"),
                e3.getMessage());
    }

    @Test
    void drainReportsItsErrorBesideTheEntriesInsteadOfThrowing() {
        PlatformDependent.putInt(status(), -1);
        assertEquals(0, Native.drainErrorQueue(-1, entries(), 64, status()));
        assertEquals(EBADF, PlatformDependent.getInt(status()), "the errno that stopped the drain");
    }

    @Test
    void zeroCopySendsCompleteThroughTheErrorQueue() throws Exception {
        connectPair(true);
        iov.add(data, 0, SEND_SIZE);
        int sends = 3;
        for (int i = 0; i < sends; i++) {
            int n = Native.sendmsg(client.intValue(), msghdr(iov.memoryAddress(0), iov.count()), Native.MSG_ZEROCOPY);
            assertEquals(SEND_SIZE, n, "sendmsg " + i);
        }
        readAll(sends * SEND_SIZE);
        boolean[] seen = new boolean[sends];
        awaitCompletions(seen);
        assertEquals(0, Native.drainErrorQueue(client.intValue(), entries(), 64, status()));
        assertEquals(0, PlatformDependent.getInt(status()), "EAGAIN is the normal end, not an error");
    }

    /**
     * The abort of the lingering close: connect(AF_UNSPEC) resets the connection and purges the send queue, but
     * the socket stays open, so the completions of everything it sent still arrive on its error queue (once the
     * peer's queue no longer holds the pages either, as with the loopback zero-copy switch on).
     */
    @Test
    void disconnectKeepsTheSocketOpenAndItsCompletionsArrive() throws Exception {
        connectPair(true);
        client.setSendBufferSize(64 * 1024);
        server.setReceiveBufferSize(64 * 1024);
        iov.add(data, 0, SEND_SIZE);
        int sends = 0;
        for (int i = 0; i < 64; i++) {
            int n = Native.sendmsg(client.intValue(), msghdr(iov.memoryAddress(0), iov.count()), Native.MSG_ZEROCOPY);
            if (n < 0) {
                assertEquals(-Native.EAGAIN, n);
                break;
            }
            sends++;
        }
        assertTrue(sends >= 2, "sent " + sends);
        Native.disconnect(client.intValue());
        server.close(); // the receiver's queue goes too: nothing references the pages any more
        boolean[] seen = new boolean[sends];
        awaitCompletions(seen);
        assertTrue(client.isOpen());
    }

    /** poll reports a pending socket error without clearing it: SO_ERROR still has it afterwards. */
    @Test
    void isErrorPendingDoesNotConsumeTheError() throws Exception {
        connectPair(false);
        assertFalse(Native.isErrorPending(client.intValue()));
        server.setSoLinger(0);
        server.close(); // RST
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Native.isErrorPending(client.intValue())) {
            if (System.nanoTime() > deadline) {
                fail("no error after the peer's RST");
            }
            Thread.sleep(1);
        }
        assertTrue(Native.isErrorPending(client.intValue()), "still pending");
        assertEquals(ECONNRESET, client.getSoError());
        assertFalse(Native.isErrorPending(client.intValue()), "SO_ERROR cleared it");
    }

    @Test
    void flowControlErrnosAreReturnedNotThrown() throws Exception {
        connectPair(true);
        client.setSendBufferSize(4096);
        iov.add(data, 0, SEND_SIZE);
        int res = 0;
        for (int i = 0; i < 10_000; i++) {
            res = Native.sendmsg(client.intValue(), msghdr(iov.memoryAddress(0), iov.count()), 0);
            if (res < 0) {
                break;
            }
        }
        assertEquals(-Native.EAGAIN, res, "a full socket answers -EAGAIN");
    }

    @Test
    void msgControllenIsUntouchedWithoutAControlBuffer() throws Exception {
        connectPair(true);
        iov.add(data, 0, 100);
        long hdr = msghdr(iov.memoryAddress(0), 1);
        assertEquals(100, Native.sendmsg(client.intValue(), hdr, 0));
        assertEquals(0, PlatformDependent.getLong(hdr + Native.MSGHDR_CONTROLLEN));
    }

    @Test
    void inbandProbeMatchesTheKernel() {
        int r99 = ZeroCopy.probeInband(Native.SCM_ZC_NOTIFICATION);
        // 0 on the patched kernel, EINVAL on kernels without the patch; never a setup failure on loopback.
        assertTrue(r99 == 0 || r99 == Native.EINVAL, "probe result " + r99);
        assertEquals(r99 == 0, ZeroCopy.isInbandNotificationSupported());
    }

    /**
     * Under {@code -Pasan} ({@code zc.expectAsan=true}): libasan is mapped into this JVM and the loaded
     * {@code libnetty_transport_zc_native} is instrumented (references {@code __asan_init}).
     */
    @Test
    void runsUnderAddressSanitizer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("zc.expectAsan"),
                "only with -Pasan (zc.expectAsan=true)");
        java.util.List<String> maps = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"));
        assertTrue(maps.stream().anyMatch(l -> l.contains("libasan")), "libasan is not mapped");
        assertTrue(maps.stream().anyMatch(l -> l.contains("netty_transport_zc_native")), "native library not mapped");
        // NativeLibraryLoader extracts the library from the classifier jar and deletes the copy: check the resource.
        byte[] elf;
        try (java.io.InputStream in = NativeTest.class.getClassLoader().getResourceAsStream(
                "META-INF/native/libnetty_transport_zc_native_" + PlatformDependent.normalizedArch() + ".so")) {
            assertTrue(in != null, "native library resource not found");
            elf = in.readAllBytes();
        }
        String text = new String(elf, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("__asan_init"), "the native library is not built with -fsanitize=address");
        // Exercise the instrumented code paths once more under ASan: probe, sendmsg, a full drain.
        assertTrue(ZeroCopy.probeInband(Native.SCM_ZC_NOTIFICATION) >= 0);
        connectPair(true);
        iov.add(data, 0, SEND_SIZE);
        assertEquals(SEND_SIZE, Native.sendmsg(client.intValue(), msghdr(iov.memoryAddress(0), 1), Native.MSG_ZEROCOPY));
        readAll(SEND_SIZE);
        awaitCompletions(new boolean[1]);
    }

    private static long address(ByteBuffer buf) {
        return PlatformDependent.directBufferAddress(buf);
    }

    /** A msghdr for {@code iovCount} iovecs at {@code iovAddress}, no name, no control. */
    private long msghdr(long iovAddress, int iovCount) {
        long hdr = address(scratch);
        for (int i = 0; i < Native.MSGHDR_SIZE; i += 8) {
            PlatformDependent.putLong(hdr + i, 0);
        }
        PlatformDependent.putLong(hdr + Native.MSGHDR_IOV, iovAddress);
        PlatformDependent.putLong(hdr + Native.MSGHDR_IOVLEN, iovCount);
        return hdr;
    }

    private long status() {
        return address(scratch) + 64;
    }

    private long entries() {
        return address(scratch) + 128;
    }

    /** Drains until every id in [0, seen.length) completed once; the entries are zero-copy ones. */
    private void awaitCompletions(boolean[] seen) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int completed = 0;
        while (completed < seen.length) {
            int n = Native.drainErrorQueue(client.intValue(), entries(), 64, status());
            assertEquals(0, PlatformDependent.getInt(status()));
            for (int i = 0; i < n; i++) {
                long e = entries() + (long) i * Native.ERRQUEUE_ENTRY_SIZE;
                assertEquals(0, PlatformDependent.getInt(e), "ee_errno");
                assertEquals(Native.SO_EE_ORIGIN_ZEROCOPY, PlatformDependent.getByte(e + 4) & 0xff, "ee_origin");
                // Loopback: the kernel reports a deferred copy unless its benchmark switch is on.
                int code = PlatformDependent.getByte(e + 6) & 0xff;
                assertTrue(code == 0 || code == Native.SO_EE_CODE_ZEROCOPY_COPIED, "code " + code);
                int lo = PlatformDependent.getInt(e + 8);
                int hi = PlatformDependent.getInt(e + 12);
                for (int id = lo; id <= hi; id++) {
                    assertFalse(seen[id], "id " + id + " completed twice");
                    seen[id] = true;
                    completed++;
                }
            }
            if (completed < seen.length && System.nanoTime() > deadline) {
                fail("only " + completed + " of " + seen.length + " completions arrived");
            }
            Thread.sleep(1);
        }
    }

    private void connectPair(boolean zeroCopy) throws Exception {
        listener = LinuxSocket.newSocketStream(false);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        listener.listen(1);
        client = LinuxSocket.newSocketStream(false);
        if (zeroCopy) {
            Native.setSoZeroCopy(client.intValue(), Native.SO_ZEROCOPY_ON);
        }
        boolean connected = client.connect(listener.localAddress());
        byte[] addr = new byte[26];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int fd = -1;
        while (fd < 0 || !connected) {
            if (!connected) {
                connected = client.finishConnect();
            }
            if (fd < 0) {
                fd = listener.accept(addr);
            }
            if (System.nanoTime() > deadline) {
                fail("loopback connect timed out");
            }
            if (fd < 0 || !connected) {
                Thread.sleep(1);
            }
        }
        server = LinuxSocket.newSocket(fd);
    }

    private void readAll(long bytes) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        long read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read < bytes) {
            buf.clear();
            int n = server.recv(buf, 0, buf.capacity());
            if (n > 0) {
                read += n;
            } else if (n < 0) {
                fail("EOF after " + read + " bytes");
            } else {
                if (System.nanoTime() > deadline) {
                    fail("read only " + read + " of " + bytes);
                }
                Thread.sleep(1);
            }
        }
    }
}
