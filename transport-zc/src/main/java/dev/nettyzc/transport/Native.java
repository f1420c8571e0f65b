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
 * EAGAIN, ENOBUFS and EINTR, which are returned as negative values, and the error-queue drain, which reports its
 * errno beside the entries it dequeued.
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
    /** SOL_SOCKET cmsg type of our kernel series (v2, {@code <linux/errqueue.h>}). */
    static final int SCM_ZC_NOTIFICATION = 99;
    /** {@code SO_ZEROCOPY} value: zero-copy sends allowed. */
    static final int SO_ZEROCOPY_ON = 1;
    /**
     * {@code SO_ZEROCOPY} flag of the series' patch 6 ({@code SO_ZEROCOPY_DEFER_POLLERR}): a notification raises
     * POLLERR only when it completes the socket's last outstanding zero-copy send or the error queue holds 16
     * entries; otherwise it waits for the next {@code sendmsg} with a placeholder. EINVAL on kernels without it.
     */
    static final int SO_ZEROCOPY_DEFER_POLLERR = 2;
    /** Bytes per entry written by {@link #drainErrorQueue}: the first 16 bytes of {@code sock_extended_err}. */
    static final int ERRQUEUE_ENTRY_SIZE = 16;

    /** {@code struct msghdr} on LP64 (the C side asserts the same offsets). */
    static final int MSGHDR_SIZE = 56;
    static final int MSGHDR_NAME = 0;
    static final int MSGHDR_NAMELEN = 8;
    static final int MSGHDR_IOV = 16;
    static final int MSGHDR_IOVLEN = 24;
    static final int MSGHDR_CONTROL = 32;
    static final int MSGHDR_CONTROLLEN = 40;
    static final int MSGHDR_FLAGS = 48;

    private Native() {
    }

    static void loadNativeLibrary() {
        String name = LIBRARY_NAME + '_' + PlatformDependent.normalizedArch();
        ClassLoader cl = PlatformDependent.getClassLoader(Native.class);
        NativeLibraryLoader.load(name, cl);
    }

    /**
     * {@code setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, value)}: 0, {@link #SO_ZEROCOPY_ON}, or
     * {@code SO_ZEROCOPY_ON | SO_ZEROCOPY_DEFER_POLLERR} where the kernel has it (EINVAL otherwise).
     */
    static native void setSoZeroCopy(int fd, int value) throws IOException;

    /** {@code getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY)}. */
    static native int getSoZeroCopy(int fd) throws IOException;

    /**
     * {@code syscall(SYS_sendmsg, fd, msghdr, flags | MSG_DONTWAIT | MSG_NOSIGNAL)}. {@code msghdrAddress} points
     * to a {@code struct msghdr} the caller wrote in direct memory ({@link #MSGHDR_SIZE} bytes, offsets
     * {@code MSGHDR_*}); the kernel writes the in-band answer into its control buffer, in place. A direct
     * syscall, so that no libc copies the msghdr and loses the copy-back (DESIGN-NOTES section 7).
     *
     * @return bytes accepted (&gt;= 0), or {@code -EAGAIN}, {@code -ENOBUFS}, {@code -EINTR}
     */
    static native int sendmsg(int fd, long msghdrAddress, int flags) throws IOException;

    /**
     * Loops {@code recvmsg(fd, MSG_ERRQUEUE | MSG_DONTWAIT)} (direct syscall) until EAGAIN, an error, or
     * {@code maxEntries} entries, copying each entry's {@code sock_extended_err} prefix
     * ({@link #ERRQUEUE_ENTRY_SIZE} bytes) to {@code entriesAddress}. An entry without a readable
     * {@code sock_extended_err} is written as zeros (origin {@code SO_EE_ORIGIN_NONE}). Never throws: the count
     * of dequeued entries is always returned, and the errno that stopped the loop (0 for EAGAIN or
     * {@code maxEntries}) is written as an int32 to {@code statusAddress}. Syscalls made:
     * {@code n + (n < maxEntries ? 1 : 0)}.
     *
     * @return number of entries written
     */
    static native int drainErrorQueue(int fd, long entriesAddress, int maxEntries, long statusAddress);

    /**
     * Probes whether the kernel accepts an in-band placeholder on a zero-copy sendmsg: a connected UDP pair on
     * loopback, SO_ZEROCOPY, one 1-byte send whose {@code msg_control} is the {@code controlLength} bytes at
     * {@code controlAddress} (writable direct memory: the kernel may copy back into it). The caller writes the
     * placeholder ({@link CompletionReader#writePlaceholder(long, int)}), so the in-band layout stays in Java.
     *
     * @return 0 if accepted, else a positive errno (EINVAL: unsupported), or -1 if the probe itself could not
     *         be set up
     */
    static native int probeInbandNotification(long controlAddress, int controlLength);

    /** {@code dup(fd)}, close-on-exec. */
    static native int dup(int fd) throws IOException;

    /** {@code close(fd)}. */
    static native void close(int fd) throws IOException;

    /** {@code shutdown(fd, SHUT_WR)}; ENOTCONN ignored. */
    static native void shutdownWrite(int fd) throws IOException;

    /**
     * {@code connect(fd, AF_UNSPEC)}: on TCP, {@code tcp_disconnect}: an RST if the state needs one, the send
     * queue purged, and the socket left open, so the completions of the purged data can still be read.
     */
    static native void disconnect(int fd) throws IOException;

    /** {@code poll(fd, 0 ms)} reports POLLERR. Does not clear a pending socket error (SO_ERROR would). */
    static native boolean isErrorPending(int fd) throws IOException;
}
