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
    private ByteBuffer ranges;

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
        ranges = ByteBuffer.allocateDirect(64 * Native.RANGE_SIZE).order(java.nio.ByteOrder.nativeOrder());
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
    void soZeroCopyRoundTrip() throws IOException {
        client = LinuxSocket.newSocketStream(false);
        assertFalse(Native.isSoZeroCopy(client.intValue()));
        Native.setSoZeroCopy(client.intValue(), true);
        assertTrue(Native.isSoZeroCopy(client.intValue()));
        Native.setSoZeroCopy(client.intValue(), false);
        assertFalse(Native.isSoZeroCopy(client.intValue()));
    }

    @Test
    void errorsCarryErrnoText() {
        Errors.NativeIoException e = assertThrows(Errors.NativeIoException.class,
                () -> Native.sendmsg(-1, 0, 0, Native.MSG_ZEROCOPY, 0, 0, 0));
        assertTrue(e.getMessage().startsWith("sendmsg(..) failed"), e.getMessage());
        assertTrue(e.getMessage().contains("Bad file descriptor"), e.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> Native.setSoZeroCopy(-1, true));
        assertTrue(e2.getMessage().contains("setsockopt(..) failed"), e2.getMessage());
        IOException e3 = assertThrows(IOException.class, () -> Native.drainErrorQueue(-1, address(ranges), 1));
        assertTrue(e3.getMessage().contains("recvmsg(..) failed"), e3.getMessage());
    }

    @Test
    void zeroCopySendsCompleteThroughTheErrorQueue() throws Exception {
        connectPair(true);
        iov.add(data, 0, SEND_SIZE);
        int sends = 3;
        for (int i = 0; i < sends; i++) {
            int n = Native.sendmsg(client.intValue(), iov.memoryAddress(0), iov.count(), Native.MSG_ZEROCOPY,
                    0, 0, 0);
            assertEquals(SEND_SIZE, n, "sendmsg " + i);
        }
        readAll(sends * SEND_SIZE);

        boolean[] seen = new boolean[sends];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int completed = 0;
        while (completed < sends) {
            int n = Native.drainErrorQueue(client.intValue(), address(ranges), 64);
            for (int i = 0; i < n; i++) {
                int lo = ranges.getInt(i * 12);
                int hi = ranges.getInt(i * 12 + 4);
                int originAndCode = ranges.getInt(i * 12 + 8);
                assertEquals(Native.SO_EE_ORIGIN_ZEROCOPY, originAndCode >>> 8);
                // Loopback: the kernel reports a deferred copy unless its benchmark switch is on.
                int code = originAndCode & 0xff;
                assertTrue(code == 0 || code == Native.SO_EE_CODE_ZEROCOPY_COPIED, "code " + code);
                for (int id = lo; id <= hi; id++) {
                    assertFalse(seen[id], "id " + id + " completed twice");
                    seen[id] = true;
                    completed++;
                }
            }
            if (completed < sends && System.nanoTime() > deadline) {
                fail("only " + completed + " of " + sends + " completions arrived");
            }
            Thread.sleep(1);
        }
        assertEquals(0, Native.drainErrorQueue(client.intValue(), address(ranges), 64));
    }

    @Test
    void flowControlErrnosAreReturnedNotThrown() throws Exception {
        connectPair(true);
        client.setSendBufferSize(4096);
        iov.add(data, 0, SEND_SIZE);
        int res = 0;
        for (int i = 0; i < 10_000; i++) {
            res = Native.sendmsg(client.intValue(), iov.memoryAddress(0), iov.count(), 0, 0, 0, 0);
            if (res < 0) {
                break;
            }
        }
        assertEquals(-Native.EAGAIN, res, "a full socket answers -EAGAIN");
    }

    @Test
    void controlLengthIsReportedBack() throws Exception {
        connectPair(true);
        iov.add(data, 0, 100);
        ByteBuffer ctl = ByteBuffer.allocateDirect(64);
        long out = address(ctl) + 56;
        // No control buffer: the returned msg_controllen is 0.
        PlatformDependent.putLong(out, -1);
        assertEquals(100, Native.sendmsg(client.intValue(), iov.memoryAddress(0), 1, 0, 0, 0, out));
        assertEquals(0, PlatformDependent.getLong(out));
    }

    @Test
    void inbandProbeMatchesTheKernel() {
        int r99 = Native.probeInbandNotification(Native.SCM_ZC_NOTIFICATION);
        // 0 on the patched kernel, EINVAL on kernels without the patch; never a setup failure on loopback.
        assertTrue(r99 == 0 || r99 == Native.EINVAL, "probe result " + r99);
        assertEquals(r99 == 0 || Native.probeInbandNotification(Native.SCM_ZC_NOTIFICATION_V8) == 0,
                ZeroCopy.isInbandNotificationSupported());
    }

    /**
     * Under {@code -Pasan} ({@code zc.expectAsan=true}): libasan is mapped into this JVM and the loaded
     * {@code libnetty_transport_zc_native} is instrumented (references {@code __asan_init}).
     */
    @Test
    void runsUnderAddressSanitizer() throws IOException {
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
        // Exercise the instrumented code paths once more under ASan.
        ByteBuffer ctl = ByteBuffer.allocateDirect(512);
        assertTrue(Native.probeInbandNotification(Native.SCM_ZC_NOTIFICATION) >= 0);
        assertEquals(0, ctl.position());
    }

    private static long address(ByteBuffer buf) {
        return PlatformDependent.directBufferAddress(buf);
    }

    private void connectPair(boolean zeroCopy) throws Exception {
        listener = LinuxSocket.newSocketStream(false);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        listener.listen(1);
        client = LinuxSocket.newSocketStream(false);
        if (zeroCopy) {
            Native.setSoZeroCopy(client.intValue(), true);
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
