/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.Date;

/**
 * One per connection: answers each HTTP request with a file, a {@code /_stats} JSON document, or an error.
 * Requests are handled in arrival order and responses are written in that order (pipelining works).
 */
final class FileServerHandler extends ChannelInboundHandlerAdapter {

    static final String STATS_PATH = "/_stats";
    private static final String SERVER = "netty-transport-zc-example";
    private static final int STREAM_CHUNK = 256 * 1024;

    private final FileServer server;
    /** Set once we decided to close after the current response: everything else read is dropped. */
    private boolean closing;
    /** HTTP/1.0 client that asked for keep-alive: it needs the header back. */
    private boolean http10KeepAlive;

    FileServerHandler(FileServer server) {
        this.server = server;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof HttpObject && ((HttpObject) msg).decoderResult().isFailure()) {
                decoderFailure(ctx, ((HttpObject) msg).decoderResult());
                return;
            }
            if (msg instanceof HttpRequest) {
                handle(ctx, (HttpRequest) msg);
            }
            // HttpContent of a request body: never used (a request with a body is answered, then closed).
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void decoderFailure(ChannelHandlerContext ctx, DecoderResult result) {
        Throwable cause = result.cause();
        HttpResponseStatus status;
        String why;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            why = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            why = "request headers too large";
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.BAD_REQUEST;
            why = "request too large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            why = "malformed request: " + (cause == null ? "?" : cause.getMessage());
        }
        server.stats().request();
        // The decoder discards everything after a failure: answer and close.
        closing = true;
        sendError(ctx, status, why, false, false);
    }

    private void handle(ChannelHandlerContext ctx, HttpRequest req) {
        server.stats().request();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (hasBody(req)) {
            // We never read request bodies; rather than draining an arbitrarily large one, close afterwards.
            keepAlive = false;
        }
        http10KeepAlive = keepAlive && req.protocolVersion().equals(HttpVersion.HTTP_1_0);
        boolean head = HttpMethod.HEAD.equals(req.method());
        if (req.protocolVersion().majorVersion() != 1) {
            closing = true;
            sendError(ctx, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    req.protocolVersion() + " not supported; use HTTP/1.1", head, false);
            return;
        }
        if (!HttpMethod.GET.equals(req.method()) && !head) {
            FullHttpResponse res = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method " + req.method() + " not allowed; use GET or HEAD", false);
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, res, keepAlive);
            return;
        }
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_1) && !req.headers().contains(HttpHeaderNames.HOST)) {
            sendError(ctx, HttpResponseStatus.BAD_REQUEST, "HTTP/1.1 request without Host header", head, keepAlive);
            return;
        }
        String decoded = PathResolver.decodedPath(req.uri());
        if (STATS_PATH.equals(decoded)) {
            sendStats(ctx, head, keepAlive);
            return;
        }
        PathResolver.Result r = server.resolver().resolve(req.uri());
        if (!r.isOk()) {
            sendError(ctx, HttpResponseStatus.valueOf(r.status()), r.reason(), head, keepAlive);
            return;
        }
        try {
            sendFile(ctx, req, r, head, keepAlive);
        } catch (ContentCache.StaleFileException e) {
            sendError(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "file changed while reading it; retry",
                    head, keepAlive);
        } catch (IOException e) {
            sendError(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read file: " + e.getMessage(),
                    head, keepAlive);
        }
    }

    private static boolean hasBody(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
    }

    private void sendFile(ChannelHandlerContext ctx, HttpRequest req, PathResolver.Result r, boolean head,
                          boolean keepAlive) throws IOException {
        FileStamp stamp = r.stamp();
        String etag = stamp.etag();
        long lastModified = stamp.lastModifiedMillis();
        long size = stamp.size();
        HttpHeaders h = req.headers();

        if (notModified(h, etag, lastModified)) {
            HttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED,
                    Unpooled.EMPTY_BUFFER);
            validators(res.headers(), etag, lastModified);
            send(ctx, res, keepAlive);
            return;
        }

        ByteRange range = ByteRange.parse(h.get(HttpHeaderNames.RANGE), size);
        if (range.kind() != ByteRange.Kind.NONE && !ifRangeMatches(h.get(HttpHeaderNames.IF_RANGE), etag,
                lastModified)) {
            range = ByteRange.parse(null, size);
        }
        if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
            FullHttpResponse res = error(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "range not satisfiable for " + size + " bytes", head);
            res.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            send(ctx, res, keepAlive);
            return;
        }
        long start = 0;
        long length = size;
        HttpResponseStatus status = HttpResponseStatus.OK;
        if (range.kind() == ByteRange.Kind.SATISFIABLE) {
            start = range.start();
            length = range.length();
            status = HttpResponseStatus.PARTIAL_CONTENT;
        }

        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpHeaders rh = res.headers();
        rh.set(HttpHeaderNames.CONTENT_TYPE, MimeTypes.of(r.file().getFileName().toString()));
        rh.set(HttpHeaderNames.CONTENT_LENGTH, length);
        rh.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        validators(rh, etag, lastModified);
        if (status == HttpResponseStatus.PARTIAL_CONTENT) {
            rh.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + start + "-" + (start + length - 1) + "/" + size);
        }
        common(rh, keepAlive);
        server.stats().response(status.code(), head ? 0 : length);

        if (head || length == 0) {
            ctx.write(res);
            finish(ctx, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
            return;
        }
        if (server.options().transfer() == FileServerOptions.Transfer.SENDFILE) {
            FileChannel fc = open(r);
            ctx.write(res);
            ctx.write(new DefaultFileRegion(fc, start, length));
            finish(ctx, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
        } else if (server.cache().accepts(size)) {
            // A retained slice of the cached direct buffer: no copy. The zero-copy channel pins it until the
            // kernel's completion; if the entry is evicted meanwhile, only the cache's reference goes away.
            ByteBuf body = server.cache().slice(r.file(), stamp, start, length);
            ctx.write(res);
            finish(ctx, ctx.writeAndFlush(new DefaultLastHttpContent(body)), keepAlive);
        } else {
            FileChannel fc = open(r);
            ctx.write(res);
            finish(ctx, ctx.writeAndFlush(new HttpChunkedInput(new DirectFileChunks(fc, start, length,
                    STREAM_CHUNK))), keepAlive);
        }
    }

    private static FileChannel open(PathResolver.Result r) throws IOException {
        return FileChannel.open(r.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
    private static boolean notModified(HttpHeaders h, String etag, long lastModified) {
        String inm = h.get(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null) {
            for (String tag : inm.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || weakEquals(t, etag)) {
                    return true;
                }
            }
            return false;
        }
        String ims = h.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ims != null) {
            Date d = DateFormatter.parseHttpDate(ims);
            return d != null && lastModified / 1000 <= d.getTime() / 1000;
        }
        return false;
    }

    private static boolean weakEquals(String a, String b) {
        return stripWeak(a).equals(stripWeak(b));
    }

    private static String stripWeak(String t) {
        return t.startsWith("W/") ? t.substring(2) : t;
    }

    /** If-Range: the range applies only if the validator still matches (strong comparison for ETags). */
    private static boolean ifRangeMatches(String ifRange, String etag, long lastModified) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        if (v.startsWith("\"")) {
            return v.equals(etag);
        }
        if (v.startsWith("W/")) {
            return false;
        }
        Date d = DateFormatter.parseHttpDate(v);
        return d != null && d.getTime() / 1000 == lastModified / 1000;
    }

    private static void validators(HttpHeaders h, String etag, long lastModified) {
        h.set(HttpHeaderNames.ETAG, etag);
        h.set(HttpHeaderNames.LAST_MODIFIED, DateFormatter.format(new Date(lastModified)));
    }

    private void common(HttpHeaders h, boolean keepAlive) {
        h.set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        h.set(HttpHeaderNames.SERVER, SERVER);
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10KeepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    private void sendStats(ChannelHandlerContext ctx, boolean head, boolean keepAlive) {
        byte[] json = server.stats().snapshot().toJson().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(json));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, json.length);
        send(ctx, res, keepAlive);
    }

    private static FullHttpResponse error(HttpResponseStatus status, String why, boolean head) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + why + "\n")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return res;
    }

    private void sendError(ChannelHandlerContext ctx, HttpResponseStatus status, String why, boolean head,
                           boolean keepAlive) {
        send(ctx, error(status, why, head), keepAlive);
    }

    private void send(ChannelHandlerContext ctx, HttpResponse res, boolean keepAlive) {
        common(res.headers(), keepAlive);
        server.stats().response(res.status().code(), 0);
        finish(ctx, ctx.writeAndFlush(res), keepAlive);
    }

    /**
     * After the last write of a response: close if not keep-alive. While a response is still being written
     * (big file, slow client), stop reading, so a client that pipelines many requests cannot make us queue
     * many open files; cached slices complete at once and never pause reading.
     */
    private void finish(ChannelHandlerContext ctx, ChannelFuture last, boolean keepAlive) {
        if (!keepAlive) {
            closing = true;
            last.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!last.isDone()) {
            ctx.channel().config().setAutoRead(false);
            last.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().config().setAutoRead(true);
                } else {
                    f.channel().close();
                }
            });
        } else if (!last.isSuccess()) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            server.stats().idleClosed();
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            System.err.println("file-server: closing " + ctx.channel() + " after: " + cause);
        }
        ctx.close();
    }
}
