/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.examples.fileserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What identifies one version of a file: size, modification time (nanoseconds) and inode ({@code fileKey}).
 * A cache entry is valid while the stamp of its file is unchanged; the strong ETag is derived from it.
 */
public final class FileStamp {
    private final long size;
    private final long mtimeNanos;
    private final Object fileKey;
    private final boolean regularFile;
    private final boolean directory;

    private FileStamp(BasicFileAttributes a) {
        this.size = a.size();
        this.mtimeNanos = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        this.fileKey = a.fileKey();
        this.regularFile = a.isRegularFile();
        this.directory = a.isDirectory();
    }

    /** Stamps {@code file} without following a final symlink (callers pass a real path). */
    public static FileStamp of(Path file) throws IOException {
        return new FileStamp(Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    }

    public long size() {
        return size;
    }

    public long lastModifiedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(mtimeNanos);
    }

    public boolean isRegularFile() {
        return regularFile;
    }

    public boolean isDirectory() {
        return directory;
    }

    /** Strong validator: changes whenever size, mtime or inode change. */
    public String etag() {
        long key = fileKey == null ? 0 : fileKey.hashCode() & 0xffffffffL;
        return String.format(Locale.ROOT, "\"%x-%x-%x\"", size, mtimeNanos, key);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FileStamp)) {
            return false;
        }
        FileStamp s = (FileStamp) o;
        return size == s.size && mtimeNanos == s.mtimeNanos && Objects.equals(fileKey, s.fileKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, mtimeNanos, fileKey);
    }

    @Override
    public String toString() {
        return "FileStamp(size=" + size + ", mtimeNanos=" + mtimeNanos + ", key=" + fileKey + ')';
    }
}
