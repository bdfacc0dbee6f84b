package org.leashed.perf.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small gzip-compressed ustar archives for the tests (no external tar needed). */
final class TarFixtures {
    private TarFixtures() {
    }

    /** Entry name to content, in order. */
    static Map<String, byte[]> entries(Object... nameThenContent) {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            final Object content = nameThenContent[i + 1];
            entries.put((String) nameThenContent[i], content instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) content);
        }
        return entries;
    }

    /**
     * Writes {@code entries} as a .tgz. Names longer than 100 bytes are written as a pax 'x' record
     * followed by a truncated ustar name, as npm does for long paths.
     */
    static Path writeTgz(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tarBytes(entries, true));
        }
        return file;
    }

    /** The uncompressed archive; {@code terminate} false leaves out the end-of-archive blocks. */
    static byte[] tarBytes(Map<String, byte[]> entries, boolean terminate) throws IOException {
        final ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            final String name = entry.getKey();
            if (name.getBytes(StandardCharsets.UTF_8).length > 100) {
                final String body = " path=" + name + "\n";
                int length = body.length();
                length += Integer.toString(length + Integer.toString(length).length()).length();
                final byte[] record = (length + body).getBytes(StandardCharsets.UTF_8);
                writeEntry(tar, "PaxHeader/long", 'x', record);
                writeEntry(tar, name.substring(0, 100), '0', entry.getValue());
            } else {
                writeEntry(tar, name, '0', entry.getValue());
            }
        }
        if (terminate) {
            tar.write(new byte[1024]);
        }
        return tar.toByteArray();
    }

    private static void writeEntry(ByteArrayOutputStream tar, String name, char type, byte[] content) throws IOException {
        final byte[] header = new byte[512];
        put(header, 0, name.getBytes(StandardCharsets.UTF_8), 100);
        put(header, 100, "0000644\0".getBytes(StandardCharsets.US_ASCII), 8);
        put(header, 124, String.format("%011o\0", content.length).getBytes(StandardCharsets.US_ASCII), 12);
        header[156] = (byte) type;
        put(header, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII), 6);
        put(header, 263, "00".getBytes(StandardCharsets.US_ASCII), 2);
        Arrays.fill(header, 148, 156, (byte) ' ');
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xFF;
        }
        put(header, 148, String.format("%06o\0 ", checksum).getBytes(StandardCharsets.US_ASCII), 8);
        tar.write(header);
        tar.write(content);
        tar.write(new byte[(512 - content.length % 512) % 512]);
    }

    private static void put(byte[] header, int byteOffset, byte[] value, int byteSize) {
        System.arraycopy(value, 0, header, byteOffset, Math.min(value.length, byteSize));
    }
}
