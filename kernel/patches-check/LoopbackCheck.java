// Copyright 2026 The netty-transport-zc Project
// SPDX-License-Identifier: Apache-2.0
// Tiny JVM sanity check for the test VM: a loopback TCP echo over IPv4 and IPv6.
//   kernel/vm run -- java kernel/patches-check/LoopbackCheck.java
package dev.nettyzc.vmcheck;

import java.io.*;
import java.net.*;

public class LoopbackCheck {
    public static void main(String[] args) throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1"}) {
            try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getByName(host))) {
                Thread t = new Thread(() -> {
                    try (Socket c = ss.accept()) {
                        c.getInputStream().transferTo(c.getOutputStream());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                t.start();
                byte[] msg = new byte[256 * 1024];
                for (int i = 0; i < msg.length; i++) msg[i] = (byte) i;
                try (Socket s = new Socket(ss.getInetAddress(), ss.getLocalPort())) {
                    OutputStream out = s.getOutputStream();
                    Thread w = new Thread(() -> {
                        try { out.write(msg); s.shutdownOutput(); } catch (IOException e) { throw new UncheckedIOException(e); }
                    });
                    w.start();
                    byte[] back = s.getInputStream().readAllBytes();
                    w.join();
                    if (!java.util.Arrays.equals(msg, back))
                        throw new AssertionError("echo mismatch on " + host);
                }
                t.join();
                System.out.println("loopback " + host + ": ok (" + msg.length + " bytes echoed)");
            }
        }
    }
}
