/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Streams {@code [offset, offset + length)} of a file in chunks read straight into <em>direct</em> buffers
 * from the channel's (pooled) allocator, so a file larger than the cache never lands on the heap, and every
 * chunk is a candidate for a zero-copy send. The zero-copy channel pins each chunk until its completion and
 * then releases it to the pool. {@code ChunkedWriteHandler} pulls the next chunk only while the channel is
 * writable, which bounds the memory per connection.
 */
final class DirectFileChunks implements ChunkedInput<ByteBuf> {
    private final FileChannel file;
    private final long startOffset;
    private final long endOffset;
    private final int chunkSize;
    private long offset;

    DirectFileChunks(FileChannel file, long offset, long length, int chunkSize) {
        this.file = file;
        this.startOffset = offset;
        this.offset = offset;
        this.endOffset = offset + length;
        this.chunkSize = chunkSize;
    }

    @Override
    public boolean isEndOfInput() {
        return offset >= endOffset || !file.isOpen();
    }

    @Override
    public void close() throws Exception {
        file.close();
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (offset >= endOffset) {
            return null;
        }
        int n = (int) Math.min(chunkSize, endOffset - offset);
        ByteBuf buf = allocator.directBuffer(n, n);
        boolean ok = false;
        try {
            while (buf.isWritable()) {
                int r = buf.writeBytes(file, offset + buf.writerIndex(), buf.writableBytes());
                if (r < 0) {
                    throw new IOException("file shrank while streaming it");
                }
            }
            offset += n;
            ok = true;
            return buf;
        } finally {
            if (!ok) {
                buf.release();
            }
        }
    }

    @Override
    public long length() {
        return endOffset - startOffset;
    }

    @Override
    public long progress() {
        return offset - startOffset;
    }
}
