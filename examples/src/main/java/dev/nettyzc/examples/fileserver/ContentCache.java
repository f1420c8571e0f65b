/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounded LRU cache of whole files in direct {@link ByteBuf}s.
 *
 * <p><b>Reference counting is what makes eviction safe.</b> The cache owns exactly one reference of each
 * entry's buffer. A response gets {@code retainedSlice(offset, length)} of it, taken under the cache lock, so
 * the buffer cannot be freed between the look-up and the retain. Evicting or invalidating an entry only drops
 * the cache's own reference: slices that are still queued in a channel, or pinned by the zero-copy channel
 * until the kernel's completion notification, keep the memory alive, and the last of them frees it. No copy,
 * no lock held while sending.
 *
 * <p>Validity: every look-up passes the file's current {@link FileStamp}; an entry with a different stamp
 * (size, mtime or inode changed on disk) is dropped and the file is read again.
 */
public final class ContentCache {

    private static final class Entry {
        final ByteBuf content;
        final FileStamp stamp;

        Entry(ByteBuf content, FileStamp stamp) {
            this.content = content;
            this.stamp = stamp;
        }
    }

    private final long capacity;
    private final long maxEntrySize;
    private final ByteBufAllocator allocator;
    private final LinkedHashMap<Path, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long loads;
    private long evictions;
    private long invalidations;

    /**
     * @param capacity     total bytes of content kept
     * @param maxEntrySize larger files are not cached ({@link #accepts(long)} is false)
     * @param allocator    allocator of the direct buffers that hold the content
     */
    public ContentCache(long capacity, long maxEntrySize, ByteBufAllocator allocator) {
        this.capacity = Math.max(0, capacity);
        this.maxEntrySize = Math.min(Math.max(0, maxEntrySize), this.capacity);
        this.allocator = allocator;
    }

    /** Whether a file of this size is served from the cache (otherwise it is streamed). */
    public boolean accepts(long size) {
        return size <= maxEntrySize && size <= Integer.MAX_VALUE - 8 && capacity > 0;
    }

    /**
     * Returns a retained slice {@code [offset, offset + length)} of the cached content of {@code file}, loading
     * the file on a miss. The caller owns the returned reference (writing it to a channel hands it over).
     *
     * @param file  real path of a regular file, as checked by {@link PathResolver}
     * @param stamp the file's stamp as the caller just read it; the response headers are built from it
     * @throws StaleFileException if the file changed while it was being read
     */
    public ByteBuf slice(Path file, FileStamp stamp, long offset, long length) throws IOException {
        if (!accepts(stamp.size())) {
            throw new IllegalArgumentException("not cacheable: " + stamp.size() + " bytes");
        }
        synchronized (this) {
            Entry e = entries.get(file);
            if (e != null) {
                if (e.stamp.equals(stamp)) {
                    hits++;
                    return e.content.retainedSlice((int) offset, (int) length);
                }
                entries.remove(file);
                drop(e);
                invalidations++;
            }
            misses++;
        }
        // Read outside the lock: other event loops keep serving. Two loops missing the same file at once both
        // read it; the second insert replaces the first (whose slices stay valid by their own references).
        ByteBuf content = read(file, stamp);
        synchronized (this) {
            loads++;
            Entry previous = entries.put(file, new Entry(content, stamp));
            if (previous != null) {
                drop(previous);
            }
            bytes += content.capacity();
            ByteBuf slice = content.retainedSlice((int) offset, (int) length);
            evictOverCapacity();
            return slice;
        }
    }

    private ByteBuf read(Path file, FileStamp stamp) throws IOException {
        int size = (int) stamp.size();
        ByteBuf buf = allocator.directBuffer(size, size);
        boolean ok = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (buf.isWritable()) {
                int n = buf.writeBytes(ch, buf.writerIndex(), buf.writableBytes());
                if (n < 0) {
                    throw new StaleFileException(file + " shrank while being read");
                }
            }
            if (ch.size() != size || !FileStamp.of(file).equals(stamp)) {
                throw new StaleFileException(file + " changed while being read");
            }
            ok = true;
            return buf;
        } finally {
            if (!ok) {
                buf.release();
            }
        }
    }

    private void evictOverCapacity() {
        Iterator<Map.Entry<Path, Entry>> it = entries.entrySet().iterator();
        while (bytes > capacity && it.hasNext()) {
            Entry e = it.next().getValue();
            it.remove();
            drop(e);
            evictions++;
        }
    }

    private void drop(Entry e) {
        bytes -= e.content.capacity();
        // Only the cache's reference: in-flight slices keep the memory until their sends complete.
        e.content.release();
    }

    /** Drops the entry of {@code file}, if any (its in-flight slices stay valid). */
    public synchronized boolean evict(Path file) {
        Entry e = entries.remove(file);
        if (e == null) {
            return false;
        }
        drop(e);
        evictions++;
        return true;
    }

    /** Drops every entry; called at shutdown. */
    public synchronized void clear() {
        for (Entry e : entries.values()) {
            drop(e);
        }
        entries.clear();
    }

    /** The cached buffer itself, not retained: tests use it to watch its reference count. */
    synchronized ByteBuf peek(Path file) {
        Entry e = entries.get(file);
        return e == null ? null : e.content;
    }

    public long capacity() {
        return capacity;
    }

    public long maxEntrySize() {
        return maxEntrySize;
    }

    /** A consistent snapshot of the counters. */
    public synchronized Stats stats() {
        return new Stats(entries.size(), bytes, capacity, maxEntrySize, hits, misses, loads, evictions,
                invalidations);
    }

    /** Snapshot of the cache counters. */
    public record Stats(int entries, long bytes, long capacity, long maxEntrySize, long hits, long misses,
                        long loads, long evictions, long invalidations) {
    }

    /** The file changed on disk while it was read; the caller answers 503 and the client retries. */
    public static final class StaleFileException extends IOException {
        private static final long serialVersionUID = 1L;

        StaleFileException(String message) {
            super(message);
        }
    }
}
