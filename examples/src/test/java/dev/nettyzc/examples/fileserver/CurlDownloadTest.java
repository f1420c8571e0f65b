/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import dev.nettyzc.examples.fileserver.FileServerOptions.Transfer;
import dev.nettyzc.examples.fileserver.FileServerOptions.ZeroCopyMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static dev.nettyzc.examples.fileserver.TestSupport.jsonField;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real downloads with {@code curl}: every sample file (1 KiB, exactly 16 KiB, 1 MiB, 64 MiB) with its sha256
 * checked, single ranges (206, compared byte for byte), a multi-range request (200, whole file, by design),
 * an unsatisfiable range (416), and afterwards the zero-copy statistics must be consistent: every send
 * completed, nothing outstanding. Run for each way of serving: all cached, large files streamed, sendfile,
 * errqueue completions, and zero-copy off.
 */
class CurlDownloadTest {

    @TempDir
    static Path tmp;
    static Path root;
    static Map<String, String> sums;
    static String curl;

    @BeforeAll
    static void setUp() throws Exception {
        curl = TestSupport.requireTool("curl", "curl");
        root = tmp.resolve("root");
        sums = SampleFiles.generate(root);
    }

    @AfterAll
    static void tearDown() {
        // @TempDir removes the files
    }

    @ParameterizedTest(name = "zerocopy={0} transfer={1} cache={2} maxCached={3}")
    @CsvSource({
            "AUTO,     CACHE,    256m, 64m",   // everything from the cache, 64 MiB as one slice
            "AUTO,     CACHE,    4m,   2m",    // 64 MiB streamed in direct chunks, the rest cached
            "ERRQUEUE, CACHE,    256m, 64m",
            "OFF,      CACHE,    256m, 64m",   // Netty's EpollServerSocketChannel, same content path
            "AUTO,     SENDFILE, 0,    0",     // DefaultFileRegion on the zero-copy channel
    })
    void downloads(ZeroCopyMode zc, Transfer transfer, String cacheSize, String maxCached) throws Exception {
        download(zc, transfer, cacheSize, maxCached);
    }

    /**
     * In-band completions: only on a kernel with SCM_ZC_NOTIFICATION (the project's patched kernel, e.g. under
     * kernel/vm); elsewhere {@code --zerocopy=cmsg} refuses to start (CommandLineTest checks that).
     */
    @org.junit.jupiter.api.Test
    void downloadsWithInbandCompletions() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.nettyzc.transport.ZeroCopy.isInbandNotificationSupported(),
                "kernel without SCM_ZC_NOTIFICATION");
        FileServer server = download(ZeroCopyMode.CMSG, Transfer.CACHE, "256m", "64m");
        ServerStats.ZeroCopyTotals z = server.stats().snapshot().zeroCopy();
        assertTrue(z.inbandSends > 0, "no in-band completions: " + server.stats().snapshot().toLogLine());
    }

    private FileServer download(ZeroCopyMode zc, Transfer transfer, String cacheSize, String maxCached)
            throws Exception {
        FileServerOptions o = new FileServerOptions().port(0).root(root).zeroCopy(zc).transfer(transfer)
                .cacheSize(FileServerOptions.parseSize("cache", cacheSize))
                .maxCachedFile(FileServerOptions.parseSize("max", maxCached))
                .statsIntervalSeconds(0).threads(2);
        Path out = Files.createTempDirectory(tmp, "dl");
        try (FileServer server = FileServer.start(o)) {
            String base = server.baseUrl();
            for (String name : new String[] {"small.txt", "16k.bin", "1m.bin", "64m.bin", "index.html"}) {
                Path file = out.resolve(name);
                TestSupport.ProcResult r = TestSupport.run(out, 120, curl, "-sS", "-o", file.toString(),
                        "-w", "%{http_code} %{size_download}", base + "/" + name);
                assertEquals(0, r.exitCode(), "curl " + name + ": " + r.stderr());
                assertEquals("200 " + Files.size(root.resolve(name)), r.stdout().trim(), name);
                assertEquals(sums.get(name), TestSupport.sha256(file), "sha256 of " + name);
            }
            // Twice more, so the cached variants also serve hits.
            for (int i = 0; i < 2; i++) {
                Path file = out.resolve("again.bin");
                TestSupport.ProcResult r = TestSupport.run(out, 120, curl, "-sS", "-o", file.toString(),
                        base + "/1m.bin");
                assertEquals(0, r.exitCode(), r.stderr());
                assertEquals(sums.get("1m.bin"), TestSupport.sha256(file));
            }

            range(server, "1m.bin", "100-199", 100, 100);
            range(server, "1m.bin", "1000-", 1000, (1 << 20) - 1000);
            range(server, "64m.bin", "-500", (64 << 20) - 500, 500);
            range(server, "64m.bin", "33554432-33619967", 32 << 20, 65536);
            range(server, "16k.bin", "0-0", 0, 1);
            range(server, "16k.bin", "16000-99999999", 16000, 384);

            // Several ranges: answered with the whole file (documented decision).
            Path multi = out.resolve("multi.bin");
            TestSupport.ProcResult r = TestSupport.run(out, 60, curl, "-sS", "-r", "0-1,5-6", "-o", multi.toString(),
                    "-w", "%{http_code}", base + "/1m.bin");
            assertEquals("200", r.stdout().trim());
            assertEquals(sums.get("1m.bin"), TestSupport.sha256(multi));

            // Unsatisfiable.
            r = TestSupport.run(out, 60, curl, "-sS", "-r", "5000-6000", "-o", "/dev/null", "-D", "-",
                    "-w", "%{http_code}", base + "/small.txt");
            assertTrue(r.stdout().trim().endsWith("416"), r.stdout());
            assertTrue(r.stdout().toLowerCase().contains("content-range: bytes */1024"), r.stdout());

            // Conditional request with the ETag curl just saw: 304.
            r = TestSupport.run(out, 60, curl, "-sS", "-D", "-", "-o", "/dev/null", base + "/1m.bin");
            String etag = r.stdout().lines().filter(l -> l.toLowerCase().startsWith("etag:"))
                    .findFirst().orElseThrow().substring(5).trim();
            r = TestSupport.run(out, 60, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "If-None-Match: " + etag, base + "/1m.bin");
            assertEquals("304", r.stdout().trim());

            assertConsistentStats(server);
            if (server.zeroCopyMode() != ZeroCopyMode.OFF && transfer == Transfer.CACHE) {
                // At least the 64 MiB download went out zero-copy (everything >= 16 KiB is a candidate).
                assertTrue(server.stats().snapshot().zeroCopy().zeroCopyBytes >= (64L << 20));
            }
            return server; // closed; its statistics stay readable
        }
    }

    private void range(FileServer server, String name, String spec, long start, long length) throws Exception {
        Path out = Files.createTempFile(tmp, "range", ".bin");
        TestSupport.ProcResult r = TestSupport.run(tmp, 60, curl, "-sS", "-r", spec, "-o", out.toString(),
                "-w", "%{http_code}", server.baseUrl() + "/" + name);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("206", r.stdout().trim(), "range " + spec + " of " + name);
        byte[] got = Files.readAllBytes(out);
        byte[] all = Files.readAllBytes(root.resolve(name));
        assertEquals(length, got.length, "range " + spec);
        assertArrayEquals(Arrays.copyOfRange(all, (int) start, (int) (start + length)), got, "range " + spec);
    }

    /** Once idle, every zero-copy send has completed and nothing stays pinned. */
    static void assertConsistentStats(FileServer server) throws Exception {
        assertConsistentStats(server, false);
    }

    /**
     * @param awaitClosed first wait until every client connection is closed (clients that reset or that wrk
     *                    just finished may still be sending for a moment)
     */
    static void assertConsistentStats(FileServer server, boolean awaitClosed) throws Exception {
        if (awaitClosed) {
            TestSupport.await("all connections closed", 30000,
                    () -> server.stats().snapshot().connectionsOpen() == 0);
        }
        TestSupport.await("zero-copy sends to drain", 15000, () -> {
            ServerStats.ZeroCopyTotals z = server.stats().snapshot().zeroCopy();
            return z.outstandingSends == 0 && z.completedSends == z.zeroCopySends;
        });
        String json = TestSupport.exchange(server.port(), TestSupport.get("/_stats")).bodyText();
        long sends = jsonField(json, "zerocopy", "sends");
        assertEquals(sends, jsonField(json, "zerocopy", "completed_sends"), json);
        assertEquals(0, jsonField(json, "zerocopy", "outstanding_sends"), json);
        assertEquals(0, jsonField(json, "zerocopy", "outstanding_bytes"), json);
        assertEquals(0, jsonField(json, "zerocopy", "ignored_ids"), json);
        assertEquals(sends, jsonField(json, "zerocopy", "inband_completions")
                + jsonField(json, "zerocopy", "errqueue_completions"), json);
        assertTrue(jsonField(json, "zerocopy", "copied_completions") <= sends, json);
        assertEquals(0, jsonField(json, "requests", "5xx"), json);
        // The process-wide metric covers this server's connections (closed ones included) and any others.
        assertTrue(jsonField(json, "zerocopy_process", "sends") >= sends, json);
        assertTrue(jsonField(json, "zerocopy_process", "bytes") >= jsonField(json, "zerocopy", "bytes"), json);
        assertTrue(jsonField(json, "zerocopy_process", "completed_sends") >= sends, json);
        assertTrue(jsonField(json, "zerocopy_process", "copy_bytes") >= jsonField(json, "zerocopy", "copy_bytes"),
                json);
        assertTrue(jsonField(json, "zerocopy_process", "inband_completions")
                >= jsonField(json, "zerocopy", "inband_completions"), json);
        assertTrue(jsonField(json, "zerocopy_process", "errqueue_completions")
                >= jsonField(json, "zerocopy", "errqueue_completions"), json);
        assertTrue(jsonField(json, "zerocopy_process", "enobufs_errors")
                >= jsonField(json, "zerocopy", "enobufs_errors"), json);
        assertEquals(0, jsonField(json, "zerocopy_process", "bad_copy_backs"), json);
        long pinned = jsonField(json, "zerocopy_process", "pinned_bytes");
        assertTrue(pinned >= 0 && pinned <= jsonField(json, "zerocopy_process", "peak_pinned_bytes"), json);
        if (sends > 0) {
            assertTrue(jsonField(json, "zerocopy_process", "peak_pinned_bytes") > 0, json);
        }
        if (server.zeroCopyMode() == ZeroCopyMode.OFF) {
            assertEquals(0, sends, json);
        } else if (server.options().transfer() == Transfer.CACHE) {
            // 16 KiB and larger bodies are direct buffers at or above the threshold: they must go zero-copy.
            assertTrue(sends > 0, "no zero-copy sends: " + json);
        }
        System.out.println("[" + server.description() + "] " + server.stats().snapshot().toLogLine());
    }
}
