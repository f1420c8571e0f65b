/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import dev.nettyzc.transport.ZeroCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as a user meets it, in a separate JVM: {@code --help}, errors for bad values with a
 * non-zero exit, and the default start (generated sample directory) whose printed {@code curl} line, run
 * verbatim in bash, downloads a file with the printed sha256. SIGTERM (Ctrl-C's effect) stops it and removes
 * the sample directory.
 */
class CommandLineTest {

    @TempDir
    Path tmp;

    private static List<String> javaCmd(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FileServer.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private TestSupport.ProcResult runMain(String... args) throws Exception {
        return TestSupport.run(tmp, 60, javaCmd(args).toArray(new String[0]));
    }

    @Test
    void helpAndBadValues() throws Exception {
        TestSupport.ProcResult r = runMain("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.stdout().contains("--cache-size SIZE"), r.stdout());
        assertTrue(r.stdout().contains("--zerocopy MODE"), r.stdout());

        r = runMain("--cache-size", "abc");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("--cache-size: expected a size like 64m, got 'abc'"), r.stderr());
        assertTrue(r.stderr().contains("--help"), r.stderr());

        r = runMain("--zerocopy=maybe");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("--zerocopy: expected auto|cmsg|errqueue|off, got 'maybe'"), r.stderr());

        r = runMain("--root", tmp.resolve("does-not-exist").toString(), "--port", "0");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("--root: not a directory"), r.stderr());

        if (ZeroCopy.isAvailable() && !ZeroCopy.isInbandNotificationSupported()) {
            r = runMain("--zerocopy=cmsg", "--port", "0");
            assertEquals(1, r.exitCode());
            assertTrue(r.stderr().contains("--zerocopy=cmsg: this kernel does not accept SCM_ZC_NOTIFICATION"),
                    r.stderr());
        }

        Path sample = tmp.resolve("sample");
        r = runMain("--generate-sample", sample.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(1024, Files.size(sample.resolve("small.txt")));
        assertEquals(16384, Files.size(sample.resolve("16k.bin")));
        assertEquals(64L << 20, Files.size(sample.resolve("64m.bin")));
        assertTrue(r.stdout().contains(TestSupport.sha256(sample.resolve("1m.bin")) + "  1m.bin"), r.stdout());
        // Deterministic: a known digest, the same on every machine (README quotes it).
        assertTrue(r.stdout().contains("d4db8a1ba4115570408c357b01faadbe098cdf7dc693c97473a8bb2e265ca1fe  1m.bin"),
                r.stdout());
    }

    @Test
    void defaultStartPrintsAWorkingCurlLine() throws Exception {
        String curl = TestSupport.requireTool("curl", "curl");
        assertNotNull(curl);
        Process p = new ProcessBuilder(javaCmd("--port", "0", "--stats-interval", "1", "--exit-after", "120"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            String curlLine = null;
            String expected = null;
            Path sampleDir = null;
            Pattern dirPattern = Pattern.compile("serving (\\S+) on http://");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
                seen.add(line);
                Matcher m = dirPattern.matcher(line);
                if (m.find()) {
                    sampleDir = Path.of(m.group(1));
                }
                if (curlLine == null && line.trim().startsWith("curl -o 1m.bin ")) {
                    curlLine = line.trim();
                }
                if (curlLine != null && expected == null && line.trim().startsWith("# expected: ")) {
                    expected = line.trim().substring("# expected: ".length());
                }
                if (line.contains(" stats: ")) {
                    break; // the periodic log line
                }
            }
            assertNotNull(curlLine, "no curl line printed:\n" + String.join("\n", seen));
            assertNotNull(expected, String.join("\n", seen));
            assertNotNull(sampleDir, String.join("\n", seen));
            assertTrue(Files.isDirectory(sampleDir));

            TestSupport.ProcResult r = TestSupport.run(tmp, 60, "bash", "-c", curlLine);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(expected, r.stdout().trim(), "sha256sum output of the printed curl line");

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "server did not stop on SIGTERM");
            assertFalse(Files.exists(sampleDir), "generated sample directory should be removed on exit");
        } finally {
            p.destroyForcibly();
        }
    }
}
