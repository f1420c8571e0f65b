/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

/**
 * A single byte range of a {@code Range: bytes=...} header (RFC 9110 §14), resolved against the file size.
 *
 * <p>Policy: one range is served as 206. A header with several ranges is answered with the whole file (200),
 * which RFC 9110 allows (a server may ignore Range) and which denies the multi-range amplification trick.
 * A syntactically invalid header, or another unit than bytes, is ignored likewise (200). A valid single range
 * that no byte of the file satisfies is 416.
 */
public final class ByteRange {

    /** Parse outcome. */
    public enum Kind { NONE, SATISFIABLE, UNSATISFIABLE }

    private static final ByteRange NONE = new ByteRange(Kind.NONE, 0, 0);
    private static final ByteRange UNSATISFIABLE = new ByteRange(Kind.UNSATISFIABLE, 0, 0);

    private final Kind kind;
    private final long start;
    private final long length;

    private ByteRange(Kind kind, long start, long length) {
        this.kind = kind;
        this.start = start;
        this.length = length;
    }

    public Kind kind() {
        return kind;
    }

    public long start() {
        return start;
    }

    public long length() {
        return length;
    }

    /** Inclusive last byte. */
    public long end() {
        return start + length - 1;
    }

    /** Parses a Range header value (or null) for a file of {@code size} bytes. */
    public static ByteRange parse(String header, long size) {
        if (header == null) {
            return NONE;
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return NONE;
        }
        String spec = h.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return NONE; // multi-range: whole file, see class comment
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return NONE;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        try {
            if (first.isEmpty()) {
                // suffix range: the last N bytes
                if (last.isEmpty() || !digits(last)) {
                    return NONE;
                }
                long n = parse(last);
                if (n == 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                long len = Math.min(n, size);
                return new ByteRange(Kind.SATISFIABLE, size - len, len);
            }
            if (!digits(first) || (!last.isEmpty() && !digits(last))) {
                return NONE;
            }
            long from = parse(first);
            long to = last.isEmpty() ? Long.MAX_VALUE : parse(last);
            if (to < from) {
                return NONE; // invalid, ignored (RFC 9110 14.1.1)
            }
            if (from >= size) {
                return UNSATISFIABLE;
            }
            long end = Math.min(to, size - 1);
            return new ByteRange(Kind.SATISFIABLE, from, end - from + 1);
        } catch (NumberFormatException e) {
            return NONE;
        }
    }

    private static long parse(String digits) {
        // Values beyond 2^63 are "very large" but still valid; clamp instead of failing.
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return kind == Kind.SATISFIABLE ? "bytes " + start + "-" + end() : kind.name();
    }
}
