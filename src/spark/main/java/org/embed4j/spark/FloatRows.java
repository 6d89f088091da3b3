package org.embed4j.spark;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.embed4j.tensor.Tensor;

/**
 * A rows × dim float matrix on the Java heap in blocks of whole rows, so that a matrix may hold more than one Java
 * array's 2^31 floats: block b holds rows {@code [b·rowsPerBlock, (b+1)·rowsPerBlock)}. It is what the driver keeps
 * of a model between sync rounds, what a round broadcasts, and (row ids alongside) what a task sends back.
 *
 * <p>Serialised by {@link Externalizable} as little-endian bytes written a megabyte at a time, not float by float.
 * Not thread-safe for writes; concurrent reads are fine.
 */
public final class FloatRows implements Externalizable {
    private static final long serialVersionUID = 1L;
    /** Floats per block at most (64 Mi floats, 256 MiB): well inside one array, large enough for few blocks. */
    static final int MAX_BLOCK_FLOATS = 1 << 26;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int IO_BYTES = 1 << 20;

    private long rows;
    private int dim;
    private int rowsPerBlock;
    private float[][] blocks;

    /** For deserialisation only. */
    public FloatRows() {}

    /** A zero matrix of {@code rows} × {@code dim}. */
    public FloatRows(long rows, int dim) {
        this(rows, dim, Math.max(1, MAX_BLOCK_FLOATS / Math.max(1, dim)));
    }

    FloatRows(long rows, int dim, int rowsPerBlock) {
        if (rows < 0 || dim < 1 || rowsPerBlock < 1) {
            throw new IllegalArgumentException(
                    "rows must be >= 0, dim and rows per block >= 1, got " + rows + ", " + dim + ", " + rowsPerBlock);
        }
        this.rows = rows;
        this.dim = dim;
        this.rowsPerBlock = rowsPerBlock;
        int n = Math.toIntExact((rows + rowsPerBlock - 1) / rowsPerBlock);
        this.blocks = new float[n][];
        for (int b = 0; b < n; b++) {
            long r = Math.min(rowsPerBlock, rows - (long) b * rowsPerBlock);
            blocks[b] = new float[Math.toIntExact(r * dim)];
        }
    }

    /** One block around {@code data} (rows × dim floats, row-major), not copied: both see every write. */
    public static FloatRows wrap(float[] data, int dim) {
        Objects.requireNonNull(data, "data");
        if (dim < 1 || data.length % dim != 0) {
            throw new IllegalArgumentException(data.length + " floats are not whole rows of dim " + dim);
        }
        FloatRows m = new FloatRows();
        m.rows = data.length / dim;
        m.dim = dim;
        m.rowsPerBlock = Math.max(1, data.length / dim);
        m.blocks = new float[][] {data};
        return m;
    }

    /** A zero matrix of the same shape and the same blocks (so a {@link #wrap}ped matrix's twin is one block too). */
    FloatRows zerosLike() {
        return new FloatRows(rows, dim, rowsPerBlock);
    }

    public long rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    /** Bytes of the floats. */
    public long bytes() {
        return rows * dim * (long) Float.BYTES;
    }

    /** The only block, for a matrix {@link #wrap}ped around (or small enough for) one array. */
    public float[] single() {
        if (blocks.length != 1) {
            throw new IllegalStateException("a matrix of " + rows + " x " + dim + " has " + blocks.length + " blocks");
        }
        return blocks[0];
    }

    /** The block holding {@code row}; the row starts at {@link #offset}. */
    float[] block(long row) {
        return blocks[(int) (row / rowsPerBlock)];
    }

    /** Where {@code row} starts in its {@link #block}. */
    int offset(long row) {
        return (int) (row % rowsPerBlock) * dim;
    }

    /** Copies every row into {@code t} (a host tensor of rows × dim floats). */
    void copyTo(Tensor t) {
        MemorySegment seg = t.segment();
        long at = 0;
        for (float[] b : blocks) {
            MemorySegment.copy(b, 0, seg, F32, at, b.length);
            at += (long) b.length * Float.BYTES;
        }
    }

    /** Copies every row from {@code t} (a host tensor of rows × dim floats). */
    void copyFrom(Tensor t) {
        MemorySegment seg = t.segment();
        long at = 0;
        for (float[] b : blocks) {
            MemorySegment.copy(seg, F32, at, b, 0, b.length);
            at += (long) b.length * Float.BYTES;
        }
    }

    /** Copies every row from {@code other} (same shape). */
    void copyFrom(FloatRows other) {
        checkSameShape(other);
        for (int b = 0; b < blocks.length; b++) {
            System.arraycopy(other.blocks[b], 0, blocks[b], 0, blocks[b].length);
        }
    }

    void checkSameShape(FloatRows other) {
        if (other.rows != rows || other.dim != dim) {
            throw new IllegalArgumentException(
                    "matrices differ: " + rows + " x " + dim + " vs " + other.rows + " x " + other.dim);
        }
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        out.writeLong(rows);
        out.writeInt(dim);
        out.writeInt(rowsPerBlock);
        ByteBuffer buf = ByteBuffer.allocate(IO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] b : blocks) {
            for (int i = 0; i < b.length; ) {
                int n = Math.min(b.length - i, IO_BYTES / Float.BYTES);
                buf.clear();
                buf.asFloatBuffer().put(b, i, n);
                out.write(buf.array(), 0, n * Float.BYTES);
                i += n;
            }
        }
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        long r = in.readLong();
        int d = in.readInt();
        int perBlock = in.readInt();
        if (r < 0 || d < 1 || perBlock < 1) {
            throw new IOException("corrupt matrix header: " + r + " x " + d + ", " + perBlock + " rows per block");
        }
        FloatRows m = new FloatRows(r, d, perBlock);
        byte[] bytes = new byte[IO_BYTES];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] b : m.blocks) {
            for (int i = 0; i < b.length; ) {
                int n = Math.min(b.length - i, IO_BYTES / Float.BYTES);
                in.readFully(bytes, 0, n * Float.BYTES);
                buf.clear();
                buf.asFloatBuffer().get(b, i, n);
                i += n;
            }
        }
        this.rows = m.rows;
        this.dim = m.dim;
        this.rowsPerBlock = m.rowsPerBlock;
        this.blocks = m.blocks;
    }

    @Override
    public String toString() {
        return "FloatRows(" + rows + " x " + dim + ", " + blocks.length + " block(s))";
    }
}
