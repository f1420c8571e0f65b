/*
 * Copyright 2026 The netty-transport-zc Project
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.nettyzc.transport;

import io.netty.channel.ChannelOption;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The {@link ChannelOption}s a config class supports, each with its getter and setter: what Netty's configs
 * spell out as {@code if (option == X)} chains in {@code getOption}, {@code setOption} and {@code getOptions}.
 * Immutable after {@link Builder#build()}; look-ups allocate nothing.
 *
 * @param <C> the config class
 */
final class ConfigOptionTable<C> {
    private final Map<ChannelOption<?>, Function<? super C, ?>> getters;
    private final Map<ChannelOption<?>, BiConsumer<? super C, Object>> setters;
    private final ChannelOption<?>[] options;

    private ConfigOptionTable(Builder<C> b) {
        getters = new IdentityHashMap<>(b.getters);
        setters = new IdentityHashMap<>(b.setters);
        options = b.options.toArray(new ChannelOption<?>[0]);
    }

    static <C> Builder<C> builder() {
        return new Builder<>();
    }

    /** Every option of the table, for {@code getOptions()}. */
    ChannelOption<?>[] options() {
        return options.clone();
    }

    /** The option's value, or {@code null} if the table has no getter for it. */
    @SuppressWarnings("unchecked")
    <T> T get(C config, ChannelOption<T> option) {
        Function<? super C, ?> getter = getters.get(option);
        return getter == null ? null : (T) getter.apply(config);
    }

    /** Sets the option; {@code false} if the table does not have it. The value was validated by the caller. */
    <T> boolean set(C config, ChannelOption<T> option, T value) {
        BiConsumer<? super C, Object> setter = setters.get(option);
        if (setter == null) {
            return false;
        }
        setter.accept(config, value);
        return true;
    }

    static final class Builder<C> {
        private final Map<ChannelOption<?>, Function<? super C, ?>> getters = new IdentityHashMap<>();
        private final Map<ChannelOption<?>, BiConsumer<? super C, Object>> setters = new IdentityHashMap<>();
        private final List<ChannelOption<?>> options = new ArrayList<>();

        private Builder() {
        }

        /** Adds every option of {@code table} (declared for a supertype of {@code C}). */
        Builder<C> include(ConfigOptionTable<? super C> table) {
            for (ChannelOption<?> o : table.options) {
                options.add(o);
                if (table.getters.containsKey(o)) {
                    getters.put(o, table.getters.get(o));
                }
                setters.put(o, table.setters.get(o));
            }
            return this;
        }

        /** An option with a getter ({@code null}: write-only, as TCP_MD5SIG) and a setter. */
        @SuppressWarnings("unchecked")
        <T> Builder<C> add(ChannelOption<T> option, Function<? super C, T> getter, BiConsumer<? super C, T> setter) {
            options.add(option);
            if (getter != null) {
                getters.put(option, getter);
            }
            setters.put(option, (BiConsumer<? super C, Object>) setter);
            return this;
        }

        ConfigOptionTable<C> build() {
            return new ConfigOptionTable<>(this);
        }
    }
}
