/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wrk} with 200 concurrent keep-alive connections for a bounded time: no socket errors, no non-2xx
 * responses, and afterwards the zero-copy statistics are consistent (every send completed, nothing
 * outstanding), the server still serves.
 */
class WrkLoadTest {

    @TempDir
    static Path tmp;
    static Path root;
    static String wrk;

    @BeforeAll
    static void setUp() throws Exception {
        wrk = TestSupport.requireTool("wrk", "wrk");
        TestSupport.requireTool("curl", "curl");
        root = tmp.resolve("root");
        SampleFiles.generate(root);
    }

    @ParameterizedTest(name = "{0} zerocopy={1} transfer={2}")
    @CsvSource({
            "64k.bin, AUTO, CACHE",
            "1m.bin,  AUTO, CACHE",
            "64k.bin, OFF,  CACHE",
    })
    void twoHundredConnections(String file, FileServerOptions.ZeroCopyMode zc, FileServerOptions.Transfer transfer)
            throws Exception {
        try (FileServer server = FileServer.start(new FileServerOptions().port(0).root(root).zeroCopy(zc)
                .transfer(transfer).cacheSize(64L << 20).statsIntervalSeconds(0).threads(2))) {
            String url = server.baseUrl() + "/" + file;
            TestSupport.ProcResult r = TestSupport.run(tmp, 120, wrk, "-t", "2", "-c", "200", "-d", "4s",
                    "--timeout", "10s", "--latency", url);
            String out = r.stdout();
            System.out.println("[wrk " + file + " " + server.description() + "]\n" + out);
            assertEquals(0, r.exitCode(), out + r.stderr());
            assertFalse(out.contains("Socket errors"), "wrk reported socket errors:\n" + out);
            assertFalse(out.contains("Non-2xx or 3xx responses"), "wrk saw non-2xx responses:\n" + out);
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(out);
            assertTrue(m.find(), out);
            long requests = Long.parseLong(m.group(1));
            assertTrue(requests > 200, "too few requests: " + out);

            // wrk closes its connections when done; stats settle.
            TestSupport.await("connections closed", 15000, () -> server.stats().snapshot().connectionsOpen() == 0);
            CurlDownloadTest.assertConsistentStats(server, true);
            ServerStats.Snapshot s = server.stats().snapshot();
            assertTrue(s.statusClasses()[2] >= requests, "server counted " + s.statusClasses()[2] + " 2xx");
            assertEquals(0, s.statusClasses()[4] + s.statusClasses()[5]);
            // wrk -c 200 keeps 200 connections open; each of its 2 threads also opens one probe connection first.
            assertTrue(s.connectionsTotal() >= 200 && s.connectionsTotal() <= 203,
                    "connections: " + s.connectionsTotal());
            if (zc != FileServerOptions.ZeroCopyMode.OFF) {
                // Bodies (>= 16 KiB, direct) go zero-copy; only an ENOBUFS back-off may send some by copy.
                long bodyBytes = requests * java.nio.file.Files.size(root.resolve(file));
                assertTrue(s.zeroCopy().zeroCopySends > 0, s.toLogLine());
                assertTrue(s.zeroCopy().zeroCopyBytes + s.zeroCopy().copyBytes >= bodyBytes, s.toLogLine());
                if (s.zeroCopy().enobufsErrors == 0) {
                    assertTrue(s.zeroCopy().zeroCopyBytes >= bodyBytes, "bodies not sent zero-copy: "
                            + s.toLogLine());
                }
            }
            TestSupport.assertHealthy(server);
        }
    }
}
