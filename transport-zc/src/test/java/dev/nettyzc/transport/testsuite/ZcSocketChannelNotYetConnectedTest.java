/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;

import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketChannelNotYetConnectedTest;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link SocketChannelNotYetConnectedTest} on the zero-copy channels (see {@link ZcSocketTestPermutation}). */
public class ZcSocketChannelNotYetConnectedTest extends SocketChannelNotYetConnectedTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.clientSocket();
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("SocketChannelNotYetConnectedTest", false);
    }
}
