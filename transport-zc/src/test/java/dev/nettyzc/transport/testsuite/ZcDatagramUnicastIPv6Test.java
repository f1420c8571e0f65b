/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6Test;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link DatagramUnicastIPv6Test} on {@code ZeroCopyEpollDatagramChannel} (see {@link ZcSocketTestPermutation}). */
public class ZcDatagramUnicastIPv6Test extends DatagramUnicastIPv6Test {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.datagram(socketProtocolFamily());
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("DatagramUnicastIPv6Test", true);
    }
}
