/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import dev.nettyzc.examples.fileserver.TestSupport.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.nettyzc.examples.fileserver.TestSupport.assertHealthy;
import static dev.nettyzc.examples.fileserver.TestSupport.exchange;
import static dev.nettyzc.examples.fileserver.TestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and hostile requests over raw sockets: each gets the right status with a readable reason, and the
 * server keeps serving afterwards (checked after every single case).
 */
class HostileRequestsTest {

    @TempDir
    static Path tmp;
    static Path root;
    static Path outside;
    static FileServer server;

    @BeforeAll
    static void start() throws Exception {
        root = tmp.resolve("root");
        SampleFiles.generate(root);
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inner.txt"), "inner\n");
        Files.createDirectories(root.resolve("empty-dir"));
        outside = tmp.resolve("secret.txt");
        Files.writeString(outside, "top secret\n");
        Files.createDirectories(tmp.resolve("secret-dir"));
        Files.writeString(tmp.resolve("secret-dir/index.html"), "secret index\n");
        // Symlinks: one escaping to a file, one escaping to a directory, one staying inside.
        Files.createSymbolicLink(root.resolve("escape.txt"), outside);
        Files.createSymbolicLink(root.resolve("escape-dir"), tmp.resolve("secret-dir"));
        Files.createSymbolicLink(root.resolve("link-inside.txt"), root.resolve("small.txt"));
        Files.createSymbolicLink(root.resolve("sub/up"), Path.of(".."));
        server = FileServer.start(new FileServerOptions().port(0).root(root).statsIntervalSeconds(0)
                .idleTimeoutSeconds(2).cacheSize(64L << 20).threads(2));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void stillHealthy() throws Exception {
        assertHealthy(server);
    }

    private static Response expect(int status, String raw) throws Exception {
        Response r = exchange(server.port(), raw);
        assertEquals(status, r.status, raw.split("\r\n")[0] + " -> " + r + " " + r.bodyText());
        if (status >= 400 && !raw.startsWith("HEAD ")) {
            assertTrue(r.bodyText().startsWith(status + " "), "error body should say why: " + r.bodyText());
        }
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/../secret.txt",
            "/sub/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/.%2e/secret.txt",
            "/sub/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/..%2fsecret.txt",
            "/%2e%2e%2fsecret.txt",
            "/%252e%252e/secret.txt",
            "/%252e%252e%252fsecret.txt",
            "/sub/..%5c..%5csecret.txt",
            "/..\\secret.txt",
            "/escape.txt",
            "/escape-dir/",
            "/escape-dir/index.html",
            "/sub/up/../secret.txt",
            "http://localhost/../secret.txt",
    })
    void traversalIsForbidden(String target) throws Exception {
        Response r = expect(403, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertTrue(!r.bodyText().contains("secret"), r.bodyText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%c0%ae%c0%ae/secret.txt", "/%zz", "/abc%", "/abc%4", "/a%00b", "/%0d%0aX: y",
            "/%ff%fe"})
    void malformedTargetIsBadRequest(String target) throws Exception {
        expect(400, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    @Test
    void symlinkInsideRootAndSubdirectoryAreServed() throws Exception {
        assertEquals(1024, expect(200, get("/link-inside.txt")).body.length);
        assertEquals("inner\n", expect(200, get("/sub/inner.txt")).bodyText());
        assertEquals("inner\n", expect(200, get("/sub//inner.txt")).bodyText());
        assertEquals("inner\n", expect(200, get("/sub/./inner.txt")).bodyText());
        assertEquals("inner\n", expect(200, get("/sub/inner%2etxt")).bodyText());
        assertTrue(expect(200, get("/")).bodyText().contains("<html>"));
        assertEquals(1024, expect(200, get("/small.txt?x=1#frag")).body.length);
        assertEquals(1024, expect(200, "GET http://localhost/small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .body.length);
    }

    @Test
    void missingIs404() throws Exception {
        expect(404, get("/nope.txt"));
        expect(404, get("/sub/nope/deeper"));
        expect(404, get("/empty-dir/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "BREW"})
    void otherMethodsAre405(String method) throws Exception {
        Response r = expect(405, method + " /small.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        assertEquals("GET, HEAD", r.header("allow"));
    }

    @Test
    void postWithBodyIs405AndConnectionCloses() throws Exception {
        Response r = expect(405, "POST /small.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals("close", r.header("connection"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE\r\n\r\n",
            "GET\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "\u0001\u0002\u0003 / HTTP/1.1\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\n\r\n", // HTTP/1.1 without Host
            "GET small.txt HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
    })
    void malformedRequestsAre400(String raw) throws Exception {
        expect(400, raw);
    }

    @Test
    void otherHttpVersions() throws Exception {
        expect(505, "GET /small.txt HTTP/9.9\r\nHost: x\r\n\r\n");
        expect(505, "GET /small.txt HTTP/2.0\r\nHost: x\r\n\r\n");
        expect(200, "GET /small.txt HTTP/1.0\r\n\r\n");
    }

    @Test
    void requestBodyIsNotReadAndConnectionCloses() throws Exception {
        // A GET with a (here even malformed) chunked body: answered, then closed instead of draining the body.
        try (Socket s = TestSupport.connect(server.port())) {
            s.getOutputStream().write(("GET /small.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "zz\r\n").getBytes(StandardCharsets.US_ASCII));
            Response r = TestSupport.read(s.getInputStream(), false);
            assertEquals(200, r.status);
            assertEquals("close", r.header("connection"));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void hugeHeadersAre431() throws Exception {
        String big = "X-Big: " + "a".repeat(FileServer.MAX_HEADER_SIZE + 10) + "\r\n";
        expect(431, "GET /small.txt HTTP/1.1\r\nHost: x\r\n" + big + "\r\n");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        expect(431, "GET /small.txt HTTP/1.1\r\nHost: x\r\n" + many + "\r\n");
    }

    @Test
    void hugeRequestLineIs414() throws Exception {
        expect(414, "GET /" + "a".repeat(FileServer.MAX_INITIAL_LINE + 10) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    @Test
    void rangesAndConditionals() throws Exception {
        Response full = expect(200, get("/16k.bin"));
        String etag = full.header("etag");
        assertNotNull(etag);
        assertNotNull(full.header("last-modified"));
        assertEquals("application/octet-stream", full.header("content-type"));
        assertEquals("bytes", full.header("accept-ranges"));
        assertEquals("16384", full.header("content-length"));
        assertTrue(expect(200, get("/index.html")).header("content-type").startsWith("text/html"));

        Response r = expect(206, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\n\r\n");
        assertEquals("bytes 10-19/16384", r.header("content-range"));
        assertEquals(10, r.body.length);
        r = expect(416, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=16384-\r\n\r\n");
        assertEquals("bytes */16384", r.header("content-range"));
        expect(416, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-0\r\n\r\n");
        // Ignored (200): invalid syntax, other unit, several ranges, stale If-Range.
        expect(200, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=abc\r\n\r\n");
        expect(200, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=20-10\r\n\r\n");
        expect(200, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: items=0-1\r\n\r\n");
        expect(200, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,3-4\r\n\r\n");
        expect(200, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: \"stale\"\r\n\r\n");
        expect(206, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nIf-Range: " + etag + "\r\n\r\n");

        expect(304, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
        expect(304, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\", W/" + etag + "\r\n\r\n");
        expect(304, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n\r\n");
        expect(200, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\"\r\n\r\n");
        expect(304, "GET /16k.bin HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: " + full.header("last-modified")
                + "\r\n\r\n");

        Response head = expect(200, "HEAD /1m.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("1048576", head.header("content-length"));
        assertEquals(0, head.body.length);
    }

    @Test
    void keepAliveAndPipelining() throws Exception {
        try (Socket s = TestSupport.connect(server.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(get("/small.txt").getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, TestSupport.read(in, false).status);
            out.write(get("/16k.bin").getBytes(StandardCharsets.US_ASCII));
            assertEquals(16384, TestSupport.read(in, false).body.length);
            // Pipelined: three requests in one write, answered in order.
            out.write((get("/1m.bin") + get("/nope") + "GET /16k.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Response a = TestSupport.read(in, false);
            Response b = TestSupport.read(in, false);
            Response c = TestSupport.read(in, false);
            assertEquals(200, a.status);
            assertEquals(1 << 20, a.body.length);
            assertEquals(TestSupport.sha256(root.resolve("1m.bin")), TestSupport.sha256(a.body));
            assertEquals(404, b.status);
            assertEquals(206, c.status);
            // HTTP/1.0 asking for keep-alive gets it, with the header.
            out.write("GET /small.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response k = TestSupport.read(in, false);
            assertEquals(200, k.status);
            assertEquals("keep-alive", k.header("connection"));
            // HTTP/1.0 closes by default.
            out.write("GET /small.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, TestSupport.read(in, false).status);
            assertEquals(-1, in.read());
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        long before = server.stats().snapshot().idleClosed();
        try (Socket s = TestSupport.connect(server.port())) {
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "idle connection should be closed by the server");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1000 && ms < 10000, "closed after " + ms + " ms, idle timeout is 2 s");
        }
        assertTrue(server.stats().snapshot().idleClosed() > before);
        // A half-sent request is idle too (slowloris).
        try (Socket s = TestSupport.connect(server.port())) {
            s.getOutputStream().write("GET /small.txt HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void abruptClientsLeaveServerHealthy() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Socket s = TestSupport.connect(server.port())) {
                s.setSoLinger(true, 0); // RST on close
                s.getOutputStream().write(get("/64m.bin").getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().readNBytes(1000);
            }
        }
        CurlDownloadTest.assertConsistentStats(server, true);
    }

    @Test
    void statsEndpointIsJson() throws Exception {
        Response r = expect(200, get("/_stats"));
        assertEquals("application/json", r.header("content-type"));
        String json = r.bodyText();
        for (String key : new String[] {"\"zerocopy\"", "\"sends\"", "\"bytes\"", "\"copied_completions\"",
                "\"inband_completions\"", "\"errqueue_completions\"", "\"outstanding_sends\"", "\"cache\"",
                "\"hits\"", "\"evictions\"", "\"zerocopy_process\"", "\"enobufs_errors\"", "\"close_aborts\"",
                "\"bad_copy_backs\"", "\"quarantined_sends\"", "\"pinned_bytes\"", "\"peak_pinned_bytes\""}) {
            assertTrue(json.contains(key), key + " missing in " + json);
        }
        expect(405, "POST /_stats HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    }
}
