package org.leashed.perf.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader for gzip-compressed tar archives (npm tarballs): ustar headers with the
 * {@code prefix} field, POSIX pax {@code path} records and GNU long names, base-256 sizes. Only regular
 * files are extracted, and only those asked for by name, so nothing in an archive can write outside
 * the caller's chosen targets.
 *
 * <p>Written here instead of depending on commons-compress: npm tarballs use a small subset of the
 * format, and the reader is about a hundred lines that the tests exercise on generated archives.
 */
public final class TarGz {
    private static final int BLOCK = 512;
    private static final int NAME_BYTE_OFFSET = 0;
    private static final int NAME_BYTE_SIZE = 100;
    private static final int SIZE_BYTE_OFFSET = 124;
    private static final int SIZE_BYTE_SIZE = 12;
    private static final int TYPE_BYTE_OFFSET = 156;
    private static final int MAGIC_BYTE_OFFSET = 257;
    private static final int PREFIX_BYTE_OFFSET = 345;
    private static final int PREFIX_BYTE_SIZE = 155;
    private static final long MAX_METADATA_BYTES = 1 << 20;

    private TarGz() {
    }

    /**
     * Streams {@code archive} and writes each entry whose path is a key of {@code wanted} to the mapped
     * target path (created or replaced).
     *
     * @return the entries found, mapped to their byte sizes; an entry asked for but absent is absent here
     * @throws IOException if the archive is not gzip, is truncated, or has a malformed header (the message
     *                     names the archive and the header field)
     */
    public static Map<String, Long> extract(Path archive, Map<String, Path> wanted) throws IOException {
        final Map<String, Long> found = new HashMap<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            final byte[] header = new byte[BLOCK];
            String pendingName = null;
            while (true) {
                if (!readBlock(in, header)) {
                    throw new EOFException(archive + ": truncated tar archive (no end-of-archive marker)");
                }
                if (isZero(header)) {
                    return found; // end-of-archive marker
                }
                final String magic = text(header, MAGIC_BYTE_OFFSET, 5);
                if (!magic.equals("ustar")) {
                    throw new IOException(archive + ": tar header field 'magic' is '" + magic + "', expected 'ustar'");
                }
                final long size = size(archive, header);
                final char type = (char) header[TYPE_BYTE_OFFSET];
                String name = pendingName != null ? pendingName : fullName(header);
                pendingName = null;
                switch (type) {
                    case 'x' -> pendingName = paxPath(readMetadata(archive, in, size));
                    case 'L' -> pendingName = trimNul(new String(readMetadata(archive, in, size), StandardCharsets.UTF_8));
                    case '0', '\0', '7' -> {
                        final Path target = wanted.get(name);
                        if (target != null) {
                            try (OutputStream out = Files.newOutputStream(target)) {
                                copy(archive, in, out, size);
                            }
                            skip(archive, in, padding(size));
                            found.put(name, size);
                        } else {
                            skip(archive, in, size + padding(size));
                        }
                    }
                    default -> skip(archive, in, size + padding(size)); // directories, links, global pax
                }
            }
        }
    }

    private static String fullName(byte[] header) {
        final String name = text(header, NAME_BYTE_OFFSET, NAME_BYTE_SIZE);
        final String prefix = text(header, PREFIX_BYTE_OFFSET, PREFIX_BYTE_SIZE);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static long size(Path archive, byte[] header) throws IOException {
        if ((header[SIZE_BYTE_OFFSET] & 0x80) != 0) {
            long value = header[SIZE_BYTE_OFFSET] & 0x7F; // GNU base-256
            for (int i = 1; i < SIZE_BYTE_SIZE; i++) {
                value = (value << 8) | (header[SIZE_BYTE_OFFSET + i] & 0xFF);
            }
            return value;
        }
        final String octal = text(header, SIZE_BYTE_OFFSET, SIZE_BYTE_SIZE).trim();
        try {
            final long value = octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
            if (value < 0) {
                throw new NumberFormatException("negative");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": tar header field 'size' is '" + octal + "', expected an octal byte count");
        }
    }

    private static String paxPath(byte[] records) {
        // Records: "<length> <key>=<value>\n"
        final String text = new String(records, StandardCharsets.UTF_8);
        String path = null;
        for (String line : text.split("\n")) {
            final int space = line.indexOf(' ');
            final int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals("path")) {
                path = line.substring(eq + 1);
            }
        }
        return path;
    }

    private static byte[] readMetadata(Path archive, InputStream in, long size) throws IOException {
        if (size > MAX_METADATA_BYTES) {
            throw new IOException(archive + ": tar metadata entry of " + size + " bytes, expected at most " + MAX_METADATA_BYTES);
        }
        final byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException(archive + ": truncated tar archive inside a metadata entry");
        }
        skip(archive, in, padding(size));
        return data;
    }

    private static void copy(Path archive, InputStream in, OutputStream out, long size) throws IOException {
        final byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            final int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new EOFException(archive + ": truncated tar archive: " + left + " bytes of an entry missing");
            }
            out.write(buffer, 0, read);
            left -= read;
        }
    }

    private static void skip(Path archive, InputStream in, long bytes) throws IOException {
        try {
            in.skipNBytes(bytes);
        } catch (EOFException e) {
            throw new EOFException(archive + ": truncated tar archive while skipping an entry");
        }
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        return in.readNBytes(block, 0, BLOCK) == BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] header, int byteOffset, int byteSize) {
        int end = byteOffset;
        while (end < byteOffset + byteSize && header[end] != 0) {
            end++;
        }
        return new String(header, byteOffset, end - byteOffset, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        final int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}
