/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the tests: external tools, raw HTTP over sockets, JSON fields, waiting. */
final class TestSupport {

    private TestSupport() {
    }

    /** Fails (never skips) when a client the tests need is missing, naming the Debian package. */
    static String requireTool(String tool, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        fail("'" + tool + "' is not installed; these tests use the real client. Install it with: "
                + "apt-get install -y " + debianPackage + " (.ci/run does this)");
        return null;
    }

    /** Result of an external command. */
    record ProcResult(int exitCode, String stdout, String stderr) {
    }

    static ProcResult run(Path dir, long timeoutSeconds, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Path out = Files.createTempFile("proc-out", ".txt");
        Path err = Files.createTempFile("proc-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("timed out after " + timeoutSeconds + "s: " + String.join(" ", cmd) + "\nstdout: "
                        + Files.readString(out) + "\nstderr: " + Files.readString(err));
            }
            return new ProcResult(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A parsed HTTP/1.1 response read from a raw socket. */
    static final class Response {
        final String statusLine;
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Response(String statusLine, Map<String, String> headers, byte[] body) {
            this.statusLine = statusLine;
            this.status = Integer.parseInt(statusLine.split(" ")[1]);
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " body " + body.length + " bytes";
        }
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(15000);
        return s;
    }

    /** Sends raw bytes on a new connection and reads one response (HEAD: no body). */
    static Response exchange(int port, String raw) throws IOException {
        try (Socket s = connect(port)) {
            OutputStream out = s.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(s.getInputStream(), raw.startsWith("HEAD "));
        }
    }

    /** Reads one response: status line, headers, and a body of Content-Length bytes. */
    static Response read(InputStream in, boolean head) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long len = 0;
        if (!head && status != 304 && headers.containsKey("content-length")) {
            len = Long.parseLong(headers.get("content-length"));
        }
        byte[] body = in.readNBytes((int) len);
        if (body.length != len) {
            throw new IOException("short body: " + body.length + " of " + len);
        }
        return new Response(statusLine, headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    /** The server still answers a plain GET correctly on a fresh connection. */
    static void assertHealthy(FileServer server) throws IOException {
        Response r = exchange(server.port(), get("/small.txt"));
        assertEquals(200, r.status, "server no longer healthy: " + r);
        assertEquals(1024, r.body.length);
    }

    /** Reads a numeric field of /_stats JSON, e.g. ("zerocopy", "sends"). */
    static long jsonField(String json, String section, String field) {
        int s = json.indexOf("\"" + section + "\"");
        if (s < 0) {
            throw new AssertionError("no section " + section + " in " + json);
        }
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\": (-?\\d+)").matcher(json);
        if (!m.find(s)) {
            throw new AssertionError("no field " + section + "." + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static void await(String what, long timeoutMillis, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    static String sha256(byte[] data) {
        return SampleFiles.hex(SampleFiles.sha256().digest(data));
    }

    static String sha256(Path file) throws IOException {
        var md = SampleFiles.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return SampleFiles.hex(md.digest());
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
