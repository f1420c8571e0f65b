/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.unix.Socket;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;

/**
 * {@code SO_ZEROCOPY_DEFER_POLLERR} on one socket, following the notification mode (shared by the stream and the
 * datagram writer). In CMSG mode it keeps the completions that the writer's next {@code sendmsg} collects from
 * waking the event loop for {@code EPOLLERR}; the kernel still raises it for the completion of the last
 * outstanding send and when 16 notifications are queued, so nothing is stranded. In ERRQUEUE mode the error queue
 * is the only way completions come back, so the flag is cleared again if the mode changes. One
 * {@code setsockopt} per change of mode, none per write. Event-loop confined.
 */
final class DeferPollerrSwitch {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DeferPollerrSwitch.class);

    private final Socket socket;
    private boolean set;
    private boolean failed;

    DeferPollerrSwitch(Socket socket) {
        this.socket = socket;
    }

    /** Before a send: the flag follows {@code inband} (sends carry the placeholder), where the kernel has it. */
    void follow(boolean inband) {
        if (inband != set && !failed && ZeroCopy.isDeferPollerrSupported()) {
            try {
                Native.setSoZeroCopy(socket.intValue(),
                        inband ? Native.SO_ZEROCOPY_ON | Native.SO_ZEROCOPY_DEFER_POLLERR : Native.SO_ZEROCOPY_ON);
                set = inband;
            } catch (IOException e) {
                // The probe said the kernel has it; without it every completion raises EPOLLERR, which is correct.
                failed = true;
                logger.debug("setsockopt(SO_ZEROCOPY_DEFER_POLLERR={}) failed; completions raise EPOLLERR", inband, e);
            }
        }
    }

    /** Whether the socket has {@code SO_ZEROCOPY_DEFER_POLLERR} set (tests). */
    boolean isSet() {
        return set;
    }
}
