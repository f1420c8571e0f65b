/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deterministic sample directory: the same bytes on every machine, so the sha256 printed next to the
 * {@code curl} line is known in advance.
 */
public final class SampleFiles {

    /** Name and size of every generated binary file (contents: a seeded SplitMix64 stream). */
    public static final Map<String, Long> BINARY_FILES;

    static {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("16k.bin", 16L << 10);
        m.put("64k.bin", 64L << 10);
        m.put("1m.bin", 1L << 20);
        m.put("64m.bin", 64L << 20);
        BINARY_FILES = java.util.Collections.unmodifiableMap(m);
    }

    public static final String SMALL_TEXT = "small.txt";
    public static final String INDEX = "index.html";

    private SampleFiles() {
    }

    /** Writes the sample files into {@code dir} (created if needed) and returns name -> sha256 (hex). */
    public static Map<String, String> generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put(SMALL_TEXT, write(dir.resolve(SMALL_TEXT), smallText()));
        for (Map.Entry<String, Long> e : BINARY_FILES.entrySet()) {
            sums.put(e.getKey(), writeRandom(dir.resolve(e.getKey()), e.getValue(), seedOf(e.getKey())));
        }
        sums.put(INDEX, write(dir.resolve(INDEX), indexHtml()));
        return sums;
    }

    /** Exactly 1024 bytes of ASCII text. */
    static byte[] smallText() {
        StringBuilder sb = new StringBuilder(1024);
        int line = 0;
        while (sb.length() < 1024) {
            sb.append(String.format("line %03d: netty-transport-zc sample file, served by the example.%n", line++));
        }
        sb.setLength(1023);
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] indexHtml() {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>netty-transport-zc sample</title>"
                + "</head>\n<body><h1>netty-transport-zc file server</h1>\n<ul>\n");
        sb.append("<li><a href=\"").append(SMALL_TEXT).append("\">").append(SMALL_TEXT).append("</a> (1 KiB)</li>\n");
        for (Map.Entry<String, Long> e : BINARY_FILES.entrySet()) {
            sb.append("<li><a href=\"").append(e.getKey()).append("\">").append(e.getKey()).append("</a> (")
              .append(e.getValue()).append(" bytes)</li>\n");
        }
        sb.append("<li><a href=\"_stats\">_stats</a> (zero-copy and cache statistics, JSON)</li>\n");
        sb.append("</ul>\n</body></html>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static long seedOf(String name) {
        long h = 1125899906842597L;
        for (int i = 0; i < name.length(); i++) {
            h = 31 * h + name.charAt(i);
        }
        return h;
    }

    private static String write(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return hex(sha256().digest(content));
    }

    private static String writeRandom(Path file, long size, long seed) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        long state = seed;
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                for (int i = 0; i < n; i += 8) {
                    state += 0x9E3779B97F4A7C15L;
                    long z = state;
                    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                    z ^= z >>> 31;
                    for (int b = 0; b < 8 && i + b < n; b++) {
                        buf[i + b] = (byte) (z >>> (8 * b));
                    }
                }
                out.write(buf, 0, n);
                md.update(buf, 0, n);
                left -= n;
            }
        }
        return hex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
