/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Controls the LD_PRELOAD fault-injection shim ({@code src/test/c/zc_fault_shim.c}) from a test: arm a mode, see
 * whether it fired. The shim must be loaded: a test that needs it fails (it does not skip) without it.
 */
final class FaultShim {
    private static final AtomicLong GENERATION = new AtomicLong(System.nanoTime());

    private FaultShim() {
    }

    private static Path control() {
        return Path.of(System.getenv("ZC_FAULT_CONTROL"));
    }

    /**
     * Fails unless the shim is mapped into this JVM. Outside the JVMs that preload it (the surefire execution
     * "fault-injection" and run-in-vm, which set {@code -Dzc.fault.expected=true}) the test is aborted with a
     * loud message instead, since there it cannot run (e.g. {@code -Dtest=...} also selects it for the default
     * execution).
     */
    static void requireLoaded() throws IOException {
        if (System.getenv("ZC_FAULT_CONTROL") == null) {
            String why = "FAULT-INJECTION TEST NOT RUN in this JVM: the shim is not preloaded; it runs in the surefire "
                    + "execution 'fault-injection' (mvn verify) and in transport-zc/src/test/vm/run-in-vm";
            if (Boolean.getBoolean("zc.fault.expected")) {
                fail(why);
            }
            System.err.println("*** " + why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        if (Files.readAllLines(Path.of("/proc/self/maps")).stream().noneMatch(l -> l.contains("libzc_fault_shim"))) {
            fail("the fault-injection shim is not loaded (LD_PRELOAD=" + System.getenv("LD_PRELOAD") + ")");
        }
    }

    /** Arms {@code mode}; returns its generation (a one-shot fault fires once per generation). */
    static long arm(String mode) throws IOException {
        long generation = GENERATION.incrementAndGet();
        Files.writeString(control(), mode + " " + generation);
        return generation;
    }

    static void off() throws IOException {
        if (System.getenv("ZC_FAULT_CONTROL") != null) {
            Files.writeString(control(), "off 0");
        }
    }

    /** The one-shot fault of {@code generation} fired. */
    static boolean fired(long generation) {
        try {
            Path f = Path.of(control() + ".fired");
            return Files.exists(f) && Files.readString(f).trim().equals(Long.toString(generation));
        } catch (IOException e) {
            return false;
        }
    }
}
