/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Maps a request target to a file under the root, or says why not. The rules, in order:
 * <ol>
 *   <li>the target must be origin-form ({@code /...}) or absolute-form ({@code http://host/...}), else 400;</li>
 *   <li>query and fragment are cut; the path is percent-decoded <em>once</em>, as strict UTF-8: a broken
 *       escape, invalid UTF-8 (including overlong forms such as {@code %c0%ae}), NUL or control characters
 *       give 400;</li>
 *   <li>403 if the decoded path still contains a percent escape (double encoding such as {@code %252e}), a
 *       backslash, or any {@code ..} segment (also when it came in as {@code %2e%2e} or around {@code %2f}):
 *       no legitimate link needs them, and refusing them outright is simpler to audit than normalizing;</li>
 *   <li>the lexically normalized path must stay under the root (403), must exist (404), and its real path,
 *       with every symlink resolved, must still be under the root's real path (403: a symlink that
 *       escapes);</li>
 *   <li>a directory serves its {@code index.html} (404 without one); anything that is not a regular file
 *       (FIFO, device, socket) is 403.</li>
 * </ol>
 * Files are later opened by their real path with {@code O_NOFOLLOW}.
 */
public final class PathResolver {

    /** Outcome of {@link #resolve(String)}: either a file or an HTTP status with a reason. */
    public static final class Result {
        private final Path file;
        private final FileStamp stamp;
        private final int status;
        private final String reason;

        private Result(Path file, FileStamp stamp, int status, String reason) {
            this.file = file;
            this.stamp = stamp;
            this.status = status;
            this.reason = reason;
        }

        static Result ok(Path file, FileStamp stamp) {
            return new Result(file, stamp, 200, null);
        }

        static Result fail(int status, String reason) {
            return new Result(null, null, status, reason);
        }

        public boolean isOk() {
            return file != null;
        }

        /** Real path of the file (no symlinks). */
        public Path file() {
            return file;
        }

        public FileStamp stamp() {
            return stamp;
        }

        /** 200 if ok, else 400, 403 or 404. */
        public int status() {
            return status;
        }

        public String reason() {
            return reason;
        }
    }

    private final Path root;
    private final Path realRoot;

    public PathResolver(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
        if (!Files.isDirectory(realRoot)) {
            throw new IOException("not a directory: " + root);
        }
    }

    public Path root() {
        return realRoot;
    }

    /** Extracts the decoded path of a request target, or {@code null} if it is malformed (400). */
    static String decodedPath(String target) {
        String t = target;
        if (t.regionMatches(true, 0, "http://", 0, 7) || t.regionMatches(true, 0, "https://", 0, 8)) {
            int slash = t.indexOf('/', t.indexOf("//") + 2);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        if (t.isEmpty() || t.charAt(0) != '/') {
            return null;
        }
        int cut = t.length();
        int q = t.indexOf('?');
        if (q >= 0) {
            cut = q;
        }
        int h = t.indexOf('#');
        if (h >= 0 && h < cut) {
            cut = h;
        }
        return percentDecode(t.substring(0, cut));
    }

    /** Strict single percent-decoding to UTF-8; {@code null} on any malformed input or control character. */
    static String percentDecode(String s) {
        ByteBuffer bytes = ByteBuffer.allocate(s.length() * 3);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                // Raw non-ASCII in the request line (the decoder hands it over as ISO-8859-1 chars).
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String out;
        try {
            CharBuffer cb = dec.decode(bytes);
            out = cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return null;
            }
        }
        return out;
    }

    /** Whether a decoded path tries to leave its directory (or hides an encoded escape): 403. */
    static String forbiddenReason(String decoded) {
        if (decoded.indexOf('\\') >= 0) {
            return "backslash in path";
        }
        for (int i = 0; i + 2 < decoded.length(); i++) {
            if (decoded.charAt(i) == '%' && Character.digit(decoded.charAt(i + 1), 16) >= 0
                    && Character.digit(decoded.charAt(i + 2), 16) >= 0) {
                return "percent escape left after decoding (double encoding)";
            }
        }
        for (String seg : decoded.split("/", -1)) {
            if (seg.equals("..")) {
                return "'..' path segment";
            }
        }
        return null;
    }

    /** Resolves a raw request target (as in the request line). */
    public Result resolve(String target) {
        String decoded = decodedPath(target);
        if (decoded == null) {
            return Result.fail(400, "malformed request target");
        }
        String why = forbiddenReason(decoded);
        if (why != null) {
            return Result.fail(403, why);
        }
        String rel = decoded.replaceAll("/+", "/").substring(1);
        Path candidate;
        try {
            candidate = root.resolve(rel).normalize();
        } catch (InvalidPathException e) {
            return Result.fail(400, "invalid path");
        }
        if (!candidate.startsWith(root)) {
            return Result.fail(403, "outside the root");
        }
        try {
            Path real = candidate.toRealPath();
            if (!real.startsWith(realRoot)) {
                return Result.fail(403, "symlink leads outside the root");
            }
            FileStamp stamp = FileStamp.of(real);
            if (stamp.isDirectory()) {
                real = real.resolve("index.html");
                if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
                    return Result.fail(404, "directory without index.html");
                }
                real = real.toRealPath();
                if (!real.startsWith(realRoot)) {
                    return Result.fail(403, "symlink leads outside the root");
                }
                stamp = FileStamp.of(real);
            }
            if (!stamp.isRegularFile()) {
                return Result.fail(403, "not a regular file");
            }
            if (!Files.isReadable(real)) {
                return Result.fail(403, "not readable");
            }
            return Result.ok(real, stamp);
        } catch (NoSuchFileException e) {
            return Result.fail(404, "no such file");
        } catch (IOException | SecurityException e) {
            return Result.fail(403, "cannot access: " + e.getClass().getSimpleName());
        }
    }
}
