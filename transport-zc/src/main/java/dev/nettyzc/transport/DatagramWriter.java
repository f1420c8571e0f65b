/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.Socket;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The send path of {@link ZeroCopyEpollDatagramChannel}: one {@code sendmsg} per datagram, whole or not at all.
 * Event-loop confined; nothing is allocated per send.
 *
 * <h2>One datagram</h2>
 * The content's memory goes into the thread's {@link IovArray} (a composite buffer gives several iovecs, still one
 * datagram); {@code msg_name} is the recipient (unconnected sends, {@link DestinationAddress}); the control buffer
 * holds, as needed, a {@code UDP_SEGMENT} cmsg (a {@code SegmentedDatagramPacket}: the kernel splits the
 * super-packet into segments of that size, GSO) and the {@code SCM_ZC_NOTIFICATION} placeholder
 * ({@link CompletionReader}). Zero-copy candidates (the {@link ZeroCopyHandler} decides, as for TCP) go with
 * {@code MSG_ZEROCOPY}: after the kernel accepted the datagram, the content is retained and pinned in the
 * {@link CompletionTracker} under the id the send consumed, and only then does the channel remove the message
 * (completing its promise). The memory stays referenced until the completion. Copies carry the placeholder only
 * while zero-copy sends are outstanding (in CMSG mode), so that they bring completions back.
 *
 * <h2>Corked sockets</h2>
 * The channel never sends {@code MSG_MORE}, and Netty has no {@code UDP_CORK} option, but a socket corked from
 * outside ({@code setsockopt(UDP_CORK)}) still works: the kernel ignores the control messages of a send that
 * appends to a corked datagram and leaves the placeholder untouched (kernel series, selftest
 * {@code udp_cork_append}), so its {@code count} stays 0 and nothing is applied, while every zero-copy send still
 * consumes its own id, so pins and ids stay aligned. (A {@code UDP_SEGMENT} cmsg on such an append is ignored too,
 * by the kernel's own rules.)
 *
 * <h2>Errors</h2>
 * EAGAIN: nothing sent, the channel waits for EPOLLOUT. ENOBUFS on a zero-copy send: the same datagram goes out by
 * copy at once and zero-copy is suspended ({@link EnobufsSuspension}); on a copy with the placeholder: once more
 * without it; on a plain copy it is the datagram's error. Any other errno (EMSGSIZE, ECONNREFUSED, EINVAL for a bad
 * segment size, ...) is thrown as {@link Errors.NativeIoException} for that datagram only; the kernel copies
 * nothing back on a failed send, so no completion is lost.
 */
final class DatagramWriter {
    /** {@link #write} result: the kernel accepted the datagram. */
    static final int SENT = 1;
    /** {@link #write} result: the socket buffer is full (EAGAIN), nothing was sent. */
    static final int BLOCKED = 0;

    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    /** CMSG_LEN(sizeof(__u16)) and CMSG_SPACE(sizeof(__u16)) on LP64. */
    private static final int SEGMENT_CMSG_LEN = 18;
    private static final int SEGMENT_CMSG_SPACE = 24;

    private final Socket socket;
    private final CompletionNotifier notifier;
    /** Notification mode, threshold and pinned-bytes bound: read per datagram, they may change at any time. */
    private final ZeroCopyChannelConfigBase<?> config;
    /** The channel's tracker, reader and counters. */
    private final ChannelCompletions completions;
    private final EnobufsSuspension enobufs;
    private final PinnedBytesBound pinnedBound;
    private final DeferPollerrSwitch deferPollerr;
    private final DestinationAddress destination;
    private String failure;

    DatagramWriter(Socket socket, boolean ipv6, CompletionNotifier notifier, ZeroCopyChannelConfigBase<?> config,
                   ChannelCompletions completions) {
        this.socket = socket;
        this.notifier = notifier;
        this.config = config;
        this.completions = completions;
        this.enobufs = new EnobufsSuspension(completions.tracker, completions.counters);
        this.pinnedBound = new PinnedBytesBound(completions.tracker, completions.counters, config::getMaxPinnedBytes);
        this.deferPollerr = new DeferPollerrSwitch(socket);
        this.destination = new DestinationAddress(ipv6);
    }

    /**
     * Sends one datagram.
     *
     * @param recipient   {@code null} on a connected channel without an explicit recipient
     * @param segmentSize the GSO segment size, or 0 for a plain datagram
     * @return {@link #SENT} or {@link #BLOCKED}
     * @throws IOException the kernel refused this datagram (its promise fails; the channel carries on)
     */
    int write(ByteBuf content, InetSocketAddress recipient, int segmentSize) throws IOException {
        // A datagram goes out whole: if it does not fit under the pinned-bytes bound, it goes by copy.
        boolean allowed = !enobufs.isSuspended() && content.readableBytes() <= pinnedBound.budget();
        ZeroCopyHandler p = allowed ? notifier.policyOr(config.thresholdPolicy()) : null;
        boolean zeroCopy = allowed && content.isReadable() && ZeroCopyWrite.isCandidate(p, content);
        ThreadScratch scratch = ThreadScratch.get();
        IovArray array = scratch.iov();
        array.clear();
        array.maxBytes(Long.MAX_VALUE);
        if (content.isReadable() && !array.add(content, content.readerIndex(), content.readableBytes())) {
            throw new IOException("datagram of " + content.nioBufferCount()
                    + " buffer components exceeds IOV_MAX; consolidate the composite buffer");
        }
        long hdr = scratch.msghdr();
        PlatformDependent.putLong(hdr + Native.MSGHDR_IOV, array.memoryAddress(0));
        PlatformDependent.putLong(hdr + Native.MSGHDR_IOVLEN, array.count());
        PlatformDependent.putInt(hdr + Native.MSGHDR_FLAGS, 0);
        if (recipient != null) {
            long name = scratch.sockaddr();
            PlatformDependent.putLong(hdr + Native.MSGHDR_NAME, name);
            PlatformDependent.putInt(hdr + Native.MSGHDR_NAMELEN, destination.write(recipient, name));
        } else {
            PlatformDependent.putLong(hdr + Native.MSGHDR_NAME, 0);
            PlatformDependent.putInt(hdr + Native.MSGHDR_NAMELEN, 0);
        }
        boolean inband = config.isInbandEffective();
        deferPollerr.follow(inband);
        int len = content.readableBytes();
        if (zeroCopy) {
            int res = send(scratch, segmentSize, Native.MSG_ZEROCOPY, inband);
            if (res >= 0) {
                content.retain();
                completions.tracker.pin(content);
                completions.tracker.commit(res); // the kernel consumed an id: keep the tracker's ids aligned with it
                completions.counters.zeroCopySends++;
                completions.counters.zeroCopyBytes += res;
                pinnedBound.onZeroCopySent();
                enobufs.onZeroCopySent();
                if (inband) {
                    applyCopyBack(scratch, segmentSize);
                }
                return SENT;
            }
            if (res == -Native.EAGAIN) {
                return BLOCKED; // no id consumed, nothing copied back
            }
            enobufs.onEnobufs(); // and the same datagram goes out by copy
        }
        boolean placeholder = inband && completions.tracker.outstandingSends() > 0;
        int res = send(scratch, segmentSize, 0, placeholder);
        if (res == -Native.ENOBUFS && placeholder) {
            enobufs.onEnobufs(); // the placeholder itself needs socket option memory: send without it
            placeholder = false;
            res = send(scratch, segmentSize, 0, false);
        }
        if (res == -Native.EAGAIN) {
            return BLOCKED;
        }
        if (res < 0) {
            throw new Errors.NativeIoException("sendmsg", res);
        }
        if (placeholder) {
            applyCopyBack(scratch, segmentSize);
        }
        completions.counters.copySends++;
        completions.counters.copyBytes += len;
        enobufs.onCopySent();
        return SENT;
    }

    /** The syscall, EINTR retried; returns bytes accepted or {@code -EAGAIN} / {@code -ENOBUFS}. */
    private int send(ThreadScratch scratch, int segmentSize, int flags, boolean placeholder) throws IOException {
        long hdr = scratch.msghdr();
        long control = scratch.control();
        int controlLen = 0;
        if (segmentSize > 0) {
            PlatformDependent.putLong(control, SEGMENT_CMSG_LEN);
            PlatformDependent.putInt(control + 8, SOL_UDP);
            PlatformDependent.putInt(control + 12, UDP_SEGMENT);
            PlatformDependent.putLong(control + 16, 0); // the u16 and the padding up to CMSG_SPACE
            PlatformDependent.putShort(control + 16, (short) segmentSize);
            controlLen = SEGMENT_CMSG_SPACE;
        }
        if (placeholder) {
            completions.counters.placeholderSends++;
            controlLen += completions.reader.writePlaceholder(control + controlLen);
        }
        PlatformDependent.putLong(hdr + Native.MSGHDR_CONTROL, controlLen == 0 ? 0 : control);
        PlatformDependent.putLong(hdr + Native.MSGHDR_CONTROLLEN, controlLen);
        int res;
        do {
            if (flags != 0) {
                completions.counters.sendmsgCalls++;
            } else {
                completions.counters.copyWriteCalls++;
            }
            res = Native.sendmsg(socket.intValue(), hdr, flags);
        } while (res == -Native.EINTR);
        return res;
    }

    private void applyCopyBack(ThreadScratch scratch, int segmentSize) {
        long placeholder = scratch.control() + (segmentSize > 0 ? SEGMENT_CMSG_SPACE : 0);
        int completed = completions.reader.applyCopyBack(placeholder);
        if (completed == CompletionReader.BAD_COPY_BACK) {
            if (failure == null) {
                failure = completions.reader.problem();
            }
        } else if (completed > 0) {
            notifier.completionsApplied(completed, completions.reader.lastCopied());
        }
    }

    /** Completions freed memory: may end an ENOBUFS suspension, and the pinned-bytes pause at its low mark. */
    void onCompletions() {
        enobufs.onCompletions();
        pinnedBound.onCompletions();
    }

    /** {@code true} while {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES} holds zero-copy back. */
    boolean isPinnedBoundReached() {
        return pinnedBound.isReached();
    }

    /** Whether the socket has {@code SO_ZEROCOPY_DEFER_POLLERR} set (tests). */
    boolean isDeferPollerrSet() {
        return deferPollerr.isSet();
    }

    /** Why the channel must fail (a copy-back that could not be parsed), once; {@code null} if nothing is wrong. */
    String takeFailure() {
        String f = failure;
        failure = null;
        return f;
    }
}
