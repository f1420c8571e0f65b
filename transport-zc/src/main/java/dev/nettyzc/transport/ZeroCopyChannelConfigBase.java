/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.util.internal.ObjectUtil;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

/**
 * What the configs of {@link ZeroCopyEpollSocketChannel}, {@link ZeroCopyEpollServerSocketChannel} and
 * {@link ZeroCopyEpollDatagramChannel} share: the {@link ZeroCopyChannelOption}s (on a server channel they are the
 * defaults of its children), the socket options every kind of socket has, option dispatch through a
 * {@link ConfigOptionTable}, and the fluent setters Netty's config interfaces ask for. Netty's
 * {@code EpollSocketChannelConfig}, {@code EpollServerSocketChannelConfig} and {@code EpollDatagramChannelConfig}
 * cannot be reused: their constructors are package-private.
 *
 * @param <C> the concrete config, returned by the fluent setters
 */
abstract class ZeroCopyChannelConfigBase<C extends ZeroCopyChannelConfigBase<C>> extends EpollChannelConfig {
    static final int SOL_SOCKET = 1;
    static final int SOL_IP = 0;
    static final int IP_TRANSPARENT = 19;
    static final int DEFAULT_CLOSE_TIMEOUT_MILLIS = 30000;
    /** {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD} value that turns zero-copy off (the default). */
    static final int ZERO_COPY_OFF = -1;

    /** The options every zero-copy config has. */
    static final ConfigOptionTable<ZeroCopyChannelConfigBase<?>> COMMON_OPTIONS =
            ConfigOptionTable.<ZeroCopyChannelConfigBase<?>>builder()
                    .add(ChannelOption.SO_RCVBUF, ZeroCopyChannelConfigBase::getReceiveBufferSize,
                            ZeroCopyChannelConfigBase::setReceiveBufferSize)
                    .add(ChannelOption.SO_REUSEADDR, ZeroCopyChannelConfigBase::isReuseAddress,
                            ZeroCopyChannelConfigBase::setReuseAddress)
                    .add(EpollChannelOption.IP_TRANSPARENT, c -> c.getInt(SOL_IP, IP_TRANSPARENT) != 0,
                            (c, on) -> c.setInt(SOL_IP, IP_TRANSPARENT, on ? 1 : 0))
                    .add(EpollChannelOption.TCP_MD5SIG, null, ZeroCopyChannelConfigBase::setTcpMd5Sig)
                    .add(ZeroCopyChannelOption.ZEROCOPY_NOTIFICATION_MODE, ZeroCopyChannelConfigBase::getNotificationMode,
                            ZeroCopyChannelConfigBase::setNotificationMode)
                    .add(ZeroCopyChannelOption.ZEROCOPY_CLOSE_TIMEOUT_MILLIS,
                            ZeroCopyChannelConfigBase::getCloseTimeoutMillis,
                            ZeroCopyChannelConfigBase::setCloseTimeoutMillis)
                    .add(ZeroCopyChannelOption.ZEROCOPY_THRESHOLD, ZeroCopyChannelConfigBase::getZeroCopyThreshold,
                            ZeroCopyChannelConfigBase::setZeroCopyThreshold)
                    .add(ZeroCopyChannelOption.ZEROCOPY_MAX_PINNED_BYTES, ZeroCopyChannelConfigBase::getMaxPinnedBytes,
                            ZeroCopyChannelConfigBase::setMaxPinnedBytes)
                    .build();

    private final ConfigOptionTable<C> options;
    private volatile ZeroCopyNotificationMode notificationMode = ZeroCopyNotificationMode.AUTO;
    private volatile int closeTimeoutMillis = DEFAULT_CLOSE_TIMEOUT_MILLIS;
    private volatile int zeroCopyThreshold = ZERO_COPY_OFF;
    /** The policy of {@link #zeroCopyThreshold} for a channel without a handler; {@code null} while off. */
    private volatile ZeroCopyHandler thresholdPolicy;
    private volatile long maxPinnedBytes;

    ZeroCopyChannelConfigBase(Channel channel, ConfigOptionTable<C> options) {
        super(channel);
        this.options = options;
    }

    ZeroCopyChannelConfigBase(Channel channel, RecvByteBufAllocator allocator, ConfigOptionTable<C> options) {
        super(channel, allocator);
        this.options = options;
    }

    @SuppressWarnings("unchecked")
    private C self() {
        return (C) this;
    }

    /** {@code TCP_MD5SIG} goes through the channel, which keeps the current key set. */
    abstract void setTcpMd5SigOnChannel(Map<InetAddress, byte[]> keys) throws IOException;

    // ---- option dispatch ----

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), options.options());
    }

    @Override
    public <T> T getOption(ChannelOption<T> option) {
        T value = options.get(self(), option);
        return value != null ? value : super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        return options.set(self(), option, value) || super.setOption(option, value);
    }

    // ---- zero-copy options ----

    /** The configured mode ({@link ZeroCopyNotificationMode#AUTO} unless changed). */
    public ZeroCopyNotificationMode getNotificationMode() {
        return notificationMode;
    }

    /**
     * Sets the notification mode, see {@link ZeroCopyChannelOption#ZEROCOPY_NOTIFICATION_MODE}.
     *
     * @throws ChannelException if {@code mode} is {@code CMSG} and the kernel does not accept
     *                          {@code SCM_ZC_NOTIFICATION} (see {@link ZeroCopy#isInbandNotificationSupported()})
     */
    public C setNotificationMode(ZeroCopyNotificationMode mode) {
        ObjectUtil.checkNotNull(mode, "mode");
        if (mode == ZeroCopyNotificationMode.CMSG && !ZeroCopy.isInbandNotificationSupported()) {
            throw new ChannelException("ZEROCOPY_NOTIFICATION_MODE=CMSG is not supported by this kernel ("
                    + System.getProperty("os.version") + "): " + ZeroCopy.inbandProbeDescription()
                    + "; use AUTO or ERRQUEUE");
        }
        this.notificationMode = mode;
        return self();
    }

    /** {@code true} if sends carry the in-band placeholder (CMSG, or AUTO on a kernel that supports it). */
    boolean isInbandEffective() {
        ZeroCopyNotificationMode mode = notificationMode;
        return mode == ZeroCopyNotificationMode.CMSG
                || mode == ZeroCopyNotificationMode.AUTO && ZeroCopy.isInbandNotificationSupported();
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS}. */
    public int getCloseTimeoutMillis() {
        return closeTimeoutMillis;
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_CLOSE_TIMEOUT_MILLIS}. */
    public C setCloseTimeoutMillis(int millis) {
        this.closeTimeoutMillis = ObjectUtil.checkPositiveOrZero(millis, "millis");
        return self();
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}; {@code -1} (default) is off. */
    public int getZeroCopyThreshold() {
        return zeroCopyThreshold;
    }

    /**
     * See {@link ZeroCopyChannelOption#ZEROCOPY_THRESHOLD}.
     *
     * @param threshold {@code -1} (off) or the per-buffer minimum of readable bytes ({@code >= 0})
     */
    public C setZeroCopyThreshold(int threshold) {
        if (threshold < ZERO_COPY_OFF) {
            throw new IllegalArgumentException("ZEROCOPY_THRESHOLD: " + threshold + " (expected -1 for off, or >= 0)");
        }
        // One immutable policy per value: the channel reads it with one volatile read per write, allocation-free.
        thresholdPolicy = threshold == ZERO_COPY_OFF ? null : ZeroCopyHandler.thresholdPolicy(threshold);
        zeroCopyThreshold = threshold;
        return self();
    }

    /** The policy of the threshold option, used while no {@link ZeroCopyHandler} is in the pipeline. */
    ZeroCopyHandler thresholdPolicy() {
        return thresholdPolicy;
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES}; {@code 0} (default) is no bound. */
    public long getMaxPinnedBytes() {
        return maxPinnedBytes;
    }

    /** See {@link ZeroCopyChannelOption#ZEROCOPY_MAX_PINNED_BYTES}; {@code 0} removes the bound. */
    public C setMaxPinnedBytes(long bytes) {
        this.maxPinnedBytes = ObjectUtil.checkPositiveOrZero(bytes, "ZEROCOPY_MAX_PINNED_BYTES");
        return self();
    }

    /** Copies the zero-copy options to a child channel's config (server channels: the children's defaults). */
    final void copyZeroCopyOptionsTo(ZeroCopyChannelConfigBase<?> child) {
        child.setNotificationMode(notificationMode);
        child.setCloseTimeoutMillis(closeTimeoutMillis);
        child.setZeroCopyThreshold(zeroCopyThreshold);
        child.setMaxPinnedBytes(maxPinnedBytes);
    }

    // ---- socket options both kinds of socket have ----

    /** A socket option read that may fail with the errno of getsockopt. */
    interface SocketRead<T> {
        T read(LinuxSocket socket) throws IOException;
    }

    /** A socket option write that may fail with the errno of setsockopt. */
    interface SocketWrite {
        void write(LinuxSocket socket) throws IOException;
    }

    /** Reads an option; an IOException becomes a {@link ChannelException}, as in Netty's configs. */
    final <T> T read(SocketRead<T> read) {
        try {
            return read.read(socket());
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /** Writes an option; an IOException becomes a {@link ChannelException}, as in Netty's configs. */
    final C write(SocketWrite write) {
        try {
            write.write(socket());
            return self();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    final int getInt(int level, int opt) {
        return read(s -> s.getIntOpt(level, opt));
    }

    final C setInt(int level, int opt, int value) {
        return write(s -> s.setIntOpt(level, opt, value));
    }

    /** {@code SO_RCVBUF}. */
    public int getReceiveBufferSize() {
        return read(LinuxSocket::getReceiveBufferSize);
    }

    /** {@code SO_RCVBUF}. */
    public C setReceiveBufferSize(int receiveBufferSize) {
        return write(s -> s.setReceiveBufferSize(receiveBufferSize));
    }

    /** {@code SO_REUSEADDR}. */
    public boolean isReuseAddress() {
        return read(LinuxSocket::isReuseAddress);
    }

    /** {@code SO_REUSEADDR}. */
    public C setReuseAddress(boolean reuseAddress) {
        return write(s -> s.setReuseAddress(reuseAddress));
    }

    /** {@code IP_TRANSPARENT}: bind to, or accept connections for, addresses that are not local. */
    public boolean isIpTransparent() {
        return getOption(EpollChannelOption.IP_TRANSPARENT);
    }

    /** See {@link #isIpTransparent()}. */
    public C setIpTransparent(boolean transparent) {
        setOption(EpollChannelOption.IP_TRANSPARENT, transparent);
        return self();
    }

    /** {@code TCP_MD5SIG} keys. */
    public C setTcpMd5Sig(Map<InetAddress, byte[]> keys) {
        try {
            setTcpMd5SigOnChannel(keys);
            return self();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    // ---- the fluent setters of Netty's config interfaces ----

    /** Has no effect, as in Netty's epoll configs. */
    public C setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return self();
    }

    @Override
    public C setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return self();
    }

    @Override
    @Deprecated
    public C setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return self();
    }

    @Override
    public C setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return self();
    }

    @Override
    public C setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return self();
    }

    @Override
    public C setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return self();
    }

    @Override
    public C setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return self();
    }

    @Override
    public C setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return self();
    }

    @Override
    @Deprecated
    public C setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return self();
    }

    @Override
    @Deprecated
    public C setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return self();
    }

    @Override
    public C setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return self();
    }

    @Override
    public C setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return self();
    }

    @Override
    public C setEpollMode(EpollMode mode) {
        super.setEpollMode(mode);
        return self();
    }
}
