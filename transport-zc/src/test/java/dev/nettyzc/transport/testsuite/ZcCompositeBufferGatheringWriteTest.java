/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport.testsuite;

import dev.nettyzc.transport.ZcTestAccess;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelConfig;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.CompositeBufferGatheringWriteTest;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** Netty's {@link CompositeBufferGatheringWriteTest} on the zero-copy channels (see {@link ZcSocketTestPermutation}). */
public class ZcCompositeBufferGatheringWriteTest extends CompositeBufferGatheringWriteTest {

    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return ZcSocketTestPermutation.INSTANCE.socket();
    }

    @Override
    protected void compositeBufferPartialWriteDoesNotCorruptDataInitServerConfig(ChannelConfig config, int soSndBuf) {
        // As Netty's EpollCompositeBufferGatheringWriteTest (setMaxBytesPerGatheringWrite is protected there).
        ZcTestAccess.setMaxBytesPerGatheringWrite(config, soSndBuf);
    }

    @AfterAll
    static void zeroCopyExercised() throws InterruptedException {
        ZcSocketTestPermutation.assertExercised("CompositeBufferGatheringWriteTest");
    }
}
