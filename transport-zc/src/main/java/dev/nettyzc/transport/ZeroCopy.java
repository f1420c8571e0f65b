/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Socket;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.SystemPropertyUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tells whether the zero-copy transport can be used in this process, in the style of Netty's
 * {@link Epoll}: it needs Linux, Netty's epoll transport ({@link Epoll#isAvailable()}) and our JNI library from
 * the {@code linux-x86_64} classifier jar. Nothing crashes where it is missing; {@link #unavailabilityCause()}
 * says why.
 */
public final class ZeroCopy {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ZeroCopy.class);
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable cause = null;
        if (!"linux".equals(PlatformDependent.normalizedOs())) {
            cause = new UnsupportedOperationException("MSG_ZEROCOPY needs Linux, running on "
                    + PlatformDependent.normalizedOs());
        } else if (!Epoll.isAvailable()) {
            cause = new UnsupportedOperationException("Netty epoll transport unavailable",
                    Epoll.unavailabilityCause());
        } else {
            try {
                Native.loadNativeLibrary();
            } catch (Throwable t) {
                cause = t;
            }
        }
        UNAVAILABILITY_CAUSE = cause;
        if (cause != null) {
            logger.debug("netty-transport-zc unavailable", cause);
        }
    }

    private ZeroCopy() {
    }

    /**
     * The process-wide metrics: totals over every zero-copy channel of this JVM, including closed ones. Reading
     * them never loads the native library.
     */
    public static ZeroCopyMetric metric() {
        return ProcessZeroCopyMetric.INSTANCE;
    }

    /** {@code true} if the zero-copy channels can be used. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Throws an {@link UnsatisfiedLinkError} with the cause if {@link #isAvailable()} is {@code false}. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw (Error) new UnsatisfiedLinkError("failed to load the required native library of netty-transport-zc")
                    .initCause(UNAVAILABILITY_CAUSE);
        }
    }

    /** Why the transport is unavailable, or {@code null} if it is available. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * {@code true} if the running kernel accepts in-band completion notifications ({@code SCM_ZC_NOTIFICATION},
     * type 99, in the layout of this project's kernel series v2: separate capacity and count). Probed once per
     * process, on first use, with a 1-byte zero-copy send on a loopback UDP pair. Kernels without the series,
     * and v1 of it, answer EINVAL: {@code false}. {@code false} if the transport is unavailable.
     */
    public static boolean isInbandNotificationSupported() {
        return InbandProbe.CMSG_TYPE > 0;
    }

    /** The {@code SCM_ZC_NOTIFICATION} cmsg type the kernel accepted (99), or -1. */
    public static int inbandNotificationCmsgType() {
        return InbandProbe.CMSG_TYPE;
    }

    /**
     * {@code true} if the kernel also has {@code SO_ZEROCOPY_DEFER_POLLERR} (patch 6 of the series): in CMSG mode
     * the channels then set it, so that a completion the next {@code sendmsg} collects does not wake the event
     * loop for {@code EPOLLERR}; the completions of the last sends still raise it. Probed once per process with
     * {@code setsockopt} on a UDP socket. {@code -Ddev.nettyzc.transport.deferPollerr=false} makes it
     * {@code false} (to measure what the flag saves, side by side).
     */
    public static boolean isDeferPollerrSupported() {
        return InbandProbe.DEFER_POLLERR;
    }

    static final String DEFER_POLLERR_PROPERTY = "dev.nettyzc.transport.deferPollerr";

    static final class InbandProbe {
        static final int CMSG_TYPE;
        static final boolean DEFER_POLLERR;
        static final String DESCRIPTION;

        static {
            int type = -1;
            boolean defer = false;
            String description;
            if (!isAvailable()) {
                description = "transport unavailable: " + UNAVAILABILITY_CAUSE;
            } else {
                int r = probeInband(Native.SCM_ZC_NOTIFICATION);
                if (r == 0) {
                    type = Native.SCM_ZC_NOTIFICATION;
                    defer = SystemPropertyUtil.getBoolean(DEFER_POLLERR_PROPERTY, true) && probeDeferPollerr();
                    description = "kernel accepts SCM_ZC_NOTIFICATION (type 99, series v2), SO_ZEROCOPY_DEFER_POLLERR "
                            + (defer ? "used" : SystemPropertyUtil.getBoolean(DEFER_POLLERR_PROPERTY, true)
                            ? "not supported" : "off (" + DEFER_POLLERR_PROPERTY + "=false)");
                } else {
                    description = "kernel does not accept SCM_ZC_NOTIFICATION (type 99, series v2 layout: "
                            + errnoName(r) + ')';
                }
            }
            CMSG_TYPE = type;
            DEFER_POLLERR = defer;
            DESCRIPTION = description;
            logger.debug("in-band zero-copy notification probe: {}", description);
        }

        private static boolean probeDeferPollerr() {
            Socket probe = Socket.newSocketDgram();
            try {
                Native.setSoZeroCopy(probe.intValue(), Native.SO_ZEROCOPY_ON | Native.SO_ZEROCOPY_DEFER_POLLERR);
                return true;
            } catch (IOException e) {
                return false; // EINVAL: a kernel without patch 6
            } finally {
                try {
                    probe.close();
                } catch (IOException ignore) {
                    // nothing was sent on it
                }
            }
        }

        private static String errnoName(int r) {
            if (r == Native.EINVAL) {
                return "EINVAL";
            }
            return r < 0 ? "probe setup failed" : "errno " + r;
        }

        private InbandProbe() {
        }
    }

    /**
     * One probe send with the placeholder {@link CompletionReader} writes for {@code cmsgType}: 0 if the kernel
     * accepts it, else a positive errno (EINVAL: unsupported), or -1 if the probe could not be set up.
     */
    static int probeInband(int cmsgType) {
        ByteBuffer control = Buffer.allocateDirectWithNativeOrder(CompletionReader.CONTROL_CAPACITY);
        try {
            long address = Buffer.memoryAddress(control);
            return Native.probeInbandNotification(address, CompletionReader.writePlaceholder(address, cmsgType));
        } finally {
            Buffer.free(control);
        }
    }

    /** Human-readable result of the in-band probe, for logs and error messages. */
    static String inbandProbeDescription() {
        return InbandProbe.DESCRIPTION;
    }
}
