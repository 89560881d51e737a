package io.cairn.auth.file.internal;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code cairn-passwd}: creates and updates password files, with the command line of Mosquitto's
 * {@code mosquitto_passwd}.
 *
 * <pre>
 * cairn-passwd [-c] [-b] [-D] [-H pbkdf2|argon2id] [-I iterations] &lt;file&gt; &lt;username&gt; [password]
 * </pre>
 * {@code -c} creates (or overwrites) the file, {@code -b} takes the password from the command line instead of
 * asking twice on the console, {@code -D} deletes the user, {@code -H} chooses the hash ({@code pbkdf2}, also
 * spelt {@code sha512-pbkdf2}: PBKDF2-HMAC-SHA512, {@code $7$}, the default; or {@code argon2id}: Argon2id with
 * 19 MiB, 2 passes and 1 lane, OWASP's first recommended setting, in the PHC string format), {@code -I} the PBKDF2
 * iterations (default {@value #DEFAULT_ITERATIONS}: 200 times Mosquitto's 101, about 50 ms of one core per first
 * check; OWASP's 210,000 for human passwords cost half a second each, so a broker restarted under 10,000 devices
 * would need 40 minutes of two threads to let them all back in; long random device passwords need fewer
 * iterations). Salts come from {@link SecureRandom}. The file is written to a temporary file in the same
 * directory and renamed over the old one, so a broker that watches it never reads half a file; a new file gets
 * permissions 0600 on POSIX systems, an existing one keeps its own.
 *
 * <p>Exit codes: 0 done, 1 failed (message on standard error), 2 bad command line (usage on standard error).
 * Needs only the JDK and this bundle's jar on the class path.
 */
public final class PasswdTool {

    /** The default PBKDF2 iteration count. */
    public static final int DEFAULT_ITERATIONS = 20_000;

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            Usage: cairn-passwd [-c] [-b] [-D] [-H pbkdf2|argon2id] [-I iterations] <file> <username> [password]
             -c : create a new password file, overwriting an existing one
             -b : batch mode: the password is the last argument (it shows in the process list and shell history)
             -D : delete the user
             -H : hash: pbkdf2 (PBKDF2-HMAC-SHA512, written as $7$, as mosquitto_passwd does; the default) or
                  argon2id (Argon2id, 19 MiB, 2 passes, 1 lane, written as $argon2id$...)
             -I : PBKDF2 iterations (default %d)
            Without -b the password is read twice from the console, without echo.""".formatted(DEFAULT_ITERATIONS);

    private final PrintStream err;
    private final Console console;

    PasswdTool(PrintStream err, Console console) {
        this.err = err;
        this.console = console;
    }

    /** Runs the tool and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(new PasswdTool(System.err, System.console()).run(args));
    }

    /** Runs the tool; returns the exit code. */
    int run(String[] args) {
        boolean create = false;
        boolean batch = false;
        boolean delete = false;
        int iterations = DEFAULT_ITERATIONS;
        boolean argon2 = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("-") && args[i].length() > 1; i++) {
            switch (args[i]) {
                case "-c" -> create = true;
                case "-b" -> batch = true;
                case "-D" -> delete = true;
                case "-H" -> {
                    if (++i == args.length) {
                        return usage("-H needs a hash name");
                    }
                    String hash = args[i];
                    if (hash.equals("argon2id")) {
                        argon2 = true;
                    } else if (hash.equals("pbkdf2") || hash.equals("sha512-pbkdf2")) {
                        argon2 = false;
                    } else {
                        return usage("-H " + hash + ": unknown hash (pbkdf2 or argon2id)");
                    }
                }
                case "-I" -> {
                    if (++i == args.length) {
                        return usage("-I needs a number");
                    }
                    try {
                        iterations = Integer.parseInt(args[i]);
                    } catch (NumberFormatException e) {
                        return usage("-I " + args[i] + ": not a number");
                    }
                    if (iterations < 1 || iterations > PasswordHash.MAX_ITERATIONS) {
                        return usage("-I " + iterations + ": outside 1.." + PasswordHash.MAX_ITERATIONS);
                    }
                }
                default -> {
                    return usage("unknown option " + args[i]);
                }
            }
        }
        List<String> rest = Arrays.asList(args).subList(i, args.length);
        if (create && delete) {
            return usage("-c and -D cannot be combined");
        }
        int expected = batch && !delete ? 3 : 2;
        if (rest.size() != expected) {
            return usage(batch && !delete ? "expected <file> <username> <password>" : "expected <file> <username>");
        }
        Path file = Path.of(rest.get(0));
        String user = rest.get(1);
        String problem = userProblem(user);
        if (problem != null) {
            return fail("user name " + problem);
        }
        try {
            List<String> lines = create ? new ArrayList<>() : existing(file);
            if (lines == null) {
                return FAILED;
            }
            int index = indexOf(lines, user);
            if (delete) {
                if (index < 0) {
                    return fail("user " + user + " is not in " + file);
                }
                lines.remove(index);
            } else {
                byte[] password = batch ? rest.get(2).getBytes(StandardCharsets.UTF_8) : readPassword();
                if (password == null) {
                    return FAILED;
                }
                if (password.length == 0) {
                    return fail("the password must not be empty");
                }
                PasswordHash hash = argon2
                        ? PasswordHash.argon2id(password, PasswordHash.ARGON2_MEMORY_KIB, PasswordHash.ARGON2_PASSES,
                        PasswordHash.ARGON2_LANES, new SecureRandom())
                        : PasswordHash.pbkdf2(password, iterations, new SecureRandom());
                String line = user + ':' + hash.encode();
                Arrays.fill(password, (byte) 0);
                if (index < 0) {
                    lines.add(line);
                } else {
                    lines.set(index, line);
                }
            }
            write(file, lines);
            return OK;
        } catch (IOException e) {
            return fail(file + ": " + e);
        }
    }

    /** The lines of an existing, valid file; null (after a message) when it is missing or invalid. */
    private List<String> existing(Path file) throws IOException {
        if (!Files.exists(file)) {
            fail(file + " does not exist (use -c to create it)");
            return null;
        }
        try {
            String text = PasswordFile.read(file);
            PasswordFile.parse(file.toString(), text);
            List<String> lines = new ArrayList<>(text.lines().toList());
            return lines;
        } catch (InvalidFileException e) {
            e.problems().forEach(p -> err.println("cairn-passwd: " + p));
            fail(file + " is not a valid password file; fix it or recreate it with -c");
            return null;
        }
    }

    private static int indexOf(List<String> lines, String user) {
        String prefix = user + ':';
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private byte[] readPassword() {
        if (console == null) {
            fail("no console to read the password from; use -b to give it on the command line");
            return null;
        }
        char[] first = console.readPassword("Password: ");
        char[] second = console.readPassword("Reenter password: ");
        try {
            if (first == null || second == null) {
                fail("no password read");
                return null;
            }
            if (!Arrays.equals(first, second)) {
                fail("passwords do not match");
                return null;
            }
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(first));
            byte[] password = new byte[bytes.remaining()];
            bytes.get(password);
            if (bytes.hasArray()) {
                Arrays.fill(bytes.array(), (byte) 0);
            }
            return password;
        } finally {
            if (first != null) {
                Arrays.fill(first, '\0');
            }
            if (second != null) {
                Arrays.fill(second, '\0');
            }
        }
    }

    /** Writes {@code lines} to a temporary file next to {@code file} and renames it over {@code file}. */
    static void write(Path file, List<String> lines) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString("rw-------");
        if (posix && Files.exists(target)) {
            permissions = Files.getPosixFilePermissions(target);
        }
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + '.', ".tmp", attributes);
        try {
            StringBuilder text = new StringBuilder();
            for (String line : lines) {
                text.append(line).append('\n');
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            if (posix) {
                // createTempFile's attribute is filtered by the umask; set the permissions exactly
                Files.setPosixFilePermissions(temp, permissions);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String userProblem(String user) {
        if (user.isEmpty()) {
            return "must not be empty";
        }
        if (user.indexOf(':') >= 0) {
            return "must not contain ':'";
        }
        if (!user.strip().equals(user)) {
            return "must not start or end with white space";
        }
        if (user.startsWith("#")) {
            return "must not start with '#' (the file would read it as a comment)";
        }
        for (int i = 0; i < user.length(); i++) {
            if (Character.isISOControl(user.charAt(i))) {
                return "must not contain control characters";
            }
        }
        return null;
    }

    private int usage(String problem) {
        err.println("cairn-passwd: " + problem);
        err.println(USAGE_TEXT);
        return USAGE;
    }

    private int fail(String message) {
        err.println("cairn-passwd: " + message);
        return FAILED;
    }
}
