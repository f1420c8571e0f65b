/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Option parsing, range parsing, request-target decoding. */
class UnitTest {

    @Test
    void sizes() throws Exception {
        assertEquals(123, FileServerOptions.parseSize("x", "123"));
        assertEquals(64 << 10, FileServerOptions.parseSize("x", "64k"));
        assertEquals(256L << 20, FileServerOptions.parseSize("x", "256m"));
        assertEquals(256L << 20, FileServerOptions.parseSize("x", "256MiB"));
        assertEquals(2L << 30, FileServerOptions.parseSize("x", "2G"));
        for (String bad : new String[] {"abc", "", "m", "-1", "1.5m", "12q", "99999999999999999999"}) {
            FileServerOptions.UsageException e = assertThrows(FileServerOptions.UsageException.class,
                    () -> FileServerOptions.parse("--cache-size", bad));
            assertEquals("--cache-size: expected a size like 64m, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void options() throws Exception {
        FileServerOptions o = FileServerOptions.parse("--port=9000", "--cache-size", "64m", "--zerocopy=ERRQUEUE",
                "--transfer", "sendfile", "--idle-timeout", "5", "--max-cached-file", "1m");
        assertEquals(9000, o.port());
        assertEquals(64L << 20, o.cacheSize());
        assertEquals(1L << 20, o.maxCachedFile());
        assertEquals(FileServerOptions.ZeroCopyMode.ERRQUEUE, o.zeroCopy());
        assertEquals(FileServerOptions.Transfer.SENDFILE, o.transfer());
        assertEquals(5, o.idleTimeoutSeconds());
        assertEquals(16L << 20, FileServerOptions.parse("--cache-size=64m").maxCachedFile());
        assertTrue(FileServerOptions.parse("--help").help());
        assertEquals("--zerocopy: expected auto|cmsg|errqueue|off, got 'on'",
                assertThrows(FileServerOptions.UsageException.class,
                        () -> FileServerOptions.parse("--zerocopy=on")).getMessage());
        assertEquals("--port: expected a port number 0..65535, got '70000'",
                assertThrows(FileServerOptions.UsageException.class,
                        () -> FileServerOptions.parse("--port", "70000")).getMessage());
        assertEquals("--port: missing value",
                assertThrows(FileServerOptions.UsageException.class,
                        () -> FileServerOptions.parse("--port")).getMessage());
        assertEquals("unknown option '--nope'",
                assertThrows(FileServerOptions.UsageException.class,
                        () -> FileServerOptions.parse("--nope")).getMessage());
        assertEquals("--transfer: expected cache|sendfile, got 'mmap'",
                assertThrows(FileServerOptions.UsageException.class,
                        () -> FileServerOptions.parse("--transfer=mmap")).getMessage());
    }

    @Test
    void ranges() {
        assertEquals("bytes 0-99", ByteRange.parse("bytes=0-99", 1000).toString());
        assertEquals("bytes 900-999", ByteRange.parse("bytes=900-", 1000).toString());
        assertEquals("bytes 900-999", ByteRange.parse("bytes=900-5000", 1000).toString());
        assertEquals("bytes 990-999", ByteRange.parse("bytes=-10", 1000).toString());
        assertEquals("bytes 0-999", ByteRange.parse("bytes=-5000", 1000).toString());
        assertEquals("bytes 0-999", ByteRange.parse("bytes=0-99999999999999999999999", 1000).toString());
        assertEquals("UNSATISFIABLE", ByteRange.parse("bytes=1000-", 1000).toString());
        assertEquals("UNSATISFIABLE", ByteRange.parse("bytes=-0", 1000).toString());
        assertEquals("UNSATISFIABLE", ByteRange.parse("bytes=0-", 0).toString());
        for (String ignored : new String[] {null, "bytes=0-1,4-5", "bytes=a-b", "bytes=5-1", "items=0-1", "bytes=",
                "bytes=-", "bytes=1", "bytes=+1-2"}) {
            assertEquals("NONE", ByteRange.parse(ignored, 1000).toString(), String.valueOf(ignored));
        }
    }

    @Test
    void targets() {
        assertEquals("/a b", PathResolver.decodedPath("/a%20b?q=%zz"));
        assertEquals("/x", PathResolver.decodedPath("HTTP://host:80/x"));
        assertEquals("/", PathResolver.decodedPath("http://host"));
        assertEquals("/\u00e9", PathResolver.decodedPath("/%C3%A9"));
        assertNull(PathResolver.decodedPath("x"));
        assertNull(PathResolver.decodedPath("*"));
        assertNull(PathResolver.decodedPath("/%c0%ae"));
        assertNull(PathResolver.decodedPath("/%00"));
        assertNull(PathResolver.decodedPath("/%1"));
        assertNull(PathResolver.forbiddenReason("/a/b.c/..d/d..e"));
        assertEquals("'..' path segment", PathResolver.forbiddenReason("/a/../b"));
        assertEquals("'..' path segment", PathResolver.forbiddenReason("/.."));
        assertEquals("backslash in path", PathResolver.forbiddenReason("/a\\b"));
        assertEquals("percent escape left after decoding (double encoding)", PathResolver.forbiddenReason("/%2e"));
    }
}
