package io.cairn.auth.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.cairn.auth.jdbc.testsupport.MosquittoPasswd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hash formats a users table may hold. */
class PasswordVerifierTest {

    private static final PasswordVerifier VERIFIER = new PasswordVerifier();

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "bcrypt {0}")
    @ValueSource(strings = {"2a", "2b", "2y"})
    void bcryptVersions(String version) {
        BCrypt.Version v = switch (version) {
            case "2a" -> BCrypt.Version.VERSION_2A;
            case "2b" -> BCrypt.Version.VERSION_2B;
            default -> BCrypt.Version.VERSION_2Y;
        };
        String hash = BCrypt.with(v).hashToString(4, "s3cret".toCharArray());
        assertThat(hash).startsWith("$" + version + "$04$");
        assertThat(VERIFIER.verify(hash, utf8("s3cret"))).isTrue();
        assertThat(VERIFIER.verify(hash, utf8("s3creT"))).isFalse();
    }

    @Test
    @DisplayName("bcrypt: a hash from OpenBSD's test vectors (password 'abc', cost 6)")
    void bcryptKnownVector() {
        // from the OpenBSD/jBCrypt test vectors
        String hash = "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i";
        assertThat(VERIFIER.verify(hash, utf8("abc"))).isTrue();
        assertThat(VERIFIER.verify(hash, utf8("abd"))).isFalse();
    }

    @Test
    @DisplayName("$7$ as mosquitto_passwd writes it (PBKDF2-HMAC-SHA512, 101 iterations)")
    void mosquittoPbkdf2() throws Exception {
        String hash = MosquittoPasswd.hash(dir, "sha512-pbkdf2", "pässword");
        assertThat(hash).startsWith("$7$");
        assertThat(VERIFIER.verify(hash, utf8("pässword"))).isTrue();
        assertThat(VERIFIER.verify(hash, utf8("password"))).isFalse();
    }

    @Test
    @DisplayName("$6$ as mosquitto_passwd -H sha512 writes it")
    void mosquittoSha512() throws Exception {
        String hash = MosquittoPasswd.hash(dir, "sha512", "secret");
        assertThat(hash).startsWith("$6$");
        assertThat(VERIFIER.verify(hash, utf8("secret"))).isTrue();
        assertThat(VERIFIER.verify(hash, utf8("secreT"))).isFalse();
    }

    @Test
    @DisplayName("PBKDF2 over raw bytes gives what the JDK's PBKDF2WithHmacSHA512 gives for the same text")
    void pbkdf2AgreesWithTheJdk() throws Exception {
        byte[] salt = HexFormat.of().parseHex("00112233445566778899aabb");
        for (int length : new int[] {64, 100}) {
            byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(new PBEKeySpec("password".toCharArray(), salt, 1000, length * 8)).getEncoded();
            assertThat(PasswordVerifier.pbkdf2HmacSha512(utf8("password"), salt, 1000, length)).isEqualTo(jdk);
        }
    }

    @ParameterizedTest(name = "never matches: {0}")
    @ValueSource(strings = {"", "plain", "$1$abc$def", "$7$x$y$z", "$7$101$@@@$abc", "$2a$04$short",
            "$7$0$AAAA$AAAA", "$6$onlysalt"})
    void brokenHashesNeverMatch(String hash) {
        assertThat(VERIFIER.verify(hash, utf8("plain"))).isFalse();
        assertThat(VERIFIER.verify(hash, new byte[0])).isFalse();
    }

    @Test
    @DisplayName("the dummy check for an unknown user takes about as long as a real cost-10 check")
    void dummyCostsLikeARealCheck() {
        String hash = BCrypt.withDefaults().hashToString(10, "x".toCharArray());
        VERIFIER.dummyVerify(utf8("warm"));
        VERIFIER.verify(hash, utf8("warm"));
        long t0 = System.nanoTime();
        VERIFIER.dummyVerify(utf8("y"));
        long dummy = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        VERIFIER.verify(hash, utf8("y"));
        long real = System.nanoTime() - t1;
        assertThat((double) dummy).isGreaterThan(real / 4.0);
    }
}
