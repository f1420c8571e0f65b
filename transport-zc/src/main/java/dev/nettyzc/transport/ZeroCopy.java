/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Buffer;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

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
     * {@code true} if the running kernel accepts in-band completion notifications ({@code SCM_ZC_NOTIFICATION}:
     * type 99 of this project's kernel patch, or 78 of the published v8 series). Probed once per process, on
     * first use, with a 1-byte zero-copy send on a loopback UDP pair. {@code false} if the transport is
     * unavailable.
     */
    public static boolean isInbandNotificationSupported() {
        return InbandProbe.CMSG_TYPE > 0;
    }

    /** The {@code SCM_ZC_NOTIFICATION} cmsg type the kernel accepted (99 or 78), or -1. */
    public static int inbandNotificationCmsgType() {
        return InbandProbe.CMSG_TYPE;
    }

    static final class InbandProbe {
        static final int CMSG_TYPE;
        static final String DESCRIPTION;

        static {
            int type = -1;
            String description;
            if (!isAvailable()) {
                description = "transport unavailable: " + UNAVAILABILITY_CAUSE;
            } else {
                int r99 = probeInband(Native.SCM_ZC_NOTIFICATION);
                if (r99 == 0) {
                    type = Native.SCM_ZC_NOTIFICATION;
                    description = "kernel accepts SCM_ZC_NOTIFICATION (type 99)";
                } else {
                    int r78 = probeInband(Native.SCM_ZC_NOTIFICATION_V8);
                    if (r78 == 0) {
                        type = Native.SCM_ZC_NOTIFICATION_V8;
                        description = "kernel accepts SCM_ZC_NOTIFICATION (type 78, v8 series)";
                    } else {
                        description = "kernel does not accept SCM_ZC_NOTIFICATION (type 99: "
                                + errnoName(r99) + ", type 78: " + errnoName(r78) + ')';
                    }
                }
            }
            CMSG_TYPE = type;
            DESCRIPTION = description;
            logger.debug("in-band zero-copy notification probe: {}", description);
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
