/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link SocketDataReadInitialStateTest} on the zero-copy channels (see {@link ZcSocketTestPermutation}). */
public class ZcSocketDataReadInitialStateTest extends SocketDataReadInitialStateTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.socket();
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("SocketDataReadInitialStateTest", false);
    }
}
