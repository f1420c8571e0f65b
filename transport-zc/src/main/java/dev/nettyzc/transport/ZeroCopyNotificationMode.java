/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

/**
 * How a {@link ZeroCopyEpollSocketChannel} collects MSG_ZEROCOPY completion notifications.
 * Set with {@link ZeroCopyChannelOption#ZEROCOPY_NOTIFICATION_MODE}.
 */
public enum ZeroCopyNotificationMode {
    /**
     * {@link #CMSG} when the running kernel accepts {@code SCM_ZC_NOTIFICATION}
     * ({@link ZeroCopy#isInbandNotificationSupported()}), otherwise {@link #ERRQUEUE}. The default.
     */
    AUTO,
    /**
     * In-band: every zero-copy {@code sendmsg} carries an {@code SCM_ZC_NOTIFICATION} placeholder and the kernel
     * returns completion ranges in the control buffer; the error queue is read only for trailing sends.
     * Setting this on a kernel without support fails at configuration time.
     */
    CMSG,
    /** Completions are always read from the socket error queue ({@code recvmsg(MSG_ERRQUEUE)}). */
    ERRQUEUE
}
