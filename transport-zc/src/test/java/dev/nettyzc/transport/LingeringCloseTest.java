/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link LingeringClose} state machine on its own: a fake socket whose outstanding sends the test scripts, a
 * fake clock and fake executors, so every transition is checked deterministically (the same machine is exercised
 * on real sockets by {@code ZeroCopyCloseTest}).
 */
class LingeringCloseTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long TIMEOUT = 1000 * MS;
    private static final long GRACE = 5000 * MS;

    private long now;
    private final List<String> calls = new ArrayList<>();
    private final ArrayDeque<Integer> outstanding = new ArrayDeque<>();
    private IOException collectFailure;
    private final FakeScheduler loop = new FakeScheduler("loop");
    private final FakeScheduler fallback = new FakeScheduler("fallback");
    private final List<Runnable> blocking = new ArrayList<>();
    private final Promise<Void> released = ImmediateEventExecutor.INSTANCE.newPromise();

    private final class FakeScheduler implements LingeringClose.Scheduler {
        final String name;
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        final List<Long> delays = new ArrayList<>();
        final List<Runnable> hooks = new ArrayList<>();
        boolean shuttingDown;

        FakeScheduler(String name) {
            this.name = name;
        }

        @Override
        public boolean schedule(Runnable task, long delayNanos) {
            if (shuttingDown) {
                return false;
            }
            tasks.add(task);
            delays.add(delayNanos);
            return true;
        }

        @Override
        public void whenTerminated(Runnable hook) {
            hooks.add(hook);
        }

        @Override
        public void cancelWhenTerminated(Runnable hook) {
            hooks.remove(hook);
        }

        /** Runs the next task after its delay; false if none. */
        boolean runNext() {
            Runnable t = tasks.poll();
            if (t == null) {
                return false;
            }
            now += delays.get(delays.size() - tasks.size() - 1);
            calls.add("tick@" + name);
            t.run();
            return true;
        }

        /** Shuts down: pending tasks are cancelled, as Netty does, then the termination hooks run. */
        void terminate() {
            shuttingDown = true;
            tasks.clear();
            new ArrayList<>(hooks).forEach(Runnable::run);
            hooks.clear();
        }
    }

    private final LingeringClose.Target target = new LingeringClose.Target() {
        @Override
        public int collect() throws IOException {
            if (collectFailure != null) {
                throw collectFailure;
            }
            return outstanding.size() > 1 ? outstanding.poll() : outstanding.peek();
        }

        @Override
        public void shutdownOutput() {
            calls.add("shutdownOutput");
        }

        @Override
        public void abort() {
            calls.add("abort");
        }

        @Override
        public void close() {
            calls.add("close");
        }

        @Override
        public void abandon() {
            calls.add("abandon");
        }
    };

    private LingeringClose machine(int soLinger, Integer... script) {
        outstanding.addAll(Arrays.asList(script));
        return new LingeringClose(target, "ch", soLinger, TIMEOUT, GRACE, () -> now, loop, fallback, blocking::add,
                released);
    }

    private void runLoop() {
        while (loop.runNext()) {
            // keep ticking
        }
    }

    private long count(String call) {
        return calls.stream().filter(c -> c.startsWith(call)).count();
    }

    @Test
    void collectsUntilEverythingCompletedThenCloses() {
        LingeringClose m = machine(-1, 3, 2, 2, 0);
        m.begin();
        assertEquals(LingeringClose.State.COLLECTING, m.state());
        m.start(true);
        assertFalse(released.isDone());
        runLoop();
        assertEquals(LingeringClose.State.DONE, m.state());
        assertEquals(List.of("shutdownOutput", "tick@loop", "tick@loop", "tick@loop", "close"), calls);
        assertTrue(released.isSuccess());
        assertEquals(0, count("abort"));
        assertTrue(loop.hooks.isEmpty(), "the termination hook is removed when done");
    }

    @Test
    void backsOffFromOneToFiftyMilliseconds() {
        LingeringClose m = machine(-1, 1);
        m.begin();
        m.start(true);
        for (int i = 0; i < 8; i++) {
            loop.runNext();
        }
        assertEquals(List.of(1 * MS, 2 * MS, 4 * MS, 8 * MS, 16 * MS, 32 * MS, 50 * MS, 50 * MS, 50 * MS),
                loop.delays);
    }

    @Test
    void timeoutResetsButKeepsCollectingUntilTheCompletionsArrive() {
        LingeringClose m = machine(-1, 5);
        m.begin();
        m.start(true);
        while (count("abort") == 0) {
            assertTrue(loop.runNext());
        }
        assertTrue(now >= TIMEOUT && now < TIMEOUT + 60 * MS, "reset at the timeout: " + now);
        assertEquals(LingeringClose.State.ABORTED, m.state());
        assertFalse(released.isDone(), "nothing is released at the reset");
        outstanding.clear();
        outstanding.add(0); // the purged data's completions arrive
        runLoop();
        assertEquals(LingeringClose.State.DONE, m.state());
        assertEquals(0, count("abandon"));
        assertEquals(1, count("close"));
        assertTrue(released.isSuccess());
    }

    @Test
    void givesUpAfterTheGraceKeepingTheBuffers() {
        LingeringClose m = machine(-1, 5);
        m.begin();
        m.start(true);
        runLoop();
        assertEquals(LingeringClose.State.ABANDONED, m.state());
        assertTrue(now >= TIMEOUT + GRACE && now < TIMEOUT + GRACE + 120 * MS, "gave up after the grace: " + now);
        assertEquals(1, count("abort"));
        assertEquals(1, count("abandon"));
        assertEquals(1, count("close"));
        assertTrue(released.isDone());
        assertFalse(released.isSuccess());
        assertTrue(released.cause().getMessage().contains("5 zero-copy sends still had no completion"),
                released.cause().getMessage());
    }

    @Test
    void soLingerZeroResetsAtOnce() {
        LingeringClose m = machine(0, 2, 0);
        m.begin();
        assertEquals(LingeringClose.State.ABORTED, m.state());
        assertEquals(List.of("abort"), calls);
        m.start(true);
        runLoop();
        assertEquals(LingeringClose.State.DONE, m.state());
        assertEquals(0, count("shutdownOutput"));
        assertTrue(blocking.isEmpty(), "after a reset nothing is queued: the close cannot block");
        assertEquals(1, count("close"));
    }

    @Test
    void soLingerAboveZeroClosesOnTheBlockingExecutor() {
        LingeringClose m = machine(5, 2, 0);
        m.begin();
        m.start(true);
        runLoop();
        assertEquals(LingeringClose.State.DONE, m.state());
        assertEquals(0, count("close"), "the blocking close must not run on the loop");
        assertEquals(1, blocking.size());
        assertTrue(released.isSuccess());
        blocking.get(0).run();
        assertEquals(1, count("close"));
    }

    @Test
    void movesToTheFallbackWhenTheLoopShutsDown() {
        LingeringClose m = machine(-1, 3, 3, 0);
        m.begin();
        loop.shuttingDown = true;
        m.start(false);
        assertTrue(loop.tasks.isEmpty());
        assertTrue(fallback.runNext());
        while (fallback.runNext()) {
            assertTrue(loop.tasks.isEmpty(), "once on the fallback, it stays there");
        }
        assertEquals(LingeringClose.State.DONE, m.state());
        assertTrue(released.isSuccess());
    }

    @Test
    void continuesOnTheFallbackWhenTheLoopTerminatesWithATickPending() {
        LingeringClose m = machine(-1, 3, 3, 3, 0);
        m.begin();
        m.start(true);
        assertEquals(1, loop.tasks.size());
        loop.terminate(); // Netty cancels the pending tick
        assertEquals(1, fallback.tasks.size());
        while (fallback.runNext()) {
            // keep ticking
        }
        assertEquals(LingeringClose.State.DONE, m.state());
        assertEquals(1, count("close"));
    }

    @Test
    void unreadableCompletionsAreAbandonedNotReleased() {
        LingeringClose m = machine(-1, 3);
        collectFailure = new IOException("recvmsg(..) failed: Bad file descriptor");
        m.begin();
        m.start(true);
        assertEquals(LingeringClose.State.ABANDONED, m.state());
        assertEquals(1, count("abandon"));
        assertFalse(released.isSuccess());
        assertTrue(released.cause().getMessage().contains("Bad file descriptor"));
        assertNull(loop.tasks.peek());
    }

    @Test
    void aTickAfterTheEndDoesNothing() {
        LingeringClose m = machine(-1, 0);
        m.begin();
        m.start(true);
        assertEquals(LingeringClose.State.DONE, m.state());
        calls.clear();
        m.run();
        assertTrue(calls.isEmpty());
        assertSame(LingeringClose.State.DONE, m.state());
    }
}
