package io.cairn.distribution.assembly;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a runtime folder as a {@code .tar.gz} (POSIX ustar) and a {@code .zip}, both unpacking into one top
 * folder, with every entry's time set to one instant (reproducible builds) and the files of {@code bin/}
 * executable.
 */
final class Archives {

    private static final int BLOCK = 512;
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private Archives() {
    }

    /** The runtime folder's entries, relative and sorted, folders before what they hold. */
    private static List<Path> entries(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> !f.equals(folder)).map(folder::relativize).sorted().toList();
        }
    }

    /** Whether an entry is a file to be made executable: what lives in {@code bin/}. */
    static boolean executable(Path relative) {
        return relative.getNameCount() == 2 && relative.getName(0).toString().equals("bin");
    }

    /** Writes {@code folder} to {@code archive} ({@code .tar.gz}) under the top folder {@code top}. */
    static void tarGz(Path folder, String top, Path archive, Instant time) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive), 64 * 1024)) {
            long mtime = time.getEpochSecond();
            writeTarHeader(out, top + "/", 0, 0755, mtime, '5');
            for (Path relative : entries(folder)) {
                Path file = folder.resolve(relative);
                String name = top + "/" + slashes(relative);
                if (Files.isDirectory(file)) {
                    writeTarHeader(out, name + "/", 0, 0755, mtime, '5');
                } else {
                    long size = Files.size(file);
                    writeTarHeader(out, name, size, executable(relative) ? 0755 : 0644, mtime, '0');
                    Files.copy(file, out);
                    int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
                    out.write(new byte[pad]);
                }
            }
            out.write(new byte[2 * BLOCK]);
        }
    }

    private static void writeTarHeader(OutputStream out, String name, long size, int mode, long mtime, char type)
            throws IOException {
        byte[] header = new byte[BLOCK];
        byte[] full = name.getBytes(StandardCharsets.UTF_8);
        byte[] nameBytes = full;
        byte[] prefix = new byte[0];
        if (full.length > 100) {
            // ustar: split at a '/' into a prefix (at most 155 bytes) and a name (at most 100)
            int split = -1;
            for (int i = Math.min(full.length - 1, 155); i > 0; i--) {
                if (full[i] == '/' && full.length - i - 1 <= 100 && full.length - i - 1 > 0) {
                    split = i;
                    break;
                }
            }
            if (split < 0) {
                throw new IOException("path too long for a tar archive: " + name);
            }
            prefix = java.util.Arrays.copyOfRange(full, 0, split);
            nameBytes = java.util.Arrays.copyOfRange(full, split + 1, full.length);
        }
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, mtime);
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, header, 265, 4);
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, header, 297, 4);
        System.arraycopy(prefix, 0, header, 345, prefix.length);
        long checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        String sum = String.format("%06o", checksum);
        System.arraycopy(sum.getBytes(StandardCharsets.US_ASCII), 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        out.write(header);
    }

    /** An octal number, zero-padded, NUL-terminated, in {@code length} bytes at {@code offset}. */
    private static void octal(byte[] header, int offset, int length, long value) throws IOException {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new IOException("value too large for a tar header field: " + value);
        }
        String padded = "0".repeat(length - 1 - digits.length()) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }

    /** Writes {@code folder} to {@code archive} ({@code .zip}) under the top folder {@code top}. */
    static void zip(Path folder, String top, Path archive, Instant time) throws IOException {
        Files.deleteIfExists(archive);
        URI uri = URI.create("jar:" + archive.toUri());
        FileTime fileTime = FileTime.from(time);
        try (FileSystem zip = FileSystems.newFileSystem(uri,
                Map.of("create", "true", "enablePosixFileAttributes", "true"))) {
            Path root = zip.getPath(top);
            Files.createDirectory(root);
            Files.setPosixFilePermissions(root, EXECUTABLE);
            fixTimes(root, fileTime);
            for (Path relative : entries(folder)) {
                Path source = folder.resolve(relative);
                Path target = root.resolve(slashes(relative));
                if (Files.isDirectory(source)) {
                    Files.createDirectory(target);
                    Files.setPosixFilePermissions(target, EXECUTABLE);
                } else {
                    Files.copy(source, target);
                    Files.setPosixFilePermissions(target, executable(relative) ? EXECUTABLE : READABLE);
                }
                fixTimes(target, fileTime);
            }
        }
    }

    /**
     * Sets an entry's modification, access and creation times to {@code time}: the zip file system gives a new
     * entry the current time for all three and writes them to its extended-timestamp field, so setting only the
     * modification time left two archives of one build differing whenever they were written in different seconds.
     */
    private static void fixTimes(Path entry, FileTime time) throws IOException {
        Files.getFileAttributeView(entry, BasicFileAttributeView.class).setTimes(time, time, time);
    }

    private static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }
}
