/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import dev.nettyzc.transport.ZeroCopy;
import dev.nettyzc.transport.ZeroCopyChannelOption;
import dev.nettyzc.transport.ZeroCopyEpollServerSocketChannel;
import dev.nettyzc.transport.ZeroCopyHandler;
import dev.nettyzc.transport.ZeroCopyNotificationMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * HTTP/1.1 static file server on netty-transport-zc's MSG_ZEROCOPY channels. See {@code examples/README.md}.
 *
 * <p>Start it with {@link #start(FileServerOptions)} (tests) or from the command line ({@link #main}).
 */
public final class FileServer implements AutoCloseable {

    /** Limits of the request decoder; longer lines/headers get 414/431. */
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 16 * 1024;

    private final FileServerOptions options;
    private final PathResolver resolver;
    private final ContentCache cache;
    private final ServerStats stats;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final Path generatedRoot;
    private final Map<String, String> sampleSums;
    private final String description;
    private final FileServerOptions.ZeroCopyMode mode;
    private final CountDownLatch closed = new CountDownLatch(1);

    private FileServer(FileServerOptions options, Path root, Path generatedRoot, Map<String, String> sampleSums)
            throws Exception {
        this.options = options;
        this.generatedRoot = generatedRoot;
        this.sampleSums = sampleSums;
        this.resolver = new PathResolver(root);
        // Cached content lives in unpooled direct buffers: each entry is one allocation whose memory goes back to
        // the OS when its last reference (cache or in-flight slice) is released.
        this.cache = new ContentCache(options.cacheSize(), options.maxCachedFile(),
                new UnpooledByteBufAllocator(true));

        FileServerOptions.ZeroCopyMode mode = options.zeroCopy();
        if (mode == FileServerOptions.ZeroCopyMode.AUTO && !ZeroCopy.isAvailable()) {
            log("file-server: WARNING: zero-copy unavailable (" + ZeroCopy.unavailabilityCause()
                    + "); serving with Netty's EpollServerSocketChannel, as with --zerocopy=off");
            mode = FileServerOptions.ZeroCopyMode.OFF;
        }
        this.mode = mode;
        Class<? extends ServerChannel> channelClass;
        String notification;
        if (mode == FileServerOptions.ZeroCopyMode.OFF) {
            if (!Epoll.isAvailable()) {
                throw new StartupException("epoll is not available: " + Epoll.unavailabilityCause());
            }
            channelClass = EpollServerSocketChannel.class;
            notification = "none";
        } else {
            if (!ZeroCopy.isAvailable()) {
                throw new StartupException("--zerocopy=" + lower(mode) + ": netty-transport-zc is not available "
                        + "here (" + ZeroCopy.unavailabilityCause() + "); use --zerocopy=off");
            }
            if (mode == FileServerOptions.ZeroCopyMode.CMSG && !ZeroCopy.isInbandNotificationSupported()) {
                throw new StartupException("--zerocopy=cmsg: this kernel does not accept SCM_ZC_NOTIFICATION "
                        + "(in-band completions need the project's kernel patch); use --zerocopy=auto or errqueue");
            }
            channelClass = ZeroCopyEpollServerSocketChannel.class;
            boolean inband = mode == FileServerOptions.ZeroCopyMode.CMSG
                    || (mode == FileServerOptions.ZeroCopyMode.AUTO && ZeroCopy.isInbandNotificationSupported());
            notification = inband ? "cmsg" : "errqueue";
        }
        this.stats = new ServerStats(lower(mode), notification, lower(options.transfer()),
                channelClass.getSimpleName(), cache);
        this.description = String.format(Locale.ROOT,
                "zerocopy=%s (%s, completions: %s), transfer=%s, cache %s (files up to %s), threshold %s, piggyback %s",
                lower(mode), channelClass.getSimpleName(), notification, lower(options.transfer()),
                ServerStats.human(cache.capacity()), ServerStats.human(cache.maxEntrySize()),
                mode == FileServerOptions.ZeroCopyMode.OFF ? "-" : ServerStats.human(options.zeroCopyThreshold()),
                mode == FileServerOptions.ZeroCopyMode.OFF ? "-" : options.piggyback() ? "on" : "off");

        this.group = new MultiThreadIoEventLoopGroup(options.threads(), EpollIoHandler.newFactory());
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(channelClass)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            initChild(ch);
                        }
                    });
            if (mode != FileServerOptions.ZeroCopyMode.OFF) {
                // Zero-copy on, for direct buffers of at least the threshold (16 KiB by default): no handler needed.
                b.childOption(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, options.zeroCopyThreshold())
                        .childOption(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, notificationMode(mode));
            }
            this.serverChannel = b.bind(new InetSocketAddress(options.bind(), options.port())).sync().channel();
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        if (options.statsIntervalSeconds() > 0) {
            group.next().scheduleAtFixedRate(() -> log(stats.snapshot().toLogLine()),
                    options.statsIntervalSeconds(), options.statsIntervalSeconds(), TimeUnit.SECONDS);
        }
        // Fold closed connections into the totals now and then even if nobody asks for statistics.
        group.next().scheduleAtFixedRate(stats::sweep, 1, 1, TimeUnit.SECONDS);
    }

    private static ZeroCopyNotificationMode notificationMode(FileServerOptions.ZeroCopyMode mode) {
        switch (mode) {
            case CMSG: return ZeroCopyNotificationMode.CMSG;
            case ERRQUEUE: return ZeroCopyNotificationMode.ERRQUEUE;
            default: return ZeroCopyNotificationMode.AUTO;
        }
    }

    private void initChild(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (options.idleTimeoutSeconds() > 0) {
            // observeOutput: a slow download that still makes progress is not idle.
            p.addLast("idle", new IdleStateHandler(true, 0, 0, options.idleTimeoutSeconds(), TimeUnit.SECONDS));
        }
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(64 * 1024)));
        p.addLast("chunked", new ChunkedWriteHandler());
        p.addLast("files", new FileServerHandler(this));
        if (mode != FileServerOptions.ZeroCopyMode.OFF && options.piggyback()) {
            // The option's threshold, plus one thing the option alone does not do: the response header (small,
            // direct, flushed with the body) rides in the body's sendmsg(MSG_ZEROCOPY) instead of a write of its
            // own. Per 64 KiB response that is one syscall less (examples/README, "File server").
            p.addLast("zerocopy", ZeroCopyHandler.builder().piggybackSmallBuffers(true).build());
        }
        stats.connectionOpened(ch);
    }

    /** Starts a server; the caller closes it. */
    public static FileServer start(FileServerOptions options) throws Exception {
        Path root = options.root();
        Path generated = null;
        Map<String, String> sums = null;
        if (root == null) {
            generated = Files.createTempDirectory("nettyzc-sample-");
            sums = SampleFiles.generate(generated);
            root = generated;
        } else if (!Files.isDirectory(root)) {
            throw new StartupException("--root: not a directory: " + root);
        }
        try {
            return new FileServer(options, root, generated, sums);
        } catch (Exception | Error e) {
            if (generated != null) {
                deleteTree(generated);
            }
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String baseUrl() {
        String host = options.bind().contains(":") ? "[" + options.bind() + "]" : options.bind();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + port();
    }

    public Path root() {
        return resolver.root();
    }

    public ServerStats stats() {
        return stats;
    }

    public ContentCache cache() {
        return cache;
    }

    FileServerOptions options() {
        return options;
    }

    PathResolver resolver() {
        return resolver;
    }

    /** The effective mode (AUTO falls back to OFF where zero-copy is unavailable). */
    public FileServerOptions.ZeroCopyMode zeroCopyMode() {
        return mode;
    }

    public String description() {
        return description;
    }

    /** Stops accepting, closes all connections, frees the cache. Idempotent. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            serverChannel.close().syncUninterruptibly();
            Future<?> f = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            f.awaitUninterruptibly(30, TimeUnit.SECONDS);
            cache.clear();
            if (generatedRoot != null) {
                deleteTree(generatedRoot);
            }
        } finally {
            closed.countDown();
        }
    }

    /** Waits until {@link #close()} completed. */
    public boolean awaitClose(long timeout, TimeUnit unit) throws InterruptedException {
        return closed.await(timeout, unit);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("file-server: could not delete " + dir + ": " + e.getMessage());
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static void log(String line) {
        System.out.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line);
        System.out.flush();
    }

    /** For the generated sample directory: what to type to fetch a file, and what its sha256 must be. */
    private static void printCurlLines(FileServer server) {
        String url = server.baseUrl();
        StringBuilder sb = new StringBuilder();
        sb.append("\nSample directory ").append(server.root()).append(" (deleted when the server stops).\n");
        sb.append("Fetch a file and check it (in another terminal):\n\n");
        for (String name : new String[] {"1m.bin", "64m.bin"}) {
            sb.append("  curl -o ").append(name).append(' ').append(url).append('/').append(name)
              .append(" && sha256sum ").append(name).append('\n');
            sb.append("  # expected: ").append(server.sampleSums.get(name)).append("  ").append(name)
              .append("\n\n");
        }
        sb.append("  curl -r 0-99 ").append(url).append("/small.txt          # a range (206)\n");
        sb.append("  curl ").append(url).append(FileServerHandler.STATS_PATH)
          .append("                      # zero-copy and cache statistics\n\n");
        sb.append("All sample files (sha256):\n");
        for (Map.Entry<String, String> e : server.sampleSums.entrySet()) {
            sb.append("  ").append(e.getValue()).append("  ").append(e.getKey()).append('\n');
        }
        System.out.println(sb);
        System.out.flush();
    }

    /** A startup problem that is the user's to fix: printed without a stack trace, exit status 1. */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** {@link #main} without {@code System.exit}: returns the exit status. */
    static int run(String... args) throws Exception {
        FileServerOptions options;
        try {
            options = FileServerOptions.parse(args);
        } catch (FileServerOptions.UsageException e) {
            System.err.println("file-server: " + e.getMessage());
            System.err.println("Try 'file-server --help' for the options.");
            return 2;
        }
        if (options.help()) {
            System.out.println(FileServerOptions.USAGE);
            return 0;
        }
        if (options.generateSample() != null) {
            Map<String, String> sums = SampleFiles.generate(options.generateSample());
            for (Map.Entry<String, String> e : sums.entrySet()) {
                System.out.println(e.getValue() + "  " + e.getKey());
            }
            return 0;
        }
        FileServer server;
        try {
            server = start(options);
        } catch (StartupException e) {
            System.err.println("file-server: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("file-server: cannot start: " + e);
            return 1;
        }
        Thread hook = new Thread(server::close, "file-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        log("file-server: serving " + server.root() + " on " + server.baseUrl() + "/");
        log("file-server: " + server.description());
        log("file-server: statistics: curl " + server.baseUrl() + FileServerHandler.STATS_PATH
                + "   (Ctrl-C stops the server)");
        if (server.sampleSums != null) {
            printCurlLines(server);
        }
        if (options.exitAfterSeconds() > 0) {
            if (!server.awaitClose(options.exitAfterSeconds(), TimeUnit.SECONDS)) {
                log("file-server: --exit-after " + options.exitAfterSeconds() + "s reached, stopping");
                log(server.stats().snapshot().toLogLine());
                server.close();
            }
        } else {
            server.awaitClose(Long.MAX_VALUE, TimeUnit.DAYS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        return 0;
    }
}
