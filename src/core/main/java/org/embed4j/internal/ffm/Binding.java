package org.embed4j.internal.ffm;

import java.lang.foreign.FunctionDescriptor;

/**
 * One C function of a header as Java binds it: its name, its {@link FunctionDescriptor} (return and argument layouts
 * in the header's order), the work below which a call may use a critical downcall ({@link Downcall}), and whether it
 * returns an e4j_status (its handles then check it). {@code index} is its position in its {@link Abi}, where
 * {@link NativeLibrary} keeps the resolved handle. Immutable.
 */
record Binding(
        Abi abi, int index, String name, FunctionDescriptor descriptor, long criticalBelow, boolean returnsStatus) {
    @Override
    public String toString() {
        return name + descriptor;
    }
}
