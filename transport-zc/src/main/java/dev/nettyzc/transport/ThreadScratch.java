/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.IovArray;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.ByteBuffer;

/**
 * Direct memory for the syscalls of the send and completion paths, one block per thread (event loop, or the
 * lingering-close executor), so that no channel holds native memory of its own and nothing is allocated per
 * send or per completion: the {@link IovArray} of the next write, and one block with these regions:
 * <pre>
 *   [0, 64)            struct msghdr of the next sendmsg        (written by {@link ZeroCopyWriter})
 *   [64, 320)          control buffer: placeholder / copy-back  (format owned by {@link CompletionReader})
 *   [320, 328)         status word of the error-queue drain     (written by the native drain)
 *   [328, 328 + 1024)  error-queue entries, 64 x 16 bytes       (written by the native drain)
 *   [1352, 1384)       destination sockaddr of the next datagram sendmsg (written by {@link DatagramWriter})
 * </pre>
 * A region is only valid between a syscall and the parsing right after it, on the same thread, before anything
 * can call back into user code (which may write to another channel of the same thread and reuse the block).
 *
 * <p>Freed when the thread's {@link FastThreadLocal}s are removed (Netty does that when an event loop thread
 * ends).
 */
final class ThreadScratch {
    static final int MSGHDR_OFFSET = 0;
    static final int CONTROL_OFFSET = 64;
    static final int CONTROL_SIZE = 256;
    static final int STATUS_OFFSET = CONTROL_OFFSET + CONTROL_SIZE;
    static final int ENTRIES_OFFSET = STATUS_OFFSET + 8;
    static final int MAX_ENTRIES = 64;
    static final int SOCKADDR_OFFSET = ENTRIES_OFFSET + MAX_ENTRIES * Native.ERRQUEUE_ENTRY_SIZE;
    /** Room for a {@code struct sockaddr_in6} (28 bytes), 8-aligned. */
    static final int SOCKADDR_SIZE = 32;
    static final int SIZE = SOCKADDR_OFFSET + SOCKADDR_SIZE;

    private static final FastThreadLocal<ThreadScratch> SCRATCH = new FastThreadLocal<ThreadScratch>() {
        @Override
        protected ThreadScratch initialValue() {
            return new ThreadScratch();
        }

        @Override
        protected void onRemoval(ThreadScratch value) {
            value.free();
        }
    };

    private ByteBuffer memory;
    private final long address;
    private final IovArray iov = new IovArray();

    private ThreadScratch() {
        memory = Buffer.allocateDirectWithNativeOrder(SIZE);
        address = Buffer.memoryAddress(memory);
    }

    /** The iovec array of the next write (cleared by the user). */
    IovArray iov() {
        return iov;
    }

    /** The calling thread's block. */
    static ThreadScratch get() {
        return SCRATCH.get();
    }

    long msghdr() {
        return address + MSGHDR_OFFSET;
    }

    long control() {
        return address + CONTROL_OFFSET;
    }

    long status() {
        return address + STATUS_OFFSET;
    }

    long entries() {
        return address + ENTRIES_OFFSET;
    }

    long sockaddr() {
        return address + SOCKADDR_OFFSET;
    }

    private void free() {
        ByteBuffer m = memory;
        if (m != null) {
            memory = null;
            Buffer.free(m);
            iov.release();
        }
    }
}
