/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramMulticastIPv6Test;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link DatagramMulticastIPv6Test} on {@code ZeroCopyEpollDatagramChannel} (see {@link ZcSocketTestPermutation}). */
public class ZcDatagramMulticastIPv6Test extends DatagramMulticastIPv6Test {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.datagram(socketProtocolFamily());
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("DatagramMulticastIPv6Test", false);
    }
}
