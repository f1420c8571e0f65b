/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramUnicastInetTest;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link DatagramUnicastInetTest} on {@code ZeroCopyEpollDatagramChannel} (see {@link ZcSocketTestPermutation}). */
public class ZcDatagramUnicastInetTest extends DatagramUnicastInetTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.datagram(socketProtocolFamily());
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("DatagramUnicastInetTest", true);
    }
}
