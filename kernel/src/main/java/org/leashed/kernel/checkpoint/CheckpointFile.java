package org.leashed.kernel.checkpoint;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.leashed.kernel.run.EpochStats;

/**
 * Binary checkpoint format and its atomic write. Big-endian throughout.
 *
 * <pre>
 *  byte 0        8          12                 20                        20+n      24+n
 *  +-------------+----------+------------------+-------------------------+---------+
 *  | "LSHDCKPT"  | version  | payload byteSize | payload (n bytes)       | CRC32C  |
 *  | magic (8 B) | u32 = 1  | u64 = n          | fields below            | u32     |
 *  +-------------+----------+------------------+-------------------------+---------+
 *  CRC32C covers bytes [0, 20 + n): header and payload.
 *
 *  payload: fingerprint  u32 count, then count x (string key, string value)
 *           string       u32 byteSize (<= 65536) + UTF-8 bytes
 *           run state    u32 completedEpochs, u64 applied, u64 dropped, f64 wall, f64 initialLoss
 *           history      u32 count (= completedEpochs), count x (u32 epoch, f64 loss, f64 wall, u64 updates)
 *           seeds        u32 m, m x u64
 *           staleness    u32 bins, bins x u64
 *           step sizes   u32 dropAbove, u32 count, count x f32
 *           parameters   u32 d, d x f32
 *           velocities   u32 count (0 or m), count x (d x f32)
 * </pre>
 *
 * <p>Reading never trusts a length before checking it against the bytes that are actually there: the
 * file's size must equal 24 + payload byteSize (and fit in an array) before anything is allocated, and
 * every count inside is bounded by the bytes left, so a corrupted or hostile file costs at most its own
 * size in memory and fails with {@link CheckpointException}.
 *
 * <p>Writing: to a temporary file in the target's directory, forced to the device, then renamed over
 * the target atomically (and the directory forced where the platform allows), so a crash or signal
 * mid-write leaves either the previous checkpoint or the new one, never a torn file.
 */
public final class CheckpointFile {
    /** First 8 bytes of every checkpoint. */
    static final byte[] MAGIC = "LSHDCKPT".getBytes(StandardCharsets.US_ASCII);
    /** The format version this build writes and reads. */
    public static final int VERSION = 1;
    /** Header bytes before the payload. */
    static final int HEADER_BYTES = 20;
    /** Trailer bytes after the payload (the CRC). */
    static final int TRAILER_BYTES = 4;
    /** Largest string accepted inside a checkpoint. */
    static final int MAX_STRING_BYTES = 1 << 16;
    /** Largest checkpoint read (one Java array). */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private CheckpointFile() {
    }

    /** The checkpoint as bytes in this format. */
    public static byte[] encode(Checkpoint c) {
        final int d = c.dimension();
        final int m = c.workers();
        long size = HEADER_BYTES + TRAILER_BYTES + 4L;
        final List<byte[]> strings = new ArrayList<>();
        for (Map.Entry<String, String> e : c.fingerprint().entrySet()) {
            strings.add(utf8(e.getKey()));
            strings.add(utf8(e.getValue()));
        }
        for (byte[] s : strings) {
            size += 4L + s.length;
        }
        size += 4 + 8 + 8 + 8 + 8;
        size += 4 + (long) c.history().size() * (4 + 8 + 8 + 8);
        size += 4 + 8L * m;
        size += 4 + 8L * c.stalenessHistogram().length;
        size += 4 + 4 + 4L * c.stepSizes().length;
        size += 4 + 4L * d;
        size += 4 + 4L * d * c.velocities().size();
        if (size > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("checkpoint would be " + size + " bytes, more than the format's " + MAX_FILE_BYTES);
        }
        final ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putLong(size - HEADER_BYTES - TRAILER_BYTES);
        b.putInt(c.fingerprint().size());
        for (byte[] s : strings) {
            b.putInt(s.length).put(s);
        }
        b.putInt(c.completedEpochs()).putLong(c.appliedUpdates()).putLong(c.droppedUpdates())
                .putDouble(c.wallSeconds()).putDouble(c.initialLoss());
        b.putInt(c.history().size());
        for (EpochStats e : c.history()) {
            b.putInt(e.epoch()).putDouble(e.loss()).putDouble(e.wallSeconds()).putLong(e.updates());
        }
        b.putInt(m);
        for (long s : c.workerSeeds()) {
            b.putLong(s);
        }
        b.putInt(c.stalenessHistogram().length);
        for (long h : c.stalenessHistogram()) {
            b.putLong(h);
        }
        b.putInt(c.stepDropAbove()).putInt(c.stepSizes().length);
        b.asFloatBuffer().put(c.stepSizes());
        b.position(b.position() + 4 * c.stepSizes().length);
        b.putInt(d);
        b.asFloatBuffer().put(c.parameters());
        b.position(b.position() + 4 * d);
        b.putInt(c.velocities().size());
        for (float[] v : c.velocities()) {
            b.asFloatBuffer().put(v);
            b.position(b.position() + 4 * d);
        }
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        assert !b.hasRemaining() : b.remaining();
        return b.array();
    }

    /**
     * Writes {@code c} to {@code file} atomically (temp + force + rename).
     *
     * @throws IOException if the directory is not writable or the device fails; the previous file, if
     *                     any, is then left as it was
     */
    public static void write(Path file, Checkpoint c) throws IOException {
        final byte[] bytes = encode(c);
        final Path target = file.toAbsolutePath();
        final Path dir = target.getParent();
        Files.createDirectories(dir);
        final Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true); // data and metadata on the device before the rename makes it visible
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + temp + " to " + target + " atomically on this file system", e);
            }
        } finally {
            Files.deleteIfExists(temp); // only still there if something above failed
        }
        forceDirectory(dir);
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true); // the rename itself reaches the device (POSIX; a no-op or refusal elsewhere)
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory; the rename is still atomic, only its durability waits.
        }
    }

    /**
     * Reads and validates a checkpoint file.
     *
     * @throws CheckpointException if the file is missing, unreadable, not a checkpoint, of another
     *                             version, truncated, oversized, fails its checksum, or holds a field out of range
     */
    public static Checkpoint read(Path file) throws CheckpointException {
        final long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such checkpoint file");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read checkpoint (" + e.getMessage() + ")", e);
        }
        if (size > MAX_FILE_BYTES) {
            throw new CheckpointException(file + ": " + size + " bytes is larger than any checkpoint (at most "
                    + MAX_FILE_BYTES + "); not a checkpoint");
        }
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError e) {
            throw new CheckpointException(file + ": cannot read checkpoint (" + e + ")", e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * Decodes checkpoint bytes.
     *
     * @param source names the bytes in messages (the file)
     * @throws CheckpointException as {@link #read}
     */
    public static Checkpoint decode(byte[] bytes, String source) throws CheckpointException {
        if (bytes.length < MAGIC.length || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CheckpointException(source + ": not a leashed checkpoint (magic: expected \"LSHDCKPT\" in the first 8 bytes)");
        }
        if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
            throw new CheckpointException(source + ": truncated checkpoint (" + bytes.length + " bytes, the header alone is "
                    + (HEADER_BYTES + TRAILER_BYTES) + ")");
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        final int version = b.getInt(8);
        if (version != VERSION) {
            throw new CheckpointException(source + ": checkpoint format version " + Integer.toUnsignedString(version)
                    + ", this build reads version " + VERSION);
        }
        final long payload = b.getLong(12);
        final long expected = bytes.length - (long) HEADER_BYTES - TRAILER_BYTES;
        if (payload != expected) {
            throw new CheckpointException(source + ": checkpoint length mismatch (header says a payload of "
                    + Long.toUnsignedString(payload) + " bytes, the file holds " + expected
                    + "); the file is truncated or was extended");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - TRAILER_BYTES);
        final int stored = b.getInt(bytes.length - TRAILER_BYTES);
        if (stored != (int) crc.getValue()) {
            throw new CheckpointException(String.format(java.util.Locale.ROOT,
                    "%s: checkpoint checksum mismatch (CRC32C stored %08x, computed %08x); the file is corrupted",
                    source, stored, (int) crc.getValue()));
        }
        b.position(HEADER_BYTES).limit(bytes.length - TRAILER_BYTES);
        final Fields f = new Fields(b, source);
        try {
            final int entries = f.count("fingerprint entries", 8);
            final Map<String, String> fingerprint = new LinkedHashMap<>();
            for (int i = 0; i < entries; i++) {
                final String key = f.string("fingerprint key");
                final String value = f.string("fingerprint value of " + key);
                if (fingerprint.put(key, value) != null) {
                    throw f.bad("fingerprint", key, "each key once");
                }
            }
            final int completed = f.count("completed epochs", 0);
            final long applied = f.nonNegativeLong("applied updates");
            final long dropped = f.nonNegativeLong("dropped updates");
            final double wall = f.finiteNonNegative("wall seconds");
            final double initialLoss = b.getDouble();
            final int historySize = f.count("history entries", 28);
            if (historySize != completed) {
                throw f.bad("history entries", historySize, "completed epochs (" + completed + ")");
            }
            final List<EpochStats> history = new ArrayList<>(historySize);
            for (int i = 0; i < historySize; i++) {
                final int epoch = b.getInt();
                if (epoch != i + 1) {
                    throw f.bad("history[" + i + "].epoch", epoch, Integer.toString(i + 1));
                }
                history.add(new EpochStats(epoch, b.getDouble(), b.getDouble(), b.getLong()));
            }
            final int m = f.count("workers", 8);
            if (m < 1) {
                throw f.bad("workers", m, ">= 1");
            }
            final long[] seeds = new long[m];
            b.asLongBuffer().get(seeds);
            b.position(b.position() + 8 * m);
            final int bins = f.count("staleness bins", 8);
            final long[] staleness = new long[bins];
            b.asLongBuffer().get(staleness);
            b.position(b.position() + 8 * bins);
            final int dropAbove = b.getInt();
            final int steps = f.count("step sizes", 4);
            final float[] stepSizes = new float[steps];
            b.asFloatBuffer().get(stepSizes);
            b.position(b.position() + 4 * steps);
            final int d = f.count("dimension", 4);
            if (d < 1) {
                throw f.bad("dimension", d, ">= 1");
            }
            final float[] params = new float[d];
            b.asFloatBuffer().get(params);
            b.position(b.position() + 4 * d);
            final int velocityCount = b.getInt();
            if (velocityCount != 0 && velocityCount != m) {
                throw f.bad("velocities", Integer.toUnsignedString(velocityCount), "0 or workers (" + m + ")");
            }
            if ((long) velocityCount * d * 4 != b.remaining()) {
                throw f.bad("velocities", velocityCount + " x " + d + " floats", "exactly the " + b.remaining()
                        + " bytes left in the payload");
            }
            final List<float[]> velocities = new ArrayList<>(velocityCount);
            for (int w = 0; w < velocityCount; w++) {
                final float[] v = new float[d];
                b.asFloatBuffer().get(v);
                b.position(b.position() + 4 * d);
                velocities.add(v);
            }
            final String dimension = fingerprint.get(Checkpoint.DIMENSION);
            if (dimension != null && !dimension.equals(Integer.toString(d))) {
                throw f.bad("dimension", d, "the fingerprint's dimension " + dimension);
            }
            final String threads = fingerprint.get(Checkpoint.THREADS);
            if (threads != null && !threads.equals(Integer.toString(m))) {
                throw f.bad("workers", m, "the fingerprint's threads " + threads);
            }
            return new Checkpoint(fingerprint, completed, applied, dropped, wall, initialLoss, history, seeds, staleness,
                    stepSizes, dropAbove, params, velocities);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CheckpointException(source + ": checkpoint payload ends inside field " + f.current
                    + " (inconsistent lengths)", e);
        }
    }

    private static byte[] utf8(String s) {
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("checkpoint string longer than " + MAX_STRING_BYTES + " bytes: "
                    + s.substring(0, 40) + "...");
        }
        return bytes;
    }

    /** Bounded reads of length-prefixed fields; remembers the field being read for messages. */
    private static final class Fields {
        private final ByteBuffer b;
        private final String source;
        String current = "(start)";

        Fields(ByteBuffer b, String source) {
            this.b = b;
            this.source = source;
        }

        /** A u32 count of items of {@code itemBytes} each that must fit in the bytes left. */
        int count(String field, int itemBytes) throws CheckpointException {
            current = field;
            final int n = b.getInt();
            if (n < 0 || (long) n * itemBytes > b.remaining()) {
                throw bad(field, Integer.toUnsignedString(n), "a count whose items fit in the " + b.remaining()
                        + " bytes left");
            }
            return n;
        }

        long nonNegativeLong(String field) throws CheckpointException {
            current = field;
            final long v = b.getLong();
            if (v < 0) {
                throw bad(field, v, ">= 0");
            }
            return v;
        }

        double finiteNonNegative(String field) throws CheckpointException {
            current = field;
            final double v = b.getDouble();
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw bad(field, v, "a finite number >= 0");
            }
            return v;
        }

        String string(String field) throws CheckpointException {
            final int n = count(field, 1);
            if (n > MAX_STRING_BYTES) {
                throw bad(field, n + " bytes", "at most " + MAX_STRING_BYTES);
            }
            final ByteBuffer slice = b.slice(b.position(), n);
            b.position(b.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw bad(field, "invalid UTF-8", "UTF-8 text");
            }
        }

        CheckpointException bad(String field, Object value, String expectation) {
            return new CheckpointException(source + ": checkpoint field " + field + " is " + value + ", expected "
                    + expectation);
        }
    }
}
