/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import io.netty.bootstrap.Bootstrap;

import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.WriteBeforeRegisteredTest;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link WriteBeforeRegisteredTest} on the zero-copy channels (see {@link ZcSocketTestPermutation}). */
public class ZcWriteBeforeRegisteredTest extends WriteBeforeRegisteredTest {

    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.clientSocket();
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("WriteBeforeRegisteredTest", false);
    }
}
