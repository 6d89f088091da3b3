package org.embed4j.spark;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * A core options record ({@code Word2VecOptions}, {@code ClassifierOptions}: records of primitives, strings and
 * enums, not {@link Serializable} themselves) carried to executors as its component values and rebuilt there through
 * its canonical constructor, which validates it again. Immutable.
 */
final class RecordWire<R extends Record> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<R> type;
    private final Object[] values;

    private RecordWire(Class<R> type, Object[] values) {
        this.type = type;
        this.values = values;
    }

    @SuppressWarnings("unchecked")
    static <R extends Record> RecordWire<R> of(R record) {
        RecordComponent[] cs = record.getClass().getRecordComponents();
        Object[] values = new Object[cs.length];
        try {
            for (int i = 0; i < cs.length; i++) {
                values[i] = cs[i].getAccessor().invoke(record);
            }
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the components of " + record, e);
        }
        return new RecordWire<>((Class<R>) record.getClass(), values);
    }

    R get() {
        RecordComponent[] cs = type.getRecordComponents();
        Class<?>[] types = Arrays.stream(cs).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<R> c = type.getDeclaredConstructor(types);
            return c.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot rebuild " + type.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + type.getSimpleName(), e);
        }
    }
}
