/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelException;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What happens to a socket that is closed while zero-copy sends are outstanding: the kernel may still read their
 * pages (the data is queued until acknowledged, and clones may sit in a qdisc, a driver ring or, on loopback, a
 * receiver's queue), so the buffers may only go back when their completions say so. The channel keeps the
 * socket alive through a {@code dup} of its fd (the {@link Target}), lets Netty close its own fd, and this state
 * machine collects the rest:
 * <pre>
 *   start:       SO_LINGER 0 ? abort (RST) -&gt; ABORTED : shutdown(SHUT_WR) (FIN after the queued data) -&gt; COLLECTING
 *   COLLECTING:  collect every 1 ms .. 50 ms (backing off); all completed -&gt; DONE;
 *                closeTimeout passed -&gt; abort -&gt; ABORTED
 *   ABORTED:     connect(AF_UNSPEC) sent an RST and purged the send queue, the socket stays open, so the
 *                completions of the purged data still arrive: collect; all completed -&gt; DONE;
 *                abortGrace passed -&gt; ABANDONED
 *   DONE:        close the dup (on a blocking-capable executor if SO_LINGER &gt; 0, as Netty does); the release
 *                future succeeds
 *   ABANDONED:   the remaining buffers are kept forever (never released: the kernel may still read them),
 *                the dup is closed, one WARN; the release future fails
 * </pre>
 * Ticks run on the channel's event loop while it accepts tasks. When it shuts down (or terminates with a tick
 * pending, which Netty cancels), the machine moves to a shared daemon thread and carries on there, so that data
 * the kernel accepted is still delivered and buffers are still released only by their completions. The
 * machine is the sole owner of the channel's completion state from its start, so moving it between threads
 * needs nothing but the executor hand-off.
 */
final class LingeringClose implements Runnable {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(LingeringClose.class);

    static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** The socket being closed, seen through its duplicated fd. */
    interface Target {
        /** Applies the completions that arrived; returns the number of sends still outstanding. */
        int collect() throws IOException;

        /** {@code shutdown(SHUT_WR)}: the peer gets FIN after the queued data. */
        void shutdownOutput() throws IOException;

        /** RST and purge of the send queue, keeping the socket open ({@code connect(AF_UNSPEC)}). */
        void abort() throws IOException;

        /** Closes the duplicated fd; may block when SO_LINGER &gt; 0 and data is still queued. */
        void close() throws IOException;

        /** The remaining completions will not come: keep every buffer still pinned, forever. */
        void abandon();
    }

    /** Where ticks run. */
    interface Scheduler {
        /** Runs {@code task} after {@code delayNanos}; {@code false} if it will not (shutting down). */
        boolean schedule(Runnable task, long delayNanos);

        /** Calls {@code hook} once this scheduler has terminated: a task it accepted may then never run. */
        void whenTerminated(Runnable hook);

        /** Undoes {@link #whenTerminated}. */
        void cancelWhenTerminated(Runnable hook);
    }

    enum State { COLLECTING, ABORTED, DONE, ABANDONED }

    private final Target target;
    private final String name;
    private final int soLinger;
    private final long closeTimeoutNanos;
    private final long abortGraceNanos;
    private final LongSupplier nanoTime;
    private final Scheduler loop;
    private final Scheduler fallback;
    private final Executor blocking;
    private final Promise<Void> released;
    private final Runnable terminationHook = this::loopTerminated;

    private volatile State state;
    private volatile boolean onFallback;
    private long deadline;
    private long delayNanos = FIRST_DELAY_NANOS;

    /**
     * @param soLinger          the socket's SO_LINGER at close: -1 off, 0 abort at once, &gt; 0 seconds a close may block
     * @param closeTimeoutNanos how long to wait for completions before aborting
     * @param abortGraceNanos   how long to wait after the abort before giving up
     * @param loop              the channel's event loop
     * @param fallback          where to continue when the loop no longer runs tasks
     * @param blocking          where a close that may block (SO_LINGER &gt; 0) runs
     * @param released          succeeds when every buffer was released by its completion, fails when abandoned
     */
    LingeringClose(Target target, String name, int soLinger, long closeTimeoutNanos, long abortGraceNanos,
                   LongSupplier nanoTime, Scheduler loop, Scheduler fallback, Executor blocking,
                   Promise<Void> released) {
        this.target = target;
        this.name = name;
        this.soLinger = soLinger;
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.abortGraceNanos = abortGraceNanos;
        this.nanoTime = nanoTime;
        this.loop = loop;
        this.fallback = fallback;
        this.blocking = blocking;
        this.released = released;
    }

    /**
     * The first step, before the channel's own fd is closed: RST for SO_LINGER 0, otherwise FIN after the
     * queued data.
     */
    void begin() {
        if (soLinger == 0) {
            abort();
            deadline = nanoTime.getAsLong() + abortGraceNanos;
        } else {
            state = State.COLLECTING;
            try {
                target.shutdownOutput();
            } catch (IOException e) {
                logger.debug("{}: shutdown(SHUT_WR) of the lingering socket failed", name, e);
            }
            deadline = nanoTime.getAsLong() + closeTimeoutNanos;
        }
    }

    /**
     * Starts collecting: a first tick now if {@code onLoop} (the caller runs on the event loop, which still
     * accepts tasks), else on the loop or the fallback.
     */
    void start(boolean onLoop) {
        loop.whenTerminated(terminationHook);
        if (onLoop) {
            run();
        } else {
            reschedule(0);
        }
    }

    State state() {
        return state;
    }

    /** One tick: collect, then finish, abort, give up or schedule the next tick. */
    @Override
    public void run() {
        State s = state;
        if (s == State.DONE || s == State.ABANDONED) {
            return;
        }
        int outstanding;
        try {
            outstanding = target.collect();
        } catch (IOException e) {
            abandon("its completions cannot be read any more (" + e + ")");
            return;
        }
        if (outstanding == 0) {
            done();
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - deadline >= 0) {
            if (s == State.COLLECTING) {
                logger.debug("{}: {} zero-copy sends still outstanding {} ms after close; resetting the connection",
                        name, outstanding, TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos));
                abort();
                deadline = now + abortGraceNanos;
                delayNanos = FIRST_DELAY_NANOS;
            } else {
                abandon(outstanding + " zero-copy sends still had no completion "
                        + TimeUnit.NANOSECONDS.toMillis(abortGraceNanos) + " ms after the connection was reset");
                return;
            }
        }
        long d = delayNanos;
        delayNanos = Math.min(d << 1, MAX_DELAY_NANOS);
        reschedule(d);
    }

    private void reschedule(long d) {
        if (!onFallback && loop.schedule(this, d)) {
            return;
        }
        moveToFallback(d);
    }

    private void moveToFallback(long d) {
        onFallback = true;
        if (!fallback.schedule(this, d)) {
            abandon("no executor is left to collect its completions");
        }
    }

    /** The loop terminated; a tick it had accepted was cancelled, so continue on the fallback. */
    private void loopTerminated() {
        State s = state;
        if (!onFallback && s != State.DONE && s != State.ABANDONED) {
            moveToFallback(0);
        }
    }

    private void abort() {
        state = State.ABORTED;
        try {
            target.abort();
        } catch (IOException e) {
            logger.debug("{}: connect(AF_UNSPEC) to reset the lingering socket failed", name, e);
        }
    }

    private void done() {
        boolean mayBlock = soLinger > 0 && state == State.COLLECTING;
        state = State.DONE;
        loop.cancelWhenTerminated(terminationHook);
        if (mayBlock) {
            // close() waits up to SO_LINGER seconds for data sent after the last zero-copy send: never on the loop.
            try {
                blocking.execute(this::closeTarget);
            } catch (RejectedExecutionException e) {
                closeTarget();
            }
        } else {
            closeTarget();
        }
        released.trySuccess(null);
    }

    private void abandon(String why) {
        state = State.ABANDONED;
        loop.cancelWhenTerminated(terminationHook);
        target.abandon();
        logger.warn("{}: closed with zero-copy sends outstanding, and {}. Their buffers are kept and never "
                + "released, because the kernel may still read them.", name, why);
        closeTarget();
        released.tryFailure(new ChannelException(name + ": zero-copy buffers abandoned after close: " + why));
    }

    private void closeTarget() {
        try {
            target.close();
        } catch (IOException e) {
            logger.debug("{}: close of the lingering socket failed", name, e);
        }
    }

    // ==========================================================================================================

    private static final java.util.Queue<io.netty.buffer.ByteBuf> QUARANTINE =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Keeps a pinned buffer whose completion will never come, forever: it is never released, because the kernel
     * may still read its memory. Strongly referenced, so it is not reported as a leak either.
     */
    static void quarantine(io.netty.buffer.ByteBuf buf) {
        QUARANTINE.add(buf);
    }

    /** Buffers quarantined in this process so far. */
    static int quarantinedBuffers() {
        return QUARANTINE.size();
    }

    /** {@code true} if {@code buf} is kept in the quarantine (tests). */
    static boolean isQuarantined(io.netty.buffer.ByteBuf buf) {
        return QUARANTINE.contains(buf);
    }

    /** The channel's event loop as a {@link Scheduler}. */
    static Scheduler scheduler(EventExecutor executor) {
        return new ExecutorScheduler(executor);
    }

    /** The shared daemon thread that takes over lingering closes whose event loop shut down. */
    static Scheduler fallback() {
        return Fallback.SCHEDULER;
    }

    private static final class Fallback {
        static final Scheduler SCHEDULER = new ExecutorScheduler(
                new DefaultEventExecutor(new DefaultThreadFactory("zc-lingering-close", true)));
    }

    private static final class ExecutorScheduler implements Scheduler {
        private final EventExecutor executor;
        private final java.util.Map<Runnable, GenericFutureListener<Future<Object>>> hooks =
                new java.util.concurrent.ConcurrentHashMap<>();

        ExecutorScheduler(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public boolean schedule(Runnable task, long delayNanos) {
            if (executor.isShuttingDown()) {
                return false;
            }
            try {
                if (delayNanos <= 0) {
                    executor.execute(task);
                } else {
                    executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                }
                return true;
            } catch (RejectedExecutionException e) {
                return false;
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public void whenTerminated(Runnable hook) {
            GenericFutureListener<Future<Object>> l = f -> hook.run();
            hooks.put(hook, l);
            ((Future<Object>) executor.terminationFuture()).addListener(l);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void cancelWhenTerminated(Runnable hook) {
            GenericFutureListener<Future<Object>> l = hooks.remove(hook);
            if (l != null) {
                ((Future<Object>) executor.terminationFuture()).removeListener(l);
            }
        }
    }
}
