/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LRU order, byte accounting, invalidation, and reference counting of {@link ContentCache}. */
class ContentCacheTest {

    @TempDir
    Path dir;

    private Path file(String name, int size) throws Exception {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (name.hashCode() + i);
        }
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p.toRealPath();
    }

    private static ByteBuf slice(ContentCache c, Path p) throws Exception {
        FileStamp s = FileStamp.of(p);
        return c.slice(p, s, 0, s.size());
    }

    @Test
    void lruByBytes() throws Exception {
        ContentCache c = new ContentCache(3000, 1500, new UnpooledByteBufAllocator(true));
        Path a = file("a", 1000);
        Path b = file("b", 1000);
        Path d = file("d", 1000);
        Path e = file("e", 1000);
        assertFalse(c.accepts(1501));
        assertTrue(c.accepts(1500));
        slice(c, a).release();
        slice(c, b).release();
        slice(c, d).release();
        assertEquals(3000, c.stats().bytes());
        slice(c, a).release(); // a is now most recently used
        slice(c, e).release(); // evicts b, the least recently used
        assertNull(c.peek(b));
        assertNotNull(c.peek(a));
        assertNotNull(c.peek(d));
        assertNotNull(c.peek(e));
        ContentCache.Stats s = c.stats();
        assertEquals(3, s.entries());
        assertEquals(3000, s.bytes());
        assertEquals(1, s.evictions());
        assertEquals(1, s.hits());
        assertEquals(4, s.misses());
        c.clear();
        assertEquals(0, c.stats().bytes());
    }

    @Test
    void slicesOutliveEvictionAndClear() throws Exception {
        ContentCache c = new ContentCache(1 << 20, 1 << 20, new UnpooledByteBufAllocator(true));
        Path a = file("a", 4096);
        ByteBuf s1 = slice(c, a);
        ByteBuf cached = c.peek(a);
        assertTrue(cached.isDirect());
        assertEquals(2, cached.refCnt());
        ByteBuf s2 = c.slice(a, FileStamp.of(a), 100, 10);
        assertEquals(3, cached.refCnt());
        assertEquals(10, s2.readableBytes());
        assertEquals(Files.readAllBytes(a)[100], s2.getByte(0));
        c.clear();
        assertEquals(2, cached.refCnt());
        assertEquals(Files.readAllBytes(a)[4095], s1.getByte(4095));
        s1.release();
        assertEquals(1, cached.refCnt());
        s2.release();
        assertEquals(0, cached.refCnt());
    }

    @Test
    void changedFileIsReloaded() throws Exception {
        ContentCache c = new ContentCache(1 << 20, 1 << 20, new UnpooledByteBufAllocator(true));
        Path a = dir.resolve("a.txt");
        Files.writeString(a, "one");
        Path real = a.toRealPath();
        ByteBuf s = slice(c, real);
        assertEquals("one", s.toString(StandardCharsets.US_ASCII));
        ByteBuf old = c.peek(real);
        Files.writeString(a, "three");
        ByteBuf t = slice(c, real);
        assertEquals("three", t.toString(StandardCharsets.US_ASCII));
        assertEquals(1, c.stats().invalidations());
        assertEquals(1, old.refCnt()); // only the first slice holds it now
        assertEquals("one", s.toString(StandardCharsets.US_ASCII));
        s.release();
        t.release();
        assertEquals(0, old.refCnt());
        c.clear();
    }

    @Test
    void staleStampIsDetected() throws Exception {
        ContentCache c = new ContentCache(1 << 20, 1 << 20, new UnpooledByteBufAllocator(true));
        Path a = dir.resolve("a.txt");
        Files.writeString(a, "0123456789");
        Path real = a.toRealPath();
        FileStamp stamp = FileStamp.of(real);
        Files.writeString(a, "01234");
        assertThrows(ContentCache.StaleFileException.class, () -> c.slice(real, stamp, 0, 10));
        assertEquals(0, c.stats().entries());
    }

    @Test
    void zeroCapacityAcceptsNothing() {
        ContentCache c = new ContentCache(0, 100, new UnpooledByteBufAllocator(true));
        assertFalse(c.accepts(0));
        assertFalse(c.accepts(1));
    }
}
