package io.cairn.auth.file.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * A password hash as Mosquitto 2.x writes it in a password file.
 *
 * <ul>
 * <li>{@code $6$<salt>$<hash>}: SHA-512 over the password bytes followed by the salt bytes (Mosquitto's
 *     {@code -H sha512}, the default of Mosquitto 1.6 and earlier);</li>
 * <li>{@code $7$<iterations>$<salt>$<hash>}: PBKDF2-HMAC-SHA512 with a 64-byte result (Mosquitto's default,
 *     which uses 101 iterations and a 12-byte salt).</li>
 * <li>{@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}: Argon2id (RFC 9106) in the PHC string
 *     format that libargon2 and most password libraries write, salt and hash in Base64 without padding; computed
 *     with Bouncy Castle's {@code Argon2BytesGenerator}.</li>
 * </ul>
 * Salt and hash of {@code $6$} and {@code $7$} are standard Base64 with padding. The password is taken as raw
 * bytes, as MQTT carries it.
 *
 * <p>Uses nothing but the JDK and the Bouncy Castle classes copied into the bundle (the {@code cairn-passwd} tool
 * loads it without a logging library). Immutable and thread-safe.
 */
public final class PasswordHash {

    /** The length of a SHA-512 digest and of the PBKDF2 result Mosquitto stores. */
    public static final int HASH_BYTES = 64;
    /** The salt length Mosquitto and cairn-passwd write. */
    public static final int SALT_BYTES = 12;
    /** The shortest and longest salts a file may hold. */
    static final int MIN_SALT = 8;
    static final int MAX_SALT = 64;
    /** The most PBKDF2 iterations a file may ask for, so that one line cannot stall verification for minutes. */
    public static final int MAX_ITERATIONS = 10_000_000;
    /**
     * PBKDF2 entries with at most this many iterations (and every {@code $6$} entry) are verified on the calling
     * thread. Measured on a 2-vCPU Xeon VM, JDK 17, under load from other builds: {@code $6$} 0.003 ms,
     * {@code $7$} with Mosquitto's 101 iterations 0.18 ms, 1,000 iterations 2.1-2.5 ms (too long for a network
     * thread), 210,000 iterations 510-640 ms (the JDK's own PBKDF2WithHmacSHA512 470 ms, OpenSSL 420 ms).
     */
    public static final int INLINE_ITERATIONS = 128;

    /** Argon2id memory cost of new hashes, in KiB: OWASP's first recommended setting (19 MiB, 2 passes, 1 lane). */
    public static final int ARGON2_MEMORY_KIB = 19_456;
    /** Argon2id passes of new hashes. */
    public static final int ARGON2_PASSES = 2;
    /** Argon2id lanes of new hashes. */
    public static final int ARGON2_LANES = 1;
    /** The most memory an Argon2id line may ask for (1 GiB), so one line cannot exhaust the broker's heap. */
    static final int ARGON2_MAX_MEMORY_KIB = 1 << 20;
    private static final int ARGON2_HASH_BYTES = 32;

    private enum Scheme { SHA512, PBKDF2, ARGON2ID }

    private final Scheme scheme;
    /** PBKDF2 iterations, or Argon2 passes; 0 for SHA-512. */
    private final int iterations;
    private final int memoryKib;
    private final int lanes;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this(iterations == 0 ? Scheme.SHA512 : Scheme.PBKDF2, iterations, 0, 0, salt, hash);
    }

    private PasswordHash(Scheme scheme, int iterations, int memoryKib, int lanes, byte[] salt, byte[] hash) {
        this.scheme = scheme;
        this.iterations = iterations;
        this.memoryKib = memoryKib;
        this.lanes = lanes;
        this.salt = salt;
        this.hash = hash;
    }

    /** A new Argon2id hash of {@code password} with a fresh random 16-byte salt and the given costs. */
    public static PasswordHash argon2id(byte[] password, int memoryKib, int passes, int lanes, SecureRandom random) {
        checkArgon2(memoryKib, passes, lanes);
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return new PasswordHash(Scheme.ARGON2ID, passes, memoryKib, lanes, salt,
                argon2(password, salt, passes, memoryKib, lanes, ARGON2_HASH_BYTES));
    }

    /** A new {@code $7$} hash of {@code password} with a fresh random salt. */
    public static PasswordHash pbkdf2(byte[] password, int iterations, SecureRandom random) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be 1.." + MAX_ITERATIONS);
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /** A {@code $6$} hash of {@code password} with {@code salt}; Mosquitto's legacy scheme. */
    public static PasswordHash sha512(byte[] password, byte[] salt) {
        return new PasswordHash(0, salt.clone(), digest(password, salt));
    }

    /**
     * Parses the hash part of a password file line.
     *
     * @throws IllegalArgumentException with a message that names the problem (never the hash itself)
     */
    public static PasswordHash parse(String text) {
        if (text.startsWith("$6$")) {
            String[] parts = text.substring(3).split("\\$", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("a $6$ hash has the form $6$<salt>$<hash>");
            }
            return checked(0, decode(parts[0], "salt"), decode(parts[1], "hash"));
        }
        if (text.startsWith("$7$")) {
            String[] parts = text.substring(3).split("\\$", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("a $7$ hash has the form $7$<iterations>$<salt>$<hash>");
            }
            int iterations;
            try {
                iterations = Integer.parseInt(parts[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("iterations '" + parts[0] + "' is not a number");
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("iterations " + iterations + " outside 1.." + MAX_ITERATIONS);
            }
            return checked(iterations, decode(parts[1], "salt"), decode(parts[2], "hash"));
        }
        if (text.startsWith("$argon2id$")) {
            return parseArgon2id(text);
        }
        if (text.startsWith("$argon2")) {
            throw new IllegalArgumentException("only the argon2id variant of Argon2 is supported");
        }
        if (text.startsWith("$")) {
            int end = text.indexOf('$', 1);
            String scheme = end > 0 ? text.substring(0, end + 1) : "$";
            throw new IllegalArgumentException("unknown hash type " + scheme + " (expected $6$, $7$ or $argon2id$)");
        }
        throw new IllegalArgumentException("the password is not hashed (expected $6$, $7$ or $argon2id$; use "
                + "cairn-passwd)");
    }

    /** {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}. */
    private static PasswordHash parseArgon2id(String text) {
        String[] parts = text.substring("$argon2id$".length()).split("\\$", -1);
        if (parts.length != 4 || !parts[0].startsWith("v=")) {
            throw new IllegalArgumentException("an argon2id hash has the form $argon2id$v=19$m=<KiB>,t=<passes>,"
                    + "p=<lanes>$<salt>$<hash>");
        }
        if (!parts[0].equals("v=19")) {
            throw new IllegalArgumentException("argon2id version " + parts[0].substring(2) + " (expected 19)");
        }
        int memory = -1;
        int passes = -1;
        int lanes = -1;
        for (String parameter : parts[1].split(",", -1)) {
            int eq = parameter.indexOf('=');
            String key = eq < 0 ? parameter : parameter.substring(0, eq);
            int value;
            try {
                value = Integer.parseInt(parameter.substring(eq + 1));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("argon2id parameter '" + parameter + "' is not key=number");
            }
            switch (key) {
                case "m" -> memory = value;
                case "t" -> passes = value;
                case "p" -> lanes = value;
                default -> throw new IllegalArgumentException("unknown argon2id parameter '" + key + "'");
            }
        }
        if (memory < 0 || passes < 0 || lanes < 0) {
            throw new IllegalArgumentException("an argon2id hash needs m, t and p");
        }
        checkArgon2(memory, passes, lanes);
        byte[] salt = decode(parts[2], "salt");
        byte[] hash = decode(parts[3], "hash");
        if (salt.length < MIN_SALT || salt.length > MAX_SALT) {
            throw new IllegalArgumentException("salt of " + salt.length + " bytes (expected " + MIN_SALT + ".."
                    + MAX_SALT + ")");
        }
        if (hash.length < 16 || hash.length > 64) {
            throw new IllegalArgumentException("hash of " + hash.length + " bytes (expected 16..64)");
        }
        return new PasswordHash(Scheme.ARGON2ID, passes, memory, lanes, salt, hash);
    }

    private static void checkArgon2(int memoryKib, int passes, int lanes) {
        if (lanes < 1 || lanes > 16) {
            throw new IllegalArgumentException("argon2id lanes p=" + lanes + " outside 1..16");
        }
        if (passes < 1 || passes > 100) {
            throw new IllegalArgumentException("argon2id passes t=" + passes + " outside 1..100");
        }
        if (memoryKib < 8 * lanes || memoryKib > ARGON2_MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("argon2id memory m=" + memoryKib + " KiB outside " + 8 * lanes + ".."
                    + ARGON2_MAX_MEMORY_KIB);
        }
    }

    private static PasswordHash checked(int iterations, byte[] salt, byte[] hash) {
        if (salt.length < MIN_SALT || salt.length > MAX_SALT) {
            throw new IllegalArgumentException("salt of " + salt.length + " bytes (expected " + MIN_SALT + ".."
                    + MAX_SALT + ")");
        }
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("hash of " + hash.length + " bytes (expected " + HASH_BYTES + ")");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    private static byte[] decode(String base64, String what) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid Base64");
        }
    }

    /** Whether {@code password} hashes to this hash; the comparison takes the same time wherever they differ. */
    public boolean verify(byte[] password) {
        byte[] computed = switch (scheme) {
            case SHA512 -> digest(password, salt);
            case PBKDF2 -> derive(password, salt, iterations);
            case ARGON2ID -> argon2(password, salt, iterations, memoryKib, lanes, hash.length);
        };
        return MessageDigest.isEqual(computed, hash);
    }

    /** Whether checking a password against this hash is cheap enough for a network thread. */
    public boolean cheap() {
        return scheme != Scheme.ARGON2ID && iterations <= INLINE_ITERATIONS;
    }

    /**
     * A hash of {@code password} with this hash's scheme and costs and a fresh salt: what a user who is not in the
     * file is checked against, so that the check costs what a real one would.
     */
    public PasswordHash sameCost(byte[] password, SecureRandom random) {
        return switch (scheme) {
            case SHA512 -> sha512(password, new byte[SALT_BYTES]);
            case PBKDF2 -> pbkdf2(password, iterations, random);
            case ARGON2ID -> argon2id(password, memoryKib, iterations, lanes, random);
        };
    }

    /** PBKDF2 iterations or Argon2 passes; 0 for a {@code $6$} hash. */
    public int iterations() {
        return iterations;
    }

    /** The hash as it is written in a password file. */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder();
        if (scheme == Scheme.ARGON2ID) {
            Base64.Encoder bare = b64.withoutPadding();
            return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + lanes + '$'
                    + bare.encodeToString(salt) + '$' + bare.encodeToString(hash);
        }
        return iterations == 0 ? "$6$" + b64.encodeToString(salt) + '$' + b64.encodeToString(hash)
                : "$7$" + iterations + '$' + b64.encodeToString(salt) + '$' + b64.encodeToString(hash);
    }

    @Override
    public String toString() {
        if (scheme == Scheme.ARGON2ID) {
            return "PasswordHash[argon2id, m=" + memoryKib + " KiB, t=" + iterations + ", p=" + lanes + ']';
        }
        return iterations == 0 ? "PasswordHash[$6$]" : "PasswordHash[$7$, " + iterations + " iterations]";
    }

    /** Argon2id, version 0x13, through Bouncy Castle. */
    private static byte[] argon2(byte[] password, byte[] salt, int passes, int memoryKib, int lanes, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withIterations(passes).withMemoryAsKB(memoryKib).withParallelism(lanes).withSalt(salt).build());
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }

    private static byte[] digest(byte[] password, byte[] salt) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-512");
            sha.update(password);
            sha.update(salt);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-512 is missing from this JDK", e);
        }
    }

    /**
     * PBKDF2-HMAC-SHA512 (RFC 8018 §5.2) over the raw password bytes, one 64-byte block. The JDK's
     * {@code PBKDF2WithHmacSHA512} takes a {@code char[]} and encodes it as UTF-8, which would change passwords
     * that are not valid UTF-8, so the loop is written out here.
     */
    static byte[] derive(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            // HMAC pads its key with zeros to the block size, so an empty key equals one zero byte; SecretKeySpec
            // refuses an empty key
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
            mac.update(salt);
            mac.update(ByteBuffer.allocate(4).putInt(0, 1).array());
            byte[] u = mac.doFinal();
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                mac.update(u);
                mac.doFinal(u, 0);
                for (int j = 0; j < t.length; j++) {
                    t[j] ^= u[j];
                }
            }
            return t;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is missing from this JDK", e);
        }
    }
}
