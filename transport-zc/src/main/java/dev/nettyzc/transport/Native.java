/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.util.internal.NativeLibraryLoader;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;

/**
 * JNI binding of {@code libnetty_transport_zc_native_<arch>.so} (sources in transport-zc-native). The natives are
 * registered in {@code JNI_OnLoad}. Every function works on caller-provided direct memory and never creates Java
 * objects on success; errors are thrown as {@link io.netty.channel.unix.Errors.NativeIoException} carrying the
 * errno text ("sendmsg(..) failed with error(-104): Connection reset by peer"), except the flow-control errnos
 * EAGAIN, ENOBUFS and EINTR, which are returned as negative values.
 *
 * <p>Internal: only {@link ZeroCopy} loads it, only the channels call it.
 */
final class Native {
    static final String LIBRARY_NAME = "netty_transport_zc_native";

    // Linux x86_64 constants (asm-generic); the library is only built for linux-x86_64.
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int ENOBUFS = 105;
    static final int MSG_ZEROCOPY = 0x4000000;
    static final int SO_EE_ORIGIN_ZEROCOPY = 5;
    static final int SO_EE_CODE_ZEROCOPY_COPIED = 1;
    /** SOL_SOCKET cmsg type of our kernel patch (DESIGN-NOTES section 2). */
    static final int SCM_ZC_NOTIFICATION = 99;
    /** Type used by the published v8 series (never merged; 78 is SO_DEVMEM_LINEAR in mainline). */
    static final int SCM_ZC_NOTIFICATION_V8 = 78;
    static final int ZC_NOTIFICATION_MAX = 16;
    /** Bytes per completion range written by {@link #drainErrorQueue}: lo, hi, origin << 8 | code (3 x int32). */
    static final int RANGE_SIZE = 12;

    private Native() {
    }

    static void loadNativeLibrary() {
        String name = LIBRARY_NAME + '_' + PlatformDependent.normalizedArch();
        ClassLoader cl = PlatformDependent.getClassLoader(Native.class);
        NativeLibraryLoader.load(name, cl);
    }

    /** {@code setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, on)}. EBUSY unless the socket is in its initial state. */
    static native void setSoZeroCopy(int fd, boolean on) throws IOException;

    /** {@code getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY)}. */
    static native boolean isSoZeroCopy(int fd) throws IOException;

    /**
     * {@code sendmsg(fd, {msg_iov = iovAddress, msg_iovlen = iovCount, msg_control = controlAddress,
     * msg_controllen = controlCapacity}, flags | MSG_DONTWAIT | MSG_NOSIGNAL)}; writes the {@code msg_controllen}
     * the kernel left (unchanged unless it copied a cmsg back) as an int64 to {@code controlLenOutAddress}
     * (ignored if 0).
     *
     * @return bytes accepted (&gt;= 0), or {@code -EAGAIN}, {@code -ENOBUFS}, {@code -EINTR}
     */
    static native int sendmsg(int fd, long iovAddress, int iovCount, int flags, long controlAddress,
                              int controlCapacity, long controlLenOutAddress) throws IOException;

    /**
     * Loops {@code recvmsg(fd, MSG_ERRQUEUE | MSG_DONTWAIT)} until EAGAIN or {@code maxRanges} entries, writing a
     * range (3 x int32: {@code ee_info}, {@code ee_data}, {@code ee_origin << 8 | ee_code}) per entry. Entries
     * whose origin is not SO_EE_ORIGIN_ZEROCOPY are written too (with {@code ee_errno} in the first int) so the
     * caller can tell a real error. Syscalls made: {@code n + (n < maxRanges ? 1 : 0)}.
     *
     * @return number of ranges written
     */
    static native int drainErrorQueue(int fd, long rangesAddress, int maxRanges) throws IOException;

    /**
     * Probes whether the kernel accepts an {@code SCM_ZC_NOTIFICATION} cmsg of {@code cmsgType} on a zero-copy
     * sendmsg: a connected UDP pair on loopback, SO_ZEROCOPY, one 1-byte send with a 16-slot placeholder.
     *
     * @return 0 if accepted and copied back, else a positive errno (EINVAL: unsupported), or -1 if the probe
     *         itself could not be set up
     */
    static native int probeInbandNotification(int cmsgType);

    /** {@code dup(fd)}, close-on-exec. */
    static native int dup(int fd) throws IOException;

    /** {@code close(fd)}. */
    static native void close(int fd) throws IOException;

    /** {@code shutdown(fd, SHUT_WR)}; ENOTCONN ignored. */
    static native void shutdownWrite(int fd) throws IOException;

    /** {@code setsockopt(fd, SO_LINGER, {1, 0})}: the next close resets the connection and purges the queue. */
    static native void setLingerZero(int fd) throws IOException;
}
