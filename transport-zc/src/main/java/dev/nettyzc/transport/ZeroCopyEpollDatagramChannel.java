/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.ZeroCopyEpollDatagramBridge;
import io.netty.channel.epoll.ZeroCopyEpollDatagramSocketOptions;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannelUtil;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.StringUtil;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;

/**
 * Drop-in replacement for Netty's {@code EpollDatagramChannel} that sends large direct datagrams with
 * {@code MSG_ZEROCOPY}. Use it with an epoll event loop group and add a {@link ZeroCopyHandler} to the pipeline;
 * without the handler everything is sent by copy. It sends {@link DatagramPacket}s, {@link AddressedEnvelope}s, a
 * plain {@link ByteBuf} when connected, and {@link SegmentedDatagramPacket}s ({@code UDP_SEGMENT}, GSO: one
 * zero-copy send of a 64 KB super-packet that the kernel splits into segments), IPv4 and IPv6, connected or not.
 * {@code SO_ZEROCOPY} is set when the socket is created.
 *
 * <h2>The same policy as the TCP channel</h2>
 * The {@link ZeroCopyHandler} decides per datagram (threshold, direct memory, adaptive suspension); a zero-copy
 * datagram's content stays retained until its completion, while its write promise completes when the kernel
 * accepted the datagram ({@link DatagramWriter}). Completions come in-band ({@code SCM_ZC_NOTIFICATION} on later
 * sends) where the kernel has it, otherwise and for the last sends from the error queue. The parts are those of the
 * TCP channel: {@link ChannelCompletions} (tracker, reader, counters, lingering close), {@link EnobufsSuspension},
 * the {@link ZeroCopyCompletionEvent}; only the datagram send path ({@link DatagramWriter}) is its own.
 *
 * <h2>Datagram semantics</h2>
 * A datagram goes out whole or not at all. As in Netty's channel, a datagram the kernel refuses
 * ({@code EMSGSIZE}, {@code ENOBUFS} on a copy, {@code EINVAL} for a bad GSO segment size, {@code ECONNREFUSED})
 * fails its own promise and the channel carries on with the next one; on a connected channel
 * {@code ECONNREFUSED} becomes a {@link PortUnreachableException}, on a write as on a read. ICMP errors: without
 * {@code IP_RECVERR} (the default, as in Netty) the kernel sets a socket error on a connected socket, which the
 * EPOLLERR handling leaves to the read (or the next send) exactly as Netty does. With {@code IP_RECVERR} (set
 * through a {@code RawUnixChannelOption}/{@code IntegerUnixChannelOption}) the ICMP error is also queued on the error
 * queue, and dequeuing it clears the socket error; so an ICMP entry met while draining completions is never
 * swallowed: it is fired as {@code exceptionCaught} ({@link PortUnreachableException} for ECONNREFUSED, else a
 * {@link Errors.NativeIoException} with the errno), as Netty's read would have reported the socket error.
 *
 * <h2>Why a class in Netty's package</h2>
 * {@code EpollDatagramChannel} is final and {@code AbstractEpollChannel} package-private, so there are two ways:
 * a channel on Netty's public {@code IoHandle} registration API, or a small base class in
 * {@code io.netty.channel.epoll} ({@link ZeroCopyEpollDatagramBridge}). The bridge is used: on the {@code IoHandle}
 * API the channel would have to re-implement everything {@code AbstractEpollChannel} does (connect, bind,
 * address caching, epoll interest ops, registration, close and deregistration, the config's socket access),
 * which is more code and more divergence from Netty's behaviour than a few forwarders; the TCP channel already
 * depends on the same kind of bridge for EPOLLERR. The cost is the split package (class path only), as for TCP.
 *
 * <h2>Differences from EpollDatagramChannel</h2>
 * One {@code sendmsg} per datagram (no {@code sendmmsg} batching), one {@code recvfrom}/{@code recv} per datagram
 * (no {@code recvmmsg}), no {@code UDP_GRO} receive (see {@link ZeroCopyEpollDatagramChannelConfig}).
 * Multicast {@code block} is unsupported, as in Netty's channel.
 */
public final class ZeroCopyEpollDatagramChannel extends ZeroCopyEpollDatagramBridge implements DatagramChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);
    private static final String EXPECTED_TYPES =
            " (expected: " + StringUtil.simpleClassName(DatagramPacket.class) + ", "
                    + StringUtil.simpleClassName(AddressedEnvelope.class) + '<'
                    + StringUtil.simpleClassName(ByteBuf.class) + ", "
                    + StringUtil.simpleClassName(InetSocketAddress.class) + ">, "
                    + StringUtil.simpleClassName(ByteBuf.class) + ')';

    private final ZeroCopyEpollDatagramChannelConfig config;
    private final boolean ipv6;
    private volatile boolean connected;

    // ---- confined to the event loop; after close to the lingering close ----
    private final CompletionNotifier notifier = new CompletionNotifier(this, true);
    private final ChannelCompletions completions = new ChannelCompletions(notifier);
    private final ZeroCopyCounters counters = completions.counters;
    private final CompletionTracker tracker = completions.tracker;
    private final DatagramWriter writer;

    /** A datagram socket of the family Netty would choose ({@code EpollDatagramChannel()}). */
    public ZeroCopyEpollDatagramChannel() {
        this((SocketProtocolFamily) null);
    }

    /** A datagram socket of {@code family} ({@code null}: as Netty chooses). */
    public ZeroCopyEpollDatagramChannel(SocketProtocolFamily family) {
        this(newZeroCopySocket(family), isIpv6(family));
    }

    private ZeroCopyEpollDatagramChannel(LinuxSocket socket, boolean ipv6) {
        super(socket, false);
        this.ipv6 = ipv6;
        config = new ZeroCopyEpollDatagramChannelConfig(this);
        writer = new DatagramWriter(socket, ipv6, notifier, config, completions);
        notifier.writerHook(writer::onCompletions);
        notifier.pinnedBound(writer::isPinnedBoundReached);
    }

    private static boolean isIpv6(SocketProtocolFamily family) {
        return family == null ? Socket.isIPv6Preferred() : family == SocketProtocolFamily.INET6;
    }

    private static LinuxSocket newZeroCopySocket(SocketProtocolFamily family) {
        ZeroCopy.ensureAvailability();
        return ZeroCopyEpollSocketChannel.withSoZeroCopy(
                family == null ? LinuxSocket.newSocketDgram() : LinuxSocket.newSocketDgram(family));
    }

    /** Whether the kernel accepts {@code UDP_SEGMENT}, i.e. {@link SegmentedDatagramPacket}s can be sent. */
    public static boolean isSegmentedDatagramPacketSupported() {
        return EpollDatagramChannel.isSegmentedDatagramPacketSupported();
    }

    // =====================================================================================================
    // Channel basics
    // =====================================================================================================

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return socket.isOpen() && (config.isActiveOnRegistration() && isRegistered() || active);
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public ZeroCopyEpollDatagramChannelConfig config() {
        return config;
    }

    @Override
    protected AbstractEpollUnsafe newUnsafe() {
        return new ZeroCopyDatagramUnsafe();
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        if (localAddress instanceof InetSocketAddress) {
            InetSocketAddress address = (InetSocketAddress) localAddress;
            // As Netty: the IPv4 wildcard on an IPv6 socket is the IPv6 wildcard (dual stack).
            if (address.getAddress().isAnyLocalAddress() && address.getAddress() instanceof Inet4Address && ipv6) {
                localAddress = new InetSocketAddress(InetAddress.getByName("::"), address.getPort());
            }
        }
        super.doBind(localAddress);
        active = true;
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        if (super.doConnect(remoteAddress, localAddress)) {
            connected = true;
            return true;
        }
        return false;
    }

    @Override
    protected void doDisconnect() throws Exception {
        socket.disconnect();
        connected = active = false;
        resetAddresses();
    }

    @Override
    protected void doClose() throws Exception {
        try {
            completions.close(this, socket, config.getCloseTimeoutMillis(), super::doClose);
        } finally {
            connected = false;
        }
    }

    // =====================================================================================================
    // Policy, statistics, release (as ZeroCopyEpollSocketChannel)
    // =====================================================================================================

    /** The policy holder, for {@link ZeroCopyHandler}. */
    CompletionNotifier notifier() {
        return notifier;
    }

    /** Statistics snapshot of this channel; safe from any thread, also after close. */
    public ZeroCopyStats zeroCopyStats() {
        return completions.stats(config.isInbandEffective());
    }

    /**
     * Completes once the channel is closed and every buffer it pinned for a zero-copy send has been released by
     * that send's completion (see {@code ZeroCopyEpollSocketChannel#zeroCopyReleaseFuture()}).
     */
    public Future<Void> zeroCopyReleaseFuture() {
        return completions.releaseFuture();
    }

    private static IOException translateForConnected(Errors.NativeIoException e) {
        // As Netty (and NIO): a refused connected send or read is a PortUnreachableException.
        if (e.expectedErr() == Errors.ERROR_ECONNREFUSED_NEGATIVE) {
            PortUnreachableException error = new PortUnreachableException(e.getMessage());
            error.initCause(e);
            return error;
        }
        return e;
    }

    // =====================================================================================================
    // Write path
    // =====================================================================================================

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof SegmentedDatagramPacket) {
            if (!isSegmentedDatagramPacketSupported()) {
                throw new UnsupportedOperationException(
                        "unsupported message type: " + StringUtil.simpleClassName(msg) + EXPECTED_TYPES);
            }
            SegmentedDatagramPacket packet = (SegmentedDatagramPacket) msg;
            checkUnresolved(packet);
            ByteBuf content = packet.content();
            return UnixChannelUtil.isBufferCopyNeededForWrite(content)
                    ? packet.replace(directCopy(packet, content)) : msg;
        }
        if (msg instanceof DatagramPacket) {
            DatagramPacket packet = (DatagramPacket) msg;
            checkUnresolved(packet);
            ByteBuf content = packet.content();
            return UnixChannelUtil.isBufferCopyNeededForWrite(content)
                    ? new DatagramPacket(directCopy(packet, content), packet.recipient()) : msg;
        }
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            return UnixChannelUtil.isBufferCopyNeededForWrite(buf) ? directCopy(buf, buf) : buf;
        }
        if (msg instanceof AddressedEnvelope) {
            @SuppressWarnings("unchecked")
            AddressedEnvelope<Object, SocketAddress> e = (AddressedEnvelope<Object, SocketAddress>) msg;
            checkUnresolved(e);
            if (e.content() instanceof ByteBuf
                    && (e.recipient() == null || e.recipient() instanceof InetSocketAddress)) {
                ByteBuf content = (ByteBuf) e.content();
                return UnixChannelUtil.isBufferCopyNeededForWrite(content)
                        ? new DefaultAddressedEnvelope<ByteBuf, InetSocketAddress>(
                                directCopy(e, content), (InetSocketAddress) e.recipient()) : e;
            }
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + EXPECTED_TYPES);
    }

    /**
     * Netty's direct copy of a heap (or otherwise unsendable) content; {@code holder} is released. A copy of a heap
     * buffer at or above the threshold is marked, so the policy sends it by copy as it does on the TCP channel
     * ("heap buffers take the normal path").
     */
    private ByteBuf directCopy(Object holder, ByteBuf content) {
        boolean heap = !content.isDirect();
        ByteBuf copy = newDirectBuffer(holder, content);
        return heap ? ZeroCopyWrite.markHeapCopy(content, copy, notifier.policyOr(config.thresholdPolicy())) : copy;
    }

    private static void checkUnresolved(AddressedEnvelope<?, ?> envelope) {
        if (envelope.recipient() instanceof InetSocketAddress
                && ((InetSocketAddress) envelope.recipient()).isUnresolved()) {
            throw new UnresolvedAddressException();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        notifier.beginWrite();
        try {
            int maxMessagesPerWrite = config.getMaxMessagesPerWrite();
            while (maxMessagesPerWrite > 0) {
                notifier.fireEventIfPending();
                Object msg = in.current();
                if (msg == null) {
                    break;
                }
                try {
                    int result = writeMessage(msg);
                    String failure = writer.takeFailure();
                    if (failure != null) {
                        notifier.fail(new IOException(failure));
                        return;
                    }
                    if (result == DatagramWriter.BLOCKED) {
                        break;
                    }
                    in.remove();
                    maxMessagesPerWrite--;
                } catch (IOException e) {
                    // As Netty: a datagram channel may write to many peers, so one refused datagram fails only its
                    // own promise (https://github.com/netty/netty/issues/2665).
                    maxMessagesPerWrite--;
                    in.remove(e);
                }
            }
            if (in.isEmpty()) {
                clearEpollOut();
            } else {
                setFlag(io.netty.channel.epoll.Native.EPOLLOUT);
            }
        } finally {
            notifier.endWrite();
            counters.publish();
        }
    }

    private int writeMessage(Object msg) throws IOException {
        ByteBuf content;
        InetSocketAddress recipient;
        int segmentSize = 0;
        if (msg instanceof AddressedEnvelope) {
            @SuppressWarnings("unchecked")
            AddressedEnvelope<ByteBuf, InetSocketAddress> envelope = (AddressedEnvelope<ByteBuf, InetSocketAddress>) msg;
            content = envelope.content();
            recipient = envelope.recipient();
            if (msg instanceof SegmentedDatagramPacket) {
                segmentSize = ((SegmentedDatagramPacket) msg).segmentSize();
            }
        } else {
            content = (ByteBuf) msg;
            recipient = null;
        }
        try {
            return writer.write(content, recipient, segmentSize);
        } catch (Errors.NativeIoException e) {
            throw recipient == null ? translateForConnected(e) : e;
        }
    }

    // =====================================================================================================
    // EPOLLERR and read
    // =====================================================================================================

    /**
     * EPOLLERR: with sends outstanding in CMSG mode and flushed datagrams about to be written in this event
     * (EPOLLOUT), the coming {@code sendmsg} carries the notifications; otherwise the shared handling
     * ({@link ChannelCompletions#consumeEpollErr}) drains the error queue and leaves a socket error (an ICMP error
     * on a connected socket) to Netty's read, which surfaces it.
     */
    private boolean consumeEpollErr(boolean writable) {
        if (!isOpen()) {
            return false;
        }
        if (writable && tracker.outstandingSends() > 0 && config.isInbandEffective()) {
            ChannelOutboundBuffer out = unsafe().outboundBuffer();
            if (out != null && !out.isEmpty()) {
                return true;
            }
        }
        return completions.consumeEpollErr(this, socket.intValue());
    }

    private final class ZeroCopyDatagramUnsafe extends DatagramUnsafe {

        @Override
        public void onEpollEvent(boolean epollErr) {
            completions.countWakeup(epollErr);
        }

        @Override
        public boolean consumeEpollErr(boolean writable) {
            return ZeroCopyEpollDatagramChannel.this.consumeEpollErr(writable);
        }

        @Override
        protected void readReady() {
            if (socket.isInputShutdown()) {
                stopReadingIfNotRequested();
                return;
            }
            ZeroCopyEpollDatagramChannelConfig cfg = config();
            RecvByteBufAllocator.ExtendedHandle handle = readHandle();
            ChannelPipeline pipeline = pipeline();
            ByteBufAllocator allocator = cfg.getAllocator();
            handle.reset(cfg);
            Throwable exception = null;
            try {
                try {
                    boolean connectedRead = isConnected();
                    do {
                        if (!readOne(handle, allocator, connectedRead, cfg.getMaxDatagramPayloadSize())) {
                            break;
                        }
                        readCompleted();
                    } while (handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER));
                } catch (Throwable t) {
                    exception = t;
                }
                handle.readComplete();
                pipeline.fireChannelReadComplete();
                if (exception != null) {
                    pipeline.fireExceptionCaught(exception);
                }
            } finally {
                stopReadingIfNotRequested();
            }
        }

        /** One datagram ({@code recvfrom}); {@code false} if there was none. */
        private boolean readOne(RecvByteBufAllocator.ExtendedHandle handle, ByteBufAllocator allocator,
                                boolean connectedRead, int maxPayload) throws IOException {
            // recvfrom also on a connected socket: recv cannot tell an empty datagram from nothing.
            ByteBuf buf = handle.allocate(allocator);
            try {
                int writable = maxPayload != 0 ? Math.min(buf.writableBytes(), maxPayload) : buf.writableBytes();
                handle.attemptedBytesRead(writable);
                int writerIndex = buf.writerIndex();
                DatagramSocketAddress from;
                try {
                    from = buf.hasMemoryAddress()
                            ? socket.recvFromAddress(buf.memoryAddress(), writerIndex, writerIndex + writable)
                            : recvFrom(buf, writerIndex, writable);
                } catch (Errors.NativeIoException e) {
                    throw connectedRead ? translateForConnected(e) : e;
                }
                if (from == null) {
                    handle.lastBytesRead(0);
                    return false; // EAGAIN
                }
                int n = from.receivedAmount();
                InetSocketAddress recipient = from.localAddress() != null ? from.localAddress()
                        : ZeroCopyEpollDatagramChannel.this.localAddress();
                buf.writerIndex(writerIndex + n);
                handle.lastBytesRead(maxPayload <= 0 ? Math.max(n, 1) : writable);
                handle.incMessagesRead(1);
                DatagramPacket packet = new DatagramPacket(buf, recipient, from);
                buf = null;
                pipeline().fireChannelRead(packet);
                return true;
            } finally {
                if (buf != null) {
                    buf.release();
                }
            }
        }

        private DatagramSocketAddress recvFrom(ByteBuf buf, int index, int length) throws IOException {
            ByteBuffer nio = buf.internalNioBuffer(index, length);
            return socket.recvFrom(nio, nio.position(), nio.limit());
        }
    }

    // =====================================================================================================
    // Multicast (as EpollDatagramChannel; block is unsupported there too)
    // =====================================================================================================

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress) {
        return joinGroup(multicastAddress, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, ChannelPromise promise) {
        try {
            NetworkInterface iface = config.getNetworkInterface();
            if (iface == null) {
                iface = NetworkInterface.getByInetAddress(localAddress().getAddress());
            }
            return membership(true, multicastAddress, iface, null, promise);
        } catch (IOException e) {
            promise.setFailure(e);
            return promise;
        }
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface) {
        return joinGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface,
                                  ChannelPromise promise) {
        return membership(true, multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                  InetAddress source) {
        return joinGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                  InetAddress source, ChannelPromise promise) {
        return membership(true, multicastAddress, networkInterface, source, promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress) {
        return leaveGroup(multicastAddress, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, ChannelPromise promise) {
        try {
            return membership(false, multicastAddress,
                    NetworkInterface.getByInetAddress(localAddress().getAddress()), null, promise);
        } catch (IOException e) {
            promise.setFailure(e);
            return promise;
        }
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface) {
        return leaveGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface,
                                   ChannelPromise promise) {
        return membership(false, multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                   InetAddress source) {
        return leaveGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                   InetAddress source, ChannelPromise promise) {
        return membership(false, multicastAddress, networkInterface, source, promise);
    }

    private ChannelFuture membership(boolean join, InetAddress group, NetworkInterface iface, InetAddress source,
                                     ChannelPromise promise) {
        ObjectUtil.checkNotNull(group, "multicastAddress");
        ObjectUtil.checkNotNull(iface, "networkInterface");
        if (eventLoop().inEventLoop()) {
            membership0(join, group, iface, source, promise);
        } else {
            eventLoop().execute(() -> membership0(join, group, iface, source, promise));
        }
        return promise;
    }

    private void membership0(boolean join, InetAddress group, NetworkInterface iface, InetAddress source,
                             ChannelPromise promise) {
        try {
            if (join) {
                ZeroCopyEpollDatagramSocketOptions.joinGroup(socket, group, iface, source);
            } else {
                ZeroCopyEpollDatagramSocketOptions.leaveGroup(socket, group, iface, source);
            }
            promise.setSuccess();
        } catch (IOException e) {
            promise.setFailure(e);
        }
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, NetworkInterface networkInterface,
                               InetAddress sourceToBlock) {
        return block(multicastAddress, networkInterface, sourceToBlock, newPromise());
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, NetworkInterface networkInterface,
                               InetAddress sourceToBlock, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(sourceToBlock, "sourceToBlock");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        promise.setFailure(new UnsupportedOperationException("Multicast block not supported"));
        return promise;
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, InetAddress sourceToBlock) {
        return block(multicastAddress, sourceToBlock, newPromise());
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, InetAddress sourceToBlock, ChannelPromise promise) {
        try {
            return block(multicastAddress, NetworkInterface.getByInetAddress(localAddress().getAddress()),
                    sourceToBlock, promise);
        } catch (Throwable e) {
            promise.setFailure(e);
        }
        return promise;
    }
}
