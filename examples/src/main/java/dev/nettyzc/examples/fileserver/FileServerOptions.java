/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line of {@link FileServer}. Mutable on purpose: tests build one with the fluent setters,
 * {@link #parse(String...)} builds one from {@code main}'s arguments.
 */
public final class FileServerOptions {

    /** How responses reach the socket. */
    public enum ZeroCopyMode {
        /** Our zero-copy channels, completion mode chosen by the kernel (in-band if supported). */
        AUTO,
        /** Our zero-copy channels, in-band completions ({@code SCM_ZC_NOTIFICATION}) required. */
        CMSG,
        /** Our zero-copy channels, completions from the socket error queue. */
        ERRQUEUE,
        /** Netty's stock {@code EpollServerSocketChannel}: the baseline, plain {@code writev}. */
        OFF
    }

    /** Where response bodies come from. */
    public enum Transfer {
        /** Cached direct buffers (slices) for files that fit, streamed direct chunks for the others. */
        CACHE,
        /** Netty's {@code DefaultFileRegion}, i.e. {@code sendfile(2)}, for every file; the cache is not used. */
        SENDFILE
    }

    public static final String USAGE = String.join("\n",
            "Usage: file-server [options]",
            "",
            "HTTP/1.1 static file server on netty-transport-zc's MSG_ZEROCOPY epoll channels.",
            "",
            "Options:",
            "  --port N               TCP port to listen on, 0 = any free port (default 8080)",
            "  --bind ADDR            address to bind (default 127.0.0.1; use 0.0.0.0 for all interfaces)",
            "  --root DIR             directory to serve (default: a sample directory generated in a temp dir)",
            "  --cache-size SIZE      bytes of file content kept in direct memory, LRU (default 256m;",
            "                         suffixes k, m, g = KiB, MiB, GiB; 0 disables the cache)",
            "  --max-cached-file SIZE larger files are streamed in chunks instead of cached",
            "                         (default: 1/4 of --cache-size)",
            "  --zerocopy MODE        auto | cmsg | errqueue | off (default auto)",
            "                           auto/cmsg/errqueue: our ZeroCopyEpoll*Channel + ZEROCOPY_THRESHOLD,",
            "                                               completions in-band / from the error queue",
            "                           off:                Netty's EpollServerSocketChannel (baseline)",
            "  --transfer MODE        cache | sendfile (default cache)",
            "                           cache:    cached direct-buffer slices (zero-copy candidates),",
            "                                     big files streamed in direct chunks",
            "                           sendfile: Netty's DefaultFileRegion for every file (for comparison)",
            "  --zerocopy-threshold SIZE",
            "                         smallest buffer sent with MSG_ZEROCOPY (default 16k)",
            "  --piggyback on|off     send a response's header in its body's MSG_ZEROCOPY sendmsg, one",
            "                         syscall instead of two (default on; the header stays pinned with the body)",
            "  --threads N            event loop threads (default: number of cores)",
            "  --idle-timeout SECS    close connections idle for this long, 0 = never (default 60)",
            "  --stats-interval SECS  log a statistics line every SECS seconds, 0 = never (default 10)",
            "  --exit-after SECS      stop by itself after SECS seconds (smoke tests; default: run until Ctrl-C)",
            "  --generate-sample DIR  write the deterministic sample files into DIR, print their sha256, exit",
            "  --help                 show this message",
            "",
            "Options take their value either as '--opt value' or as '--opt=value'.",
            "Statistics (JSON): GET /_stats");

    private int port = 8080;
    private String bind = "127.0.0.1";
    private Path root;
    private long cacheSize = 256L << 20;
    private long maxCachedFile = -1;
    private ZeroCopyMode zeroCopy = ZeroCopyMode.AUTO;
    private Transfer transfer = Transfer.CACHE;
    private int zeroCopyThreshold = 16 * 1024;
    private boolean piggyback = true;
    private int threads = 0;
    private int idleTimeoutSeconds = 60;
    private int statsIntervalSeconds = 10;
    private int exitAfterSeconds = 0;
    private Path generateSample;
    private boolean help;

    /** Thrown for a bad command line; the message says what was wrong and is meant for the user. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    public static FileServerOptions parse(String... args) throws UsageException {
        FileServerOptions o = new FileServerOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name;
            String value = null;
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
            }
            int eq = arg.indexOf('=');
            if (eq >= 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg;
            }
            if (name.equals("--help") || name.equals("-h")) {
                o.help = true;
                continue;
            }
            if (!isKnown(name)) {
                throw new UsageException("unknown option '" + name + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + ": missing value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--port":
                    o.port = parseInt(name, value, 0, 65535, "a port number 0..65535");
                    break;
                case "--bind":
                    if (value.isEmpty()) {
                        throw new UsageException("--bind: expected an address like 127.0.0.1, got ''");
                    }
                    o.bind = value;
                    break;
                case "--root":
                    o.root = nonEmptyPath(name, value);
                    break;
                case "--cache-size":
                    o.cacheSize = parseSize(name, value);
                    break;
                case "--max-cached-file":
                    o.maxCachedFile = parseSize(name, value);
                    break;
                case "--zerocopy":
                    o.zeroCopy = parseEnum(name, value, ZeroCopyMode.class);
                    break;
                case "--transfer":
                    o.transfer = parseEnum(name, value, Transfer.class);
                    break;
                case "--zerocopy-threshold": {
                    long t = parseSize(name, value);
                    if (t < 1 || t > Integer.MAX_VALUE) {
                        throw new UsageException(name + ": expected a size from 1 to 2047m, got '" + value + "'");
                    }
                    o.zeroCopyThreshold = (int) t;
                    break;
                }
                case "--piggyback":
                    o.piggyback = parseOnOff(name, value);
                    break;
                case "--threads":
                    o.threads = parseInt(name, value, 1, 1024, "a thread count 1..1024");
                    break;
                case "--idle-timeout":
                    o.idleTimeoutSeconds = parseInt(name, value, 0, 86400, "seconds 0..86400");
                    break;
                case "--stats-interval":
                    o.statsIntervalSeconds = parseInt(name, value, 0, 86400, "seconds 0..86400");
                    break;
                case "--exit-after":
                    o.exitAfterSeconds = parseInt(name, value, 1, 86400 * 365, "seconds >= 1");
                    break;
                case "--generate-sample":
                    o.generateSample = nonEmptyPath(name, value);
                    break;
                default:
                    throw new AssertionError(name);
            }
        }
        if (o.cacheSize > Integer.MAX_VALUE * 16L) {
            throw new UsageException("--cache-size: at most 32g, got " + o.cacheSize + " bytes");
        }
        if (o.maxCachedFile > Integer.MAX_VALUE - 8) {
            throw new UsageException("--max-cached-file: at most 2047m (one direct buffer), got "
                    + o.maxCachedFile + " bytes");
        }
        return o;
    }

    private static boolean isKnown(String name) {
        switch (name) {
            case "--port": case "--bind": case "--root": case "--cache-size": case "--max-cached-file":
            case "--zerocopy": case "--zerocopy-threshold": case "--piggyback": case "--transfer": case "--threads":
            case "--idle-timeout":
            case "--stats-interval": case "--exit-after": case "--generate-sample":
                return true;
            default:
                return false;
        }
    }

    private static boolean parseOnOff(String name, String value) throws UsageException {
        switch (value) {
            case "on": return true;
            case "off": return false;
            default: throw new UsageException(name + ": expected on or off, got '" + value + "'");
        }
    }

    private static Path nonEmptyPath(String name, String value) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(name + ": expected a directory, got ''");
        }
        return Path.of(value);
    }

    private static int parseInt(String name, String value, int min, int max, String what) throws UsageException {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new UsageException(name + ": expected " + what + ", got '" + value + "'");
    }

    private static <E extends Enum<E>> E parseEnum(String name, String value, Class<E> type)
            throws UsageException {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            if (allowed.length() > 0) {
                allowed.append('|');
            }
            allowed.append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new UsageException(name + ": expected " + allowed + ", got '" + value + "'");
    }

    /** Parses {@code 123}, {@code 64k}, {@code 256m}, {@code 1g} (binary units, case-insensitive, optional "b"/"ib"). */
    public static long parseSize(String name, String value) throws UsageException {
        String s = value.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (!s.isEmpty()) {
            char unit = s.charAt(s.length() - 1);
            switch (unit) {
                case 'k': mult = 1L << 10; break;
                case 'm': mult = 1L << 20; break;
                case 'g': mult = 1L << 30; break;
                default: mult = 1;
            }
            if (mult != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
                long n = Long.parseLong(s);
                if (n <= Long.MAX_VALUE / mult) {
                    return n * mult;
                }
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new UsageException(name + ": expected a size like 64m, got '" + value + "'");
    }

    // ---- fluent accessors (tests) ----

    public int port() { return port; }
    public FileServerOptions port(int port) { this.port = port; return this; }
    public String bind() { return bind; }
    public FileServerOptions bind(String bind) { this.bind = bind; return this; }
    public Path root() { return root; }
    public FileServerOptions root(Path root) { this.root = root; return this; }
    public long cacheSize() { return cacheSize; }
    public FileServerOptions cacheSize(long cacheSize) { this.cacheSize = cacheSize; return this; }
    /** Effective per-file cache limit: the option, or a quarter of the cache. */
    public long maxCachedFile() {
        long max = maxCachedFile >= 0 ? maxCachedFile : cacheSize / 4;
        return Math.min(max, cacheSize);
    }
    public FileServerOptions maxCachedFile(long max) { this.maxCachedFile = max; return this; }
    public ZeroCopyMode zeroCopy() { return zeroCopy; }
    public FileServerOptions zeroCopy(ZeroCopyMode mode) { this.zeroCopy = mode; return this; }
    public Transfer transfer() { return transfer; }
    public FileServerOptions transfer(Transfer transfer) { this.transfer = transfer; return this; }
    public int zeroCopyThreshold() { return zeroCopyThreshold; }
    public FileServerOptions zeroCopyThreshold(int t) { this.zeroCopyThreshold = t; return this; }
    public boolean piggyback() { return piggyback; }
    public FileServerOptions piggyback(boolean on) { this.piggyback = on; return this; }
    public int threads() { return threads; }
    public FileServerOptions threads(int threads) { this.threads = threads; return this; }
    public int idleTimeoutSeconds() { return idleTimeoutSeconds; }
    public FileServerOptions idleTimeoutSeconds(int s) { this.idleTimeoutSeconds = s; return this; }
    public int statsIntervalSeconds() { return statsIntervalSeconds; }
    public FileServerOptions statsIntervalSeconds(int s) { this.statsIntervalSeconds = s; return this; }
    public int exitAfterSeconds() { return exitAfterSeconds; }
    public Path generateSample() { return generateSample; }
    public boolean help() { return help; }
}
