package io.cairn.auth.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One version of a password file in the format of Mosquitto 2.x's {@code mosquitto_passwd}: one
 * {@code username:hash} per line ({@link PasswordHash} lists the hashes), blank lines and lines starting with
 * {@code #} ignored. A file with any bad line (no colon, an empty user name, an unknown hash type, bad Base64,
 * wrong lengths, a user given twice) is rejected as a whole.
 *
 * <p>Uses nothing but the JDK (the {@code cairn-passwd} tool loads it). Immutable.
 */
public final class PasswordFile {

    private final Map<String, PasswordHash> users;

    private PasswordFile(Map<String, PasswordHash> users) {
        this.users = Collections.unmodifiableMap(users);
    }

    /** The users, in file order. */
    public Map<String, PasswordHash> users() {
        return users;
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws InvalidFileException with every problem, each as {@code file:line: problem}
     */
    public static PasswordFile load(Path file) throws InvalidFileException {
        return parse(file.toString(), read(file));
    }

    /** The text of {@code file}, which must be UTF-8. */
    static String read(Path file) throws InvalidFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidFileException(List.of(file + ": not valid UTF-8"));
        } catch (IOException e) {
            throw new InvalidFileException(List.of(file + ": cannot be read: " + e));
        }
    }

    /**
     * Parses the text of a password file called {@code name} (for the messages).
     *
     * @throws InvalidFileException with every problem, each as {@code name:line: problem}
     */
    public static PasswordFile parse(String name, String text) throws InvalidFileException {
        List<String> problems = new ArrayList<>();
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = name + ':' + (n + 1) + ": ";
            int colon = line.indexOf(':');
            if (colon < 0) {
                problems.add(where + "no ':' between user name and password hash");
                continue;
            }
            if (colon == 0) {
                problems.add(where + "empty user name");
                continue;
            }
            String user = line.substring(0, colon);
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(line.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                problems.add(where + "user " + user + ": " + e.getMessage());
                continue;
            }
            Integer first = lineOf.putIfAbsent(user, n + 1);
            if (first != null) {
                problems.add(where + "user " + user + " already defined on line " + first);
                continue;
            }
            users.put(user, hash);
        }
        if (!problems.isEmpty()) {
            throw new InvalidFileException(problems);
        }
        return new PasswordFile(users);
    }
}
