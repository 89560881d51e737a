package io.cairn.auth.file.internal;

import static io.cairn.api.auth.testing.AuthFixtures.connect;
import static io.cairn.api.auth.testing.AuthFixtures.identity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.auth.testing.AuthFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuthComponentTest {

    /** A service the component registered, while it is registered. */
    record Service(Class<?> type, Object service, Map<String, Object> properties) {
    }

    private final List<Service> registered = new CopyOnWriteArrayList<>();
    private final Registrar registrar = new Registrar() {
        @Override
        public <S> Registration register(Class<S> type, S service, Map<String, Object> properties) {
            Service s = new Service(type, service, properties);
            registered.add(s);
            return () -> registered.remove(s);
        }
    };

    @TempDir
    Path home;

    private FileAuthComponent component;

    @AfterEach
    void close() {
        if (component != null) {
            component.close();
        }
    }

    private static Map<String, Object> config(String file, Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", FileAuthComponent.PID + "~main");
        properties.put("felix.fileinstall.filename", "file:" + file);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    private FileAuthComponent start(Map<String, Object> properties) {
        component = new FileAuthComponent(registrar, home);
        component.apply(properties);
        return component;
    }

    private <S> S service(Class<S> type) {
        return registered.stream().filter(s -> s.type == type).map(s -> type.cast(s.service)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " registered: " + registered));
    }

    private static String user(String name, String password) {
        return name + ':' + PasswordHash.sha512(password.getBytes(StandardCharsets.UTF_8), new byte[12]).encode()
                + '\n';
    }

    /** Replaces {@code file} the way many editors do: write a new file, rename it over the old one. */
    private static void replace(Path file, String text) throws Exception {
        Path temp = Files.writeString(file.resolveSibling(file.getFileName() + ".new"), text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    @DisplayName("both files give an authenticator and an authorizer named after the configuration, paths relative to cairn.home")
    void registersBothProviders() throws Exception {
        Files.writeString(home.resolve("passwd"), user("alice", "secret"));
        Files.writeString(home.resolve("acl"), "user alice\ntopic readwrite alice/#\n");
        start(config("/etc/io.cairn.auth.file-main.cfg", "passwordFile", "passwd", "aclFile", "acl",
                "service.ranking", "7"));

        assertThat(registered).extracting(Service::type).containsExactlyInAnyOrder(Authenticator.class,
                Authorizer.class);
        assertThat(registered).allSatisfy(s -> assertThat(s.properties)
                .isEqualTo(Map.of("name", "main", "service.ranking", 7)));
        assertThat(service(Authenticator.class).authenticate(connect("alice", "secret")).kind())
                .isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(service(Authorizer.class).publish(identity("c", "alice"), "alice/x", QoS.AT_MOST_ONCE, false))
                .isEqualTo(Permission.ALLOW);
    }

    @Test
    @DisplayName("only a password file: only an authenticator; only an ACL file: only an authorizer")
    void registersOnlyWhatIsConfigured() throws Exception {
        Files.writeString(home.resolve("passwd"), user("alice", "secret"));
        start(config("/etc/io.cairn.auth.file-main.cfg", "passwordFile", "passwd", "name", "users"));
        assertThat(registered).singleElement().satisfies(s -> {
            assertThat(s.type).isEqualTo(Authenticator.class);
            assertThat(s.properties).containsEntry("name", "users").containsEntry("service.ranking", 0);
        });
        component.close();
        assertThat(registered).isEmpty();

        Files.writeString(home.resolve("acl"), "topic read #\n");
        start(config("/etc/io.cairn.auth.file-main.cfg", "aclFile", home.resolve("acl").toString()));
        assertThat(registered).singleElement().satisfies(s -> assertThat(s.type).isEqualTo(Authorizer.class));
    }

    @Test
    @DisplayName("edited files are reloaded: new credentials and rules apply, policy listeners are called; a bad edit keeps the old version")
    void reloadsChangedFiles() throws Exception {
        Path passwd = Files.writeString(home.resolve("passwd"), user("alice", "old"));
        Path acl = Files.writeString(home.resolve("acl"), "user alice\ntopic write a/#\n");
        start(config("/etc/io.cairn.auth.file-main.cfg", "passwordFile", "passwd", "aclFile", "acl",
                "reloadIntervalMillis", "100"));
        Authenticator authenticator = service(Authenticator.class);
        Authorizer authorizer = service(Authorizer.class);
        AtomicInteger policyChanges = new AtomicInteger();
        authorizer.addPolicyListener(() -> {
            // the new rules are in force when the listener runs
            assertThat(authorizer.publish(identity("c", "alice"), "b/1", QoS.AT_MOST_ONCE, false))
                    .isEqualTo(Permission.ALLOW);
            policyChanges.incrementAndGet();
        });

        replace(passwd, user("alice", "new"));
        replace(acl, "user alice\ntopic write b/#\n");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(authenticator.authenticate(connect("alice", "new")).kind())
                    .isEqualTo(Authentication.Kind.ACCEPT);
            assertThat(policyChanges).hasValue(1);
        });
        assertThat(authenticator.authenticate(connect("alice", "old")).kind()).isEqualTo(Authentication.Kind.REJECT);
        assertThat(authorizer.publish(identity("c", "alice"), "a/1", QoS.AT_MOST_ONCE, false))
                .isEqualTo(Permission.DEFER);

        // a broken edit of each file: the watcher reads it (the size changes), rejects it, keeps the old version
        try (ErrorLog log = new ErrorLog()) {
            replace(passwd, user("alice", "newer") + "garbage\n");
            replace(acl, "user alice\ntopic write c/#\ntopic sometimes a/b\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> log.errors().stream()
                    .filter(line -> line.contains("rejected")).count() == 2);
            assertThat(log.errors()).anySatisfy(line -> assertThat(line).contains(passwd + ":2: no ':'"));
            assertThat(log.errors()).anySatisfy(line -> assertThat(line).contains(acl + ":3: unknown access"));
        }
        assertThat(authenticator.authenticate(connect("alice", "new")).kind()).isEqualTo(Authentication.Kind.ACCEPT);
        assertThat(authorizer.publish(identity("c", "alice"), "b/1", QoS.AT_MOST_ONCE, false))
                .isEqualTo(Permission.ALLOW);
        assertThat(policyChanges).hasValue(1);
    }

    @Test
    @DisplayName("files that cannot be loaded at start fail closed: 0x88 for users, DENY for everything, until they are fixed")
    void filesMissingAtStartFailClosed() throws Exception {
        try (ErrorLog log = new ErrorLog()) {
            start(config("/etc/io.cairn.auth.file-main.cfg", "passwordFile", "passwd", "aclFile", "acl",
                    "reloadIntervalMillis", "100"));
            assertThat(log.errors()).anySatisfy(line -> assertThat(line)
                    .contains(home.resolve("passwd") + ": cannot be read"));
        }
        Authenticator authenticator = service(Authenticator.class);
        Authorizer authorizer = service(Authorizer.class);
        assertThat(authenticator.authenticate(connect("alice", "secret")).reasonCode())
                .isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(authorizer.subscribe(identity("c", null), "#", QoS.AT_MOST_ONCE)).isEqualTo(Permission.DENY);

        Files.writeString(home.resolve("passwd"), user("alice", "secret"));
        Files.writeString(home.resolve("acl"), "topic read #\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(authenticator.authenticate(connect("alice", "secret")).kind())
                    .isEqualTo(Authentication.Kind.ACCEPT);
            assertThat(authorizer.subscribe(identity("c", null), "#", QoS.AT_MOST_ONCE)).isEqualTo(Permission.ALLOW);
        });
    }

    @Test
    @DisplayName("an unknown key at start logs the file and key and registers providers that refuse and deny")
    void invalidConfigurationAtStartLocksDown() {
        String file = "/opt/cairn/etc/io.cairn.auth.file-main.cfg";
        try (ErrorLog log = new ErrorLog()) {
            start(config(file, "passwordFile", "passwd", "aclFlie", "acl"));
            assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line)
                    .contains(file).contains("unknown key aclFlie"));
        }
        assertThat(registered).extracting(Service::type).containsExactlyInAnyOrder(Authenticator.class,
                Authorizer.class);
        assertThat(service(Authenticator.class).authenticate(connect("alice", "x")).reasonCode())
                .isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(service(Authorizer.class).publish(identity("c", "alice"), "t", QoS.AT_MOST_ONCE, false))
                .isEqualTo(Permission.DENY);
        assertThat(registered).allSatisfy(s -> assertThat(s.properties).containsEntry("name", "main"));
    }

    @Test
    @DisplayName("a bad value in a changed configuration is logged with file and key, and the running one stays")
    void invalidChangeKeepsTheRunningConfiguration() throws Exception {
        Files.writeString(home.resolve("passwd"), user("alice", "secret"));
        String file = "/opt/cairn/etc/io.cairn.auth.file-main.cfg";
        start(config(file, "passwordFile", "passwd"));
        Object before = service(Authenticator.class);
        try (ErrorLog log = new ErrorLog()) {
            component.apply(config(file, "passwordFile", "passwd", "timeoutMillis", "soon"));
            assertThat(log.errors()).singleElement().satisfies(line -> assertThat(line).contains(file)
                    .contains("key timeoutMillis = 'soon' is not a whole number")
                    .contains("previous configuration stays in force"));
        }
        assertThat(service(Authenticator.class)).isSameAs(before);

        component.apply(config(file, "passwordFile", "passwd", "service.ranking", 5));
        assertThat(registered).singleElement().satisfies(s -> {
            assertThat(s.service).isNotSameAs(before);
            assertThat(s.properties).containsEntry("service.ranking", 5);
        });
    }

    @Test
    @DisplayName("a client let in anonymously is judged by the anonymous section, whatever user name it sent")
    void anonymousClientsDoNotGetAUsersRights() throws Exception {
        Files.writeString(home.resolve("acl"), "topic read public/#\nuser admin\ntopic readwrite #\n");
        start(config("/etc/io.cairn.auth.file-main.cfg", "aclFile", "acl"));
        Authorizer authorizer = service(Authorizer.class);
        assertThat(authorizer.publish(AuthFixtures.anonymous("c", "admin"), "x", QoS.AT_MOST_ONCE, false))
                .isEqualTo(Permission.DEFER);
        assertThat(authorizer.receive(AuthFixtures.anonymous("c", "admin"), "x")).isEqualTo(Permission.DENY);
        assertThat(authorizer.receive(AuthFixtures.anonymous("c", "admin"), "public/x")).isEqualTo(Permission.ALLOW);
        assertThat(authorizer.publish(identity("c", "admin"), "x", QoS.AT_MOST_ONCE, false))
                .isEqualTo(Permission.ALLOW);
    }
}
