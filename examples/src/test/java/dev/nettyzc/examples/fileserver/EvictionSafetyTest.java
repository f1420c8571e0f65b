/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evicting a cache entry while a response made of its memory is still in flight is safe: the cache drops only
 * its own reference, the in-flight slice (queued in the channel, then pinned by the zero-copy channel until
 * the kernel's completion) keeps the memory alive, the client receives intact bytes, and the buffer is freed
 * (refCnt 0) only once everything was sent and completed.
 */
class EvictionSafetyTest {

    @TempDir
    Path root;

    @Test
    void evictDuringInFlightResponse() throws Exception {
        int size = 8 << 20;
        byte[] original = new byte[size];
        new Random(42).nextBytes(original);
        Path file = root.resolve("big.bin");
        Files.write(file, original);
        Files.writeString(root.resolve("small.txt"), "x".repeat(1024));

        try (FileServer server = FileServer.start(new FileServerOptions().port(0).root(root).cacheSize(32L << 20)
                .maxCachedFile(16L << 20).statsIntervalSeconds(0).threads(1));
             Socket slow = new Socket()) {
            // A slow reader: small receive window, and it reads nothing at first, so most of the 8 MiB stay in
            // the server's outbound buffer / pinned by the kernel.
            slow.setReceiveBufferSize(16 * 1024);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            slow.setSoTimeout(30000);
            slow.getOutputStream().write(TestSupport.get("/big.bin").getBytes(StandardCharsets.US_ASCII));

            Path real = file.toRealPath();
            TestSupport.await("entry cached", 10000, () -> server.cache().peek(real) != null);
            ByteBuf cached = server.cache().peek(real);
            assertNotNull(cached);
            assertTrue(cached.isDirect());
            Thread.sleep(300); // let the server write what the socket takes
            assertTrue(cached.refCnt() >= 2, "cache + in-flight slice expected, refCnt " + cached.refCnt());

            // Evict while in flight: only the cache's reference goes.
            int before = cached.refCnt();
            assertTrue(server.cache().evict(real));
            assertNull(server.cache().peek(real));
            // Exactly the cache's reference went (a completion arriving meanwhile could drop a pin as well).
            assertTrue(cached.refCnt() <= before - 1, "eviction must release the cache's reference");
            assertTrue(cached.refCnt() >= 1, "in-flight slice must keep the memory");
            assertEquals(0, server.cache().stats().bytes());

            // Meanwhile the file changes on disk and is served fresh to another client (new entry, new memory).
            byte[] changed = original.clone();
            changed[0] ^= 1;
            changed[size - 1] ^= 1;
            Files.write(file, changed);
            TestSupport.Response fresh = TestSupport.exchange(server.port(), TestSupport.get("/big.bin"));
            assertEquals(200, fresh.status);
            assertArrayEquals(changed, fresh.body);
            ByteBuf second = server.cache().peek(real);
            assertNotNull(second);
            assertNotEquals(System.identityHashCode(cached), System.identityHashCode(second));

            // The slow client reads: half first, the memory must still be alive.
            InputStream in = slow.getInputStream();
            TestSupport.Response head = readHeaders(in);
            assertEquals(200, head.status);
            assertEquals(String.valueOf(size), head.header("content-length"));
            byte[] got = new byte[size];
            int half = size / 2;
            assertEquals(half, in.readNBytes(got, 0, half));
            assertTrue(cached.refCnt() >= 1, "released before the response was sent");
            assertEquals(size - half, in.readNBytes(got, half, size - half));
            assertArrayEquals(original, got, "bytes of the evicted entry must arrive intact");

            // Once sent and completed, the last reference goes.
            TestSupport.await("evicted buffer freed", 15000, () -> cached.refCnt() == 0);
            CurlDownloadTest.assertConsistentStats(server);
            assertTrue(server.stats().snapshot().zeroCopy().zeroCopySends > 0
                    || server.zeroCopyMode() == FileServerOptions.ZeroCopyMode.OFF);
        }
    }

    @Test
    void fileChangesOnDiskRefreshTheEntry() throws Exception {
        Path file = root.resolve("page.txt");
        Files.writeString(file, "version 1\n");
        try (FileServer server = FileServer.start(new FileServerOptions().port(0).root(root).cacheSize(1 << 20)
                .statsIntervalSeconds(0).threads(1))) {
            TestSupport.Response a = TestSupport.exchange(server.port(), TestSupport.get("/page.txt"));
            assertEquals("version 1\n", a.bodyText());
            assertEquals("version 1\n", TestSupport.exchange(server.port(), TestSupport.get("/page.txt")).bodyText());
            assertEquals(1, server.cache().stats().hits());

            Files.writeString(file, "version 2, longer\n"); // size and mtime change
            TestSupport.Response b = TestSupport.exchange(server.port(), TestSupport.get("/page.txt"));
            assertEquals("version 2, longer\n", b.bodyText());
            assertNotEquals(a.header("etag"), b.header("etag"));
            assertEquals(1, server.cache().stats().invalidations());

            // Same size, only mtime changes.
            Files.writeString(file, "version 3, longer\n");
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() + 5000));
            assertEquals("version 3, longer\n",
                    TestSupport.exchange(server.port(), TestSupport.get("/page.txt")).bodyText());
            assertEquals(2, server.cache().stats().invalidations());

            // Replaced by rename (new inode).
            Path tmpFile = root.resolve("page.tmp");
            Files.writeString(tmpFile, "version 4, longer\n");
            Files.setLastModifiedTime(tmpFile, Files.getLastModifiedTime(file));
            Files.move(tmpFile, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertEquals("version 4, longer\n",
                    TestSupport.exchange(server.port(), TestSupport.get("/page.txt")).bodyText());

            Files.delete(file);
            assertEquals(404, TestSupport.exchange(server.port(), TestSupport.get("/page.txt")).status);
        }
    }

    private static TestSupport.Response readHeaders(InputStream in) throws Exception {
        // read() with HEAD semantics: status and headers only, the body stays in the stream.
        return TestSupport.read(in, true);
    }
}
