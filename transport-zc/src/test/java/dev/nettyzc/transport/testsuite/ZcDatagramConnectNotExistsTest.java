/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramConnectNotExistsTest;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link DatagramConnectNotExistsTest} on {@code ZeroCopyEpollDatagramChannel} (see {@link ZcSocketTestPermutation}). */
public class ZcDatagramConnectNotExistsTest extends DatagramConnectNotExistsTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.datagramSocket();
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("DatagramConnectNotExistsTest", false);
    }
}
