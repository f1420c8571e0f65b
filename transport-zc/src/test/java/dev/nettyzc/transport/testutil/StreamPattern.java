/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testutil;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A position-dependent byte stream: the byte at stream offset {@code p} is byte {@code p & 7} (little endian)
 * of {@code mix(seed, p & ~7)}. Any reordering, duplication, loss or overwrite of data is detected by the
 * receiver, which checks every byte. Buffers are filled and checked through one bulk operation each
 * (a single leak-detector record per buffer even at PARANOID level).
 */
public final class StreamPattern {
    private final long seed;

    public StreamPattern(long seed) {
        this.seed = seed;
    }

    /** The 8 bytes at the 8-aligned stream offset {@code alignedOffset}, as a little-endian long. */
    public long word(long alignedOffset) {
        long z = alignedOffset * 0x9E3779B97F4A7C15L + seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public byte byteAt(long offset) {
        return (byte) (word(offset & ~7L) >>> ((offset & 7) * 8));
    }

    /** Fills {@code dst[0..len)} with the stream bytes starting at {@code offset}. */
    public void fill(byte[] dst, int len, long offset) {
        int i = 0;
        while (i < len && ((offset + i) & 7) != 0) {
            dst[i] = byteAt(offset + i);
            i++;
        }
        ByteBuffer bb = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
        for (; i + 8 <= len; i += 8) {
            bb.putLong(i, word(offset + i));
        }
        for (; i < len; i++) {
            dst[i] = byteAt(offset + i);
        }
    }

    /** Writes {@code len} stream bytes starting at {@code offset} to {@code buf}, using {@code scratch}. */
    public void write(ByteBuf buf, int len, long offset, byte[] scratch) {
        fill(scratch, len, offset);
        buf.writeBytes(scratch, 0, len);
    }

    /** A receiver: checks every byte of the stream, in order. Not thread-safe (one channel). */
    public final class Checker {
        private long offset;
        private long firstMismatch = -1;
        private String mismatch;

        /** Checks the readable bytes of {@code buf} (indices unchanged); returns false on the first mismatch. */
        public boolean check(ByteBuf buf) {
            int len = buf.readableBytes();
            if (len == 0 || firstMismatch >= 0) {
                offset += len;
                return firstMismatch < 0;
            }
            ByteBuffer bb;
            if (buf.nioBufferCount() == 1) {
                bb = buf.nioBuffer(buf.readerIndex(), len);
            } else {
                byte[] copy = new byte[len];
                buf.getBytes(buf.readerIndex(), copy);
                bb = ByteBuffer.wrap(copy);
            }
            bb.order(ByteOrder.LITTLE_ENDIAN);
            int base = bb.position();
            int i = 0;
            while (i < len && ((offset + i) & 7) != 0) {
                if (!checkByte(bb.get(base + i), offset + i)) {
                    return false;
                }
                i++;
            }
            for (; i + 8 <= len; i += 8) {
                long w = bb.getLong(base + i);
                if (w != word(offset + i)) {
                    for (int k = 0; k < 8; k++) {
                        if (!checkByte(bb.get(base + i + k), offset + i + k)) {
                            return false;
                        }
                    }
                }
            }
            for (; i < len; i++) {
                if (!checkByte(bb.get(base + i), offset + i)) {
                    return false;
                }
            }
            offset += len;
            return true;
        }

        private boolean checkByte(byte actual, long at) {
            byte expected = byteAt(at);
            if (actual != expected) {
                firstMismatch = at;
                mismatch = String.format("stream byte %d (chunk %d, +%d): expected 0x%02x, got 0x%02x",
                        at, at / 65536, at % 65536, expected & 0xFF, actual & 0xFF);
                return false;
            }
            return true;
        }

        /** Bytes checked so far (including bytes after a mismatch, which are not checked). */
        public long offset() {
            return offset;
        }

        /** Description of the first mismatch, or null. */
        public String mismatch() {
            return mismatch;
        }
    }

    public Checker newChecker() {
        return new Checker();
    }
}
