package io.cairn.auth.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.auth.file.MosquittoTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordFileTest {

    private static final String SALT = Base64.getEncoder().encodeToString(new byte[12]);
    private static final String HASH = Base64.getEncoder().encodeToString(new byte[64]);

    @TempDir
    Path dir;

    @Test
    @DisplayName("the checked-in file written by mosquitto_passwd 2.0.11 verifies its $7$ and $6$ entries")
    void mosquittoFixture() throws Exception {
        Path fixture = Path.of(getClass().getResource("/mosquitto-2.0.11.passwd").toURI());
        PasswordFile file = PasswordFile.load(fixture);

        assertThat(file.users()).containsOnlyKeys("alice", "bob");
        assertThat(file.users().get("alice").iterations()).isEqualTo(101);
        assertThat(file.users().get("alice").verify(bytes("secret"))).isTrue();
        assertThat(file.users().get("alice").verify(bytes("Secret"))).isFalse();
        assertThat(file.users().get("bob").iterations()).isZero();
        assertThat(file.users().get("bob").verify(bytes("pw2"))).isTrue();
        assertThat(file.users().get("bob").verify(bytes("pw3"))).isFalse();
    }

    @Test
    @DisplayName("argon2id entries written by the reference implementation (argon2 CLI 20190702, Debian) verify, and "
            + "encode back unchanged")
    void argon2idReferenceVectors() {
        // echo -n "correct horse" | argon2 saltsaltsalt16b -id -t 2 -m 10 -p 1 -e
        String small = "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0MTZi$6+Z5/BvqPLj5NXKsHeQazFQS0+fzH1nP/eWBsq6+zQ0";
        // echo -n "correct horse" | argon2 somesaltvalue -id -t 3 -k 19456 -p 2 -l 32 -e
        String lanes = "$argon2id$v=19$m=19456,t=3,p=2$c29tZXNhbHR2YWx1ZQ$nBFRvvSIveWTfJKFMhAr5XNPHRB4GgxUh4MWY09v6Y4";
        for (String line : new String[] {small, lanes}) {
            PasswordHash hash = PasswordHash.parse(line);
            assertThat(hash.verify(bytes("correct horse"))).as(line).isTrue();
            assertThat(hash.verify(bytes("correct horsf"))).as(line).isFalse();
            assertThat(hash.cheap()).isFalse(); // never on a network thread
            assertThat(hash.encode()).isEqualTo(line);
        }
    }

    @Test
    @DisplayName("$6$ is SHA-512 over the password bytes, then the salt bytes")
    void sha512ByteOrder() throws Exception {
        byte[] salt = "0123456789ab".getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha = MessageDigest.getInstance("SHA-512");
        sha.update(bytes("hunter2"));
        byte[] expected = sha.digest(salt);
        String line = "$6$" + Base64.getEncoder().encodeToString(salt) + '$'
                + Base64.getEncoder().encodeToString(expected);

        assertThat(PasswordHash.parse(line).verify(bytes("hunter2"))).isTrue();
        assertThat(PasswordHash.sha512(bytes("hunter2"), salt).encode()).isEqualTo(line);
    }

    @Test
    @DisplayName("$7$ agrees with the JDK's PBKDF2WithHmacSHA512 for a UTF-8 password, and encodes back unchanged")
    void pbkdf2AgreesWithTheJdk() throws Exception {
        PasswordHash hash = PasswordHash.pbkdf2(bytes("pässword"), 1000, new SecureRandom());
        String[] parts = hash.encode().split("\\$");
        byte[] salt = Base64.getDecoder().decode(parts[3]);
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                .generateSecret(new PBEKeySpec("pässword".toCharArray(), salt, 1000, 512)).getEncoded();

        assertThat(Base64.getDecoder().decode(parts[4])).isEqualTo(jdk);
        assertThat(PasswordHash.parse(hash.encode()).encode()).isEqualTo(hash.encode());
        assertThat(hash.verify(bytes("pässword"))).isTrue();
        assertThat(hash.verify(new byte[0])).isFalse();
    }

    @Test
    @DisplayName("hashes written by the installed mosquitto_passwd (both -H forms) verify right and refuse wrong passwords")
    void realMosquittoPasswd() throws Exception {
        MosquittoTools.require(MosquittoTools.PASSWD);
        Path file = dir.resolve("passwd");
        assertThat(MosquittoTools.run(MosquittoTools.PASSWD.toString(), "-c", "-b", file.toString(), "user", "pass")
                .exitCode()).isZero();
        assertThat(MosquittoTools.run(MosquittoTools.PASSWD.toString(), "-H", "sha512", "-b", file.toString(),
                "legacy", "p@ss wörd").exitCode()).isZero();
        assertThat(MosquittoTools.run(MosquittoTools.PASSWD.toString(), "-H", "sha512-pbkdf2", "-b",
                file.toString(), "modern", "x").exitCode()).isZero();

        PasswordFile parsed = PasswordFile.load(file);
        assertThat(parsed.users().get("user").verify(bytes("pass"))).isTrue();
        assertThat(parsed.users().get("user").verify(bytes("pass "))).isFalse();
        assertThat(parsed.users().get("legacy").iterations()).isZero();
        assertThat(parsed.users().get("legacy").verify(bytes("p@ss wörd"))).isTrue();
        assertThat(parsed.users().get("legacy").verify(bytes("p@ss word"))).isFalse();
        assertThat(parsed.users().get("modern").verify(bytes("x"))).isTrue();
        assertThat(parsed.users().get("modern").verify(bytes("y"))).isFalse();
    }

    @Test
    @DisplayName("blank lines, comments, CRLF line ends and surrounding white space are accepted")
    void commentsAndBlankLines() throws Exception {
        String text = "# users\r\n\r\n  alice:$6$" + SALT + "$" + HASH + "  \r\n#bob:nothing\n";
        assertThat(PasswordFile.parse("p", text).users()).containsOnlyKeys("alice");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no colon                  | alice                               | p:2: no ':' between user name and password hash",
        "empty user name           | :$6$SALT$HASH                       | p:2: empty user name",
        "plain-text password       | alice:secret                        | p:2: user alice: the password is not hashed",
        "unknown hash type         | alice:$5$SALT$HASH                  | p:2: user alice: unknown hash type $5$",
        "argon2id memory too small | alice:$argon2id$v=19$m=1,t=1,p=1$SALT$HASH | p:2: user alice: argon2id memory m=1 KiB outside 8..",
        "argon2id wrong version    | alice:$argon2id$v=16$m=64,t=1,p=1$SALT$HASH | p:2: user alice: argon2id version 16 (expected 19)",
        "argon2id unknown key      | alice:$argon2id$v=19$m=64,t=1,x=1$SALT$HASH | p:2: user alice: unknown argon2id parameter 'x'",
        "argon2i (not argon2id)    | alice:$argon2i$v=19$m=64,t=1,p=1$SALT$HASH | p:2: user alice: only the argon2id variant",
        "bad Base64 salt           | alice:$6$!!!!$HASH                  | p:2: user alice: salt is not valid Base64",
        "bad Base64 hash           | alice:$7$101$SALT$%%%               | p:2: user alice: hash is not valid Base64",
        "short hash                | alice:$6$SALT$AAAA                  | p:2: user alice: hash of 3 bytes (expected 64)",
        "short salt                | alice:$6$AAAA$HASH                  | p:2: user alice: salt of 3 bytes (expected 8..64)",
        "iterations not a number   | alice:$7$many$SALT$HASH             | p:2: user alice: iterations 'many' is not a number",
        "too many iterations       | alice:$7$2000000000$SALT$HASH       | p:2: user alice: iterations 2000000000 outside 1..10000000",
        "missing part              | alice:$7$101$HASH                   | p:2: user alice: a $7$ hash has the form",
        "duplicate user            | root:$6$SALT$HASH                   | p:2: user root already defined on line 1",
    })
    void badLines(String kind, String line, String message) {
        String text = "root:$6$" + SALT + "$" + HASH + "\n" + line.replace("SALT", SALT).replace("HASH", HASH) + "\n";
        assertThatThrownBy(() -> PasswordFile.parse("p", text))
                .isInstanceOfSatisfying(InvalidFileException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(p -> assertThat(p).startsWith(message)));
    }

    @Test
    @DisplayName("every bad line of a file is reported, each with its line number, and no problem shows a hash")
    void everyProblemIsReported() {
        String text = "a\nb:$6$" + SALT + "$" + HASH + "\nc:plain\n\nb:$6$" + SALT + "$" + HASH + "\n";
        assertThatThrownBy(() -> PasswordFile.parse("etc/passwd", text))
                .isInstanceOfSatisfying(InvalidFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "etc/passwd:1: no ':' between user name and password hash",
                        "etc/passwd:3: user c: the password is not hashed (expected $6$, $7$ or $argon2id$; use cairn-passwd)",
                        "etc/passwd:5: user b already defined on line 2"));
    }

    @Test
    @DisplayName("a file that is not there is one problem naming the file")
    void missingFile() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> PasswordFile.load(missing))
                .isInstanceOfSatisfying(InvalidFileException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(p -> assertThat(p).startsWith(missing + ": cannot be read")));
    }

    @Test
    @DisplayName("a file that is not UTF-8 is refused")
    void notUtf8() throws Exception {
        Path file = Files.write(dir.resolve("latin1"), new byte[] {'a', (byte) 0xE9, ':', '$'});
        assertThatThrownBy(() -> PasswordFile.load(file)).hasMessageContaining("not valid UTF-8");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
