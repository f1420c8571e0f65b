/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package io.netty.channel.epoll;

import io.netty.channel.ChannelPromise;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;

import java.io.IOException;

/**
 * The base of {@code dev.nettyzc.transport.ZeroCopyEpollDatagramChannel}, in Netty's package because Netty 4.2
 * leaves no other way to build an epoll datagram channel: {@code EpollDatagramChannel} is final, and
 * {@code AbstractEpollChannel} (its constructor, {@code EpollIoOps}, the unsafe's package-private
 * {@code epollInReady()}, {@code clearFlag}, {@code submitCurrentOps}, {@code resetCachedAddresses}) is
 * package-private. It only makes those reachable: the read loop, the write path and every policy live in the
 * channel. (Works on the class path; Netty's jars carry a module-info, so the module path refuses the split
 * package.)
 */
public abstract class ZeroCopyEpollDatagramBridge extends AbstractEpollChannel {

    protected ZeroCopyEpollDatagramBridge(LinuxSocket socket, boolean active) {
        super(null, socket, active, EpollIoOps.EPOLLERR);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        super.doRegister(promise);
        // As EpollDatagramChannel: connection-less, so the current ops are submitted once registered.
        promise.addListener(f -> {
            if (f.isSuccess() && isRegistered()) {
                submitCurrentOps();
            }
        });
    }

    /** Package-private {@code resetCachedAddresses()} (after a disconnect). */
    protected final void resetAddresses() {
        resetCachedAddresses();
    }

    /** Package-private {@code clearFlag(EPOLLOUT)}. */
    protected final void clearEpollOut() throws IOException {
        clearFlag(Native.EPOLLOUT);
    }

    /** The unsafe: EPOLLERR goes through {@link ZeroCopyEpollErrFilter}, EPOLLIN to {@link #readReady()}. */
    protected abstract class DatagramUnsafe extends AbstractEpollUnsafe implements ZeroCopyEpollErrFilter.Consumer {

        @Override
        public final void handle(IoRegistration registration, IoEvent event) {
            IoEvent rest = ZeroCopyEpollErrFilter.filter(event, this);
            if (rest != null) {
                super.handle(registration, rest);
            }
        }

        @Override
        final void epollInReady() {
            readReady();
        }

        /** EPOLLIN (or an EPOLLERR the channel did not consume): read. */
        protected abstract void readReady();

        /** Netty's allocator handle for the read loop. */
        protected final RecvByteBufAllocator.ExtendedHandle readHandle() {
            return recvBufAllocHandle();
        }

        /** Package-private {@code readPending = false}: a read happened. */
        protected final void readCompleted() {
            readPending = false;
        }

        /** After a read loop: stop reading if nobody asked for more (autoRead off). */
        protected final void stopReadingIfNotRequested() {
            if (shouldStopReading(config())) {
                clearEpollIn();
            }
        }

        /** Package-private {@code epollOutReady()}: flush now even while waiting for EPOLLOUT. */
        protected final void forceFlush() {
            epollOutReady();
        }
    }
}
