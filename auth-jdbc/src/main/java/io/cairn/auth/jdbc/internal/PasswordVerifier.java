package io.cairn.auth.jdbc.internal;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a password against a stored hash, in the formats that {@code mosquitto_passwd} and the usual bcrypt
 * tools write:
 * <ul>
 * <li>bcrypt: {@code $2a$}, {@code $2b$}, {@code $2y$} (passwords past 72 bytes are cut at 72, as OpenBSD does);</li>
 * <li>{@code $7$<iterations>$<base64 salt>$<base64 hash>}: PBKDF2-HMAC-SHA512 over the password bytes and the
 * decoded salt (Mosquitto 2's default);</li>
 * <li>{@code $6$<base64 salt>$<base64 hash>}: SHA-512 over the password bytes then the decoded salt (Mosquitto
 * 1.6 and earlier).</li>
 * </ul>
 * Comparisons take constant time; an unknown format never matches. Thread-safe.
 */
public final class PasswordVerifier {

    /** Mosquitto's default and the most a row may ask for, so that one row cannot stall the executor. */
    private static final int MAX_PBKDF2_ITERATIONS = 10_000_000;

    private final BCrypt.Verifyer bcrypt = BCrypt.verifyer(BCrypt.Version.VERSION_2A,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));
    /** A bcrypt hash of a random password, checked against for an unknown user so that it costs like a known one. */
    private final String dummy;

    PasswordVerifier() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        dummy = BCrypt.with(BCrypt.Version.VERSION_2A).hashToString(10,
                Base64.getEncoder().encodeToString(random).toCharArray());
    }

    /** Whether {@code password} matches {@code storedHash}; false for a hash in an unknown or broken format. */
    public boolean verify(String storedHash, byte[] password) {
        if (storedHash == null) {
            return false;
        }
        String hash = storedHash.strip();
        try {
            if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
                return bcrypt.verify(password, hash.getBytes(StandardCharsets.US_ASCII)).verified;
            }
            if (hash.startsWith("$7$")) {
                return verifyPbkdf2(hash, password);
            }
            if (hash.startsWith("$6$")) {
                return verifySha512(hash, password);
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
        return false;
    }

    /** Spends the time of a bcrypt check (cost 10) on nothing: the answer for a user that does not exist. */
    public void dummyVerify(byte[] password) {
        bcrypt.verify(password, dummy.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean verifyPbkdf2(String hash, byte[] password) throws GeneralSecurityException {
        String[] parts = hash.split("\\$", -1);
        // "", "7", iterations, salt, hash
        if (parts.length != 5) {
            return false;
        }
        int iterations = Integer.parseInt(parts[2]);
        if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(parts[3]);
        byte[] expected = Base64.getDecoder().decode(parts[4]);
        if (expected.length == 0 || expected.length > 64) {
            return false;
        }
        return MessageDigest.isEqual(expected, pbkdf2HmacSha512(password, salt, iterations, expected.length));
    }

    private static boolean verifySha512(String hash, byte[] password) throws GeneralSecurityException {
        String[] parts = hash.split("\\$", -1);
        // "", "6", salt, hash
        if (parts.length != 4) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        sha512.update(password);
        sha512.update(salt);
        return MessageDigest.isEqual(expected, sha512.digest());
    }

    /**
     * PBKDF2 (RFC 8018 §5.2) with HMAC-SHA512, over raw password bytes: the JDK's {@code PBKDF2WithHmacSHA512}
     * takes a {@code char[]}, which cannot carry an MQTT password that is not UTF-8.
     */
    static byte[] pbkdf2HmacSha512(byte[] password, byte[] salt, int iterations, int length)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA512");
        // SecretKeySpec refuses an empty key; HMAC pads keys with zero bytes to its block length, so one zero
        // byte is the same key as none
        mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
        int blockLength = mac.getMacLength();
        byte[] out = new byte[length];
        int blocks = (length + blockLength - 1) / blockLength;
        for (int block = 1; block <= blocks; block++) {
            mac.update(salt);
            mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
            byte[] u = mac.doFinal();
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < t.length; j++) {
                    t[j] ^= u[j];
                }
            }
            int offset = (block - 1) * blockLength;
            System.arraycopy(t, 0, out, offset, Math.min(blockLength, length - offset));
        }
        return out;
    }
}
