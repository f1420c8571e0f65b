/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import dev.nettyzc.examples.fileserver.FileServerOptions.ZeroCopyMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --piggyback}: with it on (the default) a cached response's header goes out in its body's
 * {@code sendmsg(MSG_ZEROCOPY)}, so a keep-alive connection serving 64 KiB files makes no copy write at all; with it
 * off, each header is a copy write of its own. Counted by the channel's statistics, with every body checked.
 */
class PiggybackTest {
    private static final int REQUESTS = 20;

    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        root = tmp.resolve("root");
        SampleFiles.generate(root);
    }

    @ParameterizedTest(name = "piggyback={0}")
    @ValueSource(booleans = {true, false})
    void headerRidesInTheBodysSend(boolean piggyback) throws Exception {
        FileServerOptions o = new FileServerOptions().port(0).root(root).zeroCopy(ZeroCopyMode.AUTO)
                .piggyback(piggyback).statsIntervalSeconds(0).threads(1);
        byte[] expected = Files.readAllBytes(root.resolve("64k.bin"));
        try (FileServer server = FileServer.start(o);
             Socket s = TestSupport.connect(server.port())) {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < REQUESTS; i++) { // one request at a time: each response is flushed alone
                out.write(TestSupport.get("/64k.bin").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                TestSupport.Response r = TestSupport.read(s.getInputStream(), false);
                assertEquals(200, r.status, r.toString());
                assertArrayEquals(expected, r.body, "body of response " + i);
            }
            s.close();
            CurlDownloadTest.assertConsistentStats(server, true);
            // The /_stats client has its answer as soon as the bytes are in its socket, which can be before the
            // event loop counts that write; once the server has closed the connection, the count is final.
            TestSupport.await("the /_stats connection to close", 30000,
                    () -> server.stats().snapshot().connectionsOpen() == 0);
            ServerStats.ZeroCopyTotals z = server.stats().snapshot().zeroCopy();
            String line = server.stats().snapshot().toLogLine();
            assertTrue(z.zeroCopySends >= REQUESTS, line);
            assertTrue(z.zeroCopyBytes >= (long) REQUESTS * expected.length, line);
            // One copy write is the /_stats answer assertConsistentStats fetched (small header and JSON body).
            if (piggyback) {
                assertEquals(1, z.copySends, "a header went out by copy: " + line);
            } else {
                assertEquals(REQUESTS + 1, z.copySends, "one copy write per header: " + line);
            }
        }
    }
}
