package io.cairn.auth.file;

import static io.cairn.api.auth.testing.AuthFixtures.connect;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.Authentication;
import io.cairn.api.message.ReasonCode;
import io.cairn.auth.file.internal.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuthenticatorTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private FileAuthenticator authenticator;

    @AfterEach
    void close() {
        if (authenticator != null) {
            authenticator.close();
        }
    }

    private static String line(String user, String password, int iterations) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        PasswordHash hash = iterations == 0 ? PasswordHash.sha512(bytes, new byte[12])
                : PasswordHash.pbkdf2(bytes, iterations, RANDOM);
        return user + ':' + hash.encode() + '\n';
    }

    /** The final decision: a later answer is waited for (its work runs on the authenticator's threads). */
    private static Authentication decide(Authentication a) throws Exception {
        if (a.kind() != Authentication.Kind.LATER) {
            return a;
        }
        return a.answer().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private FileAuthenticator open(String text, boolean rejectUnknown) throws Exception {
        Path file = Files.writeString(dir.resolve("passwd"), text);
        authenticator = FileAuthenticator.builder(file).rejectUnknownUsers(rejectUnknown)
                .timeout(Duration.ofSeconds(3)).build();
        return authenticator;
    }

    @Test
    @DisplayName("cheap hashes answer at once: accept with the user name, reject 0x86 for a wrong or missing password")
    void cheapHashesInline() throws Exception {
        open(line("alice", "secret", 101) + line("bob", "pw", 0), false);

        Authentication ok = authenticator.authenticate(connect("alice", "secret"));
        assertThat(ok.kind()).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(ok.attributes()).isEqualTo(Map.of("username", "alice"));
        assertThat(authenticator.authenticate(connect("bob", "pw")).kind()).isEqualTo(Authentication.Kind.ACCEPT);

        Authentication wrong = authenticator.authenticate(connect("alice", "Secret"));
        assertThat(wrong.kind()).isEqualTo(Authentication.Kind.REJECT);
        assertThat(wrong.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(wrong.reasonString()).isEqualTo("bad user name or password");
        assertThat(authenticator.authenticate(connect("bob", null)).reasonCode())
                .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    @DisplayName("no user name and unknown users defer by default; with rejectUnknownUsers an unknown user gets the same reject as a wrong password")
    void unknownUsers() throws Exception {
        open(line("alice", "secret", 101), false);
        assertThat(authenticator.authenticate(connect(null, null)).kind()).isEqualTo(Authentication.Kind.DEFER);
        assertThat(authenticator.authenticate(connect("mallory", "x")).kind()).isEqualTo(Authentication.Kind.DEFER);
        authenticator.close();

        open(line("alice", "secret", 101), true);
        assertThat(authenticator.authenticate(connect(null, null)).kind()).isEqualTo(Authentication.Kind.DEFER);
        Authentication unknown = authenticator.authenticate(connect("mallory", "x"));
        Authentication wrong = authenticator.authenticate(connect("alice", "x"));
        assertThat(unknown.kind()).isEqualTo(Authentication.Kind.REJECT);
        assertThat(unknown.reasonCode()).isEqualTo(wrong.reasonCode());
        assertThat(unknown.reasonString()).isEqualTo(wrong.reasonString());
    }

    @Test
    @DisplayName("expensive hashes answer later, off the calling thread, with a 0x88 fallback; the answer is then cached")
    void expensiveHashesLater() throws Exception {
        open(line("alice", "secret", 20_000), false);
        String caller = Thread.currentThread().getName();

        Authentication first = authenticator.authenticate(connect("alice", "secret"));
        assertThat(first.kind()).isEqualTo(Authentication.Kind.LATER);
        assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(first.fallback().reasonCode()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        String[] worker = new String[1];
        Authentication decided = first.answer().thenApply(a -> {
            worker[0] = Thread.currentThread().getName();
            return a;
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(decided.kind()).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(worker[0]).isNotEqualTo(caller);

        // a reconnect with the same credentials is answered from the cache, at once
        assertThat(authenticator.authenticate(connect("alice", "secret")).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
        // a wrong password is never cached
        Authentication wrong = authenticator.authenticate(connect("alice", "nope"));
        assertThat(wrong.kind()).isEqualTo(Authentication.Kind.LATER);
        assertThat(decide(wrong).reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        // an unknown user costs the same kind of check, then defers
        Authentication unknown = authenticator.authenticate(connect("mallory", "secret"));
        assertThat(unknown.kind()).isEqualTo(Authentication.Kind.LATER);
        assertThat(decide(unknown).kind()).isEqualTo(Authentication.Kind.DEFER);
    }

    @Test
    @DisplayName("a reload empties the cache: a changed password is refused at once")
    void reloadInvalidatesTheCache() throws Exception {
        open(line("alice", "old", 20_000), false);
        assertThat(decide(authenticator.authenticate(connect("alice", "old"))).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(authenticator.authenticate(connect("alice", "old")).kind()).isEqualTo(Authentication.Kind.ACCEPT);

        Files.writeString(authenticator.file(), line("alice", "new", 20_000));
        assertThat(authenticator.reload()).isTrue();

        assertThat(decide(authenticator.authenticate(connect("alice", "old"))).kind())
                .isEqualTo(Authentication.Kind.REJECT);
        assertThat(decide(authenticator.authenticate(connect("alice", "new"))).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
    }

    @Test
    @DisplayName("an invalid new version keeps the old one in force")
    void badReloadKeepsTheOldVersion() throws Exception {
        open(line("alice", "secret", 0), false);
        Files.writeString(authenticator.file(), line("alice", "other", 0) + "broken line\n");

        assertThat(authenticator.reload()).isFalse();
        assertThat(authenticator.loaded()).isTrue();
        assertThat(authenticator.authenticate(connect("alice", "secret")).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
    }

    @Test
    @DisplayName("while no version could be loaded, clients with a user name get 0x88 and those without are deferred")
    void neverLoaded() throws Exception {
        authenticator = FileAuthenticator.builder(dir.resolve("missing")).build();
        assertThat(authenticator.loaded()).isFalse();
        Authentication a = authenticator.authenticate(connect("alice", "secret"));
        assertThat(a.kind()).isEqualTo(Authentication.Kind.REJECT);
        assertThat(a.reasonCode()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(authenticator.authenticate(connect(null, null)).kind()).isEqualTo(Authentication.Kind.DEFER);

        Files.writeString(dir.resolve("missing"), line("alice", "secret", 0));
        assertThat(authenticator.reload()).isTrue();
        assertThat(authenticator.authenticate(connect("alice", "secret")).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
    }
}
