package io.cairn.auth.file.internal;

import static io.cairn.api.auth.Permission.ALLOW;
import static io.cairn.api.auth.Permission.DEFER;
import static io.cairn.api.auth.Permission.DENY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.api.auth.Permission;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclRulesTest {

    private static AclRules parse(String... lines) throws InvalidFileException {
        return AclRules.parse("acl", String.join("\n", lines) + "\n");
    }

    private static Permission publish(AclRules acl, String user, String topic) {
        int bits = acl.match("c1", user, topic);
        return (bits & AclRules.DENY) != 0 ? DENY : (bits & AclRules.WRITE) != 0 ? ALLOW : DEFER;
    }

    @ParameterizedTest(name = "publish {0} -> {1}")
    @CsvSource({
        "sensors/1/temp, ALLOW",      // + in the middle
        "sensors/1/temp/x, DEFER",    // + is one level
        "sensors//temp, ALLOW",       // + matches an empty level
        "logs, ALLOW",                // logs/# matches its parent
        "logs/a/b/c, ALLOW",
        "logsx, DEFER",
        "cmd/x, DEFER",               // read only
        "logs/secret/k, DENY",        // deny wins over logs/#
        "logs/secret, DENY",
        "exact/topic, ALLOW",
        "exact/topic/, DEFER",        // a trailing empty level is another topic
    })
    void publishMatching(String topic, Permission expected) throws Exception {
        AclRules acl = parse("user alice", "topic write sensors/+/temp", "topic readwrite logs/#", "topic read cmd/#",
                "topic deny logs/secret/#", "topic exact/topic");
        assertThat(publish(acl, "alice", topic)).isEqualTo(expected);
    }

    @Test
    @DisplayName("wildcards at the first level do not match $ topics; a rule naming $SYS does")
    void dollarTopics() throws Exception {
        AclRules acl = parse("user alice", "topic #", "topic read $SYS/broker/#", "user bob", "topic +/x");
        assertThat(publish(acl, "alice", "$SYS/broker/load")).isEqualTo(DEFER);
        assertThat(acl.receive("c1", "alice", "$SYS/broker/load")).isEqualTo(ALLOW);
        assertThat(acl.receive("c1", "alice", "$SYS/other")).isEqualTo(DENY);
        assertThat(publish(acl, "alice", "a/b")).isEqualTo(ALLOW);
        assertThat(publish(acl, "bob", "$x/x")).isEqualTo(DEFER);
        assertThat(publish(acl, "bob", "y/x")).isEqualTo(ALLOW);
        assertThat(acl.subscribe("c1", "alice", "#")).isEqualTo(ALLOW);
        assertThat(acl.subscribe("c1", "alice", "$SYS/#")).isEqualTo(ALLOW);
        assertThat(acl.subscribe("c1", "bob", "$SYS/#")).isEqualTo(DEFER);
    }

    @Test
    @DisplayName("lines before the first user apply to clients without a user name only")
    void anonymousSection() throws Exception {
        AclRules acl = parse("topic read public/#", "user alice", "topic write alice/#");
        assertThat(acl.receive("c1", null, "public/news")).isEqualTo(ALLOW);
        assertThat(acl.subscribe("c1", null, "public/+")).isEqualTo(ALLOW);
        assertThat(publish(acl, null, "alice/x")).isEqualTo(DEFER);
        assertThat(acl.receive("c1", "alice", "public/news")).isEqualTo(DENY);
        assertThat(publish(acl, "alice", "alice/x")).isEqualTo(ALLOW);
    }

    @Test
    @DisplayName("a client without any rule is deferred everywhere; one with rules is denied what they do not grant on receive")
    void clientsWithoutRules() throws Exception {
        AclRules acl = parse("user alice", "topic read a/#");
        assertThat(publish(acl, "mallory", "a/b")).isEqualTo(DEFER);
        assertThat(acl.subscribe("c1", "mallory", "#")).isEqualTo(DEFER);
        assertThat(acl.receive("c1", "mallory", "a/b")).isEqualTo(DEFER);
        assertThat(acl.receive("c1", "alice", "b/c")).isEqualTo(DENY);
    }

    @Test
    @DisplayName("patterns substitute %c and %u; a %u pattern skips clients without a user name")
    void patterns() throws Exception {
        AclRules acl = parse("pattern write devices/%c/up", "pattern read users/%u/#", "user alice",
                "topic read shared/#");
        assertThat(acl.match("dev7", "alice", "devices/dev7/up") & AclRules.WRITE).isNotZero();
        assertThat(acl.match("dev7", "alice", "devices/dev8/up")).isZero();
        assertThat(acl.receive("dev7", "alice", "users/alice/inbox")).isEqualTo(ALLOW);
        assertThat(acl.receive("dev7", "alice", "users/bob/inbox")).isEqualTo(DENY);
        assertThat(acl.receive("dev7", "alice", "shared/x")).isEqualTo(ALLOW);
        // the same client id with another user gets that user's rules, not the cached ones
        assertThat(acl.receive("dev7", "bob", "users/bob/inbox")).isEqualTo(ALLOW);
        assertThat(acl.receive("dev7", "bob", "shared/x")).isEqualTo(DENY);
        // no user name: only the %c pattern
        assertThat(acl.match("dev9", null, "devices/dev9/up") & AclRules.WRITE).isNotZero();
        assertThat(acl.receive("dev9", null, "users//inbox")).isEqualTo(DENY);
    }

    @Test
    @DisplayName("a client id or user name with wildcards does not widen an allowing pattern, and turns a denying one into deny-all")
    void wildcardsInSubstitutions() throws Exception {
        AclRules acl = parse("pattern readwrite devices/%c/#", "user eve", "topic readwrite public/#",
                "pattern deny private/%u/#");
        assertThat(acl.match("#", "alice", "devices/other/x")).isZero();
        assertThat(acl.match("+", "alice", "devices/other/x")).isZero();
        assertThat(publish(acl, "eve+", "public/x")).isEqualTo(DENY);
        assertThat(publish(acl, "eve", "public/x")).isEqualTo(ALLOW);
    }

    @ParameterizedTest(name = "subscribe {0} -> {1}")
    @CsvSource({
        "a/b/c, ALLOW",        // exactly a rule
        "a/+/c, ALLOW",        // intersects a/b/c
        "a/#, ALLOW",          // contains a/b/c
        "#, ALLOW",
        "+/+/+, ALLOW",
        "a/b, DEFER",          // no read rule matches a/b
        "x/y, ALLOW",          // read x/# covers it
        "x/secret/#, DENY",    // the deny covers the whole filter
        "x/secret, DENY",
        "x/+, ALLOW",          // x/secret denied per message, x/other allowed
        "x/#, ALLOW",
        "q/1, DEFER",          // write only
        "$share/g/a/b/c, ALLOW",
        "$share/g/x/secret/k, DENY",
    })
    void subscribeIntersection(String filter, Permission expected) throws Exception {
        AclRules acl = parse("user alice", "topic read a/b/c", "topic read x/#", "topic deny x/secret/#",
                "topic write q/+");
        assertThat(acl.subscribe("c1", "alice", filter)).isEqualTo(expected);
    }

    @Test
    @DisplayName("a deny that covers part of a subscription leaves the subscription allowed and filters on receive")
    void partialDenyFiltersOnReceive() throws Exception {
        AclRules acl = parse("user alice", "topic read #", "topic deny +/private");
        assertThat(acl.subscribe("c1", "alice", "#")).isEqualTo(ALLOW);
        assertThat(acl.subscribe("c1", "alice", "home/private")).isEqualTo(DENY);
        assertThat(acl.subscribe("c1", "alice", "+/private")).isEqualTo(DENY);
        assertThat(acl.subscribe("c1", "alice", "home/+")).isEqualTo(ALLOW);
        assertThat(acl.receive("c1", "alice", "home/private")).isEqualTo(DENY);
        assertThat(acl.receive("c1", "alice", "home/public")).isEqualTo(ALLOW);
        assertThat(acl.receive("c1", "alice", "home/private/x")).isEqualTo(ALLOW);
    }

    @Test
    @DisplayName("a file of 100 users with 10 rules each (1,000 rules) answers each user's own rules exactly")
    void thousandRules() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int u = 0; u < 100; u++) {
            text.append("user u").append(u).append('\n');
            for (int r = 0; r < 10; r++) {
                text.append("topic write site/").append(u).append("/dev").append(r).append("/+\n");
            }
        }
        AclRules acl = AclRules.parse("acl", text.toString());
        assertThat(acl.rules()).isEqualTo(1000);
        for (int u = 0; u < 100; u++) {
            for (int r = 0; r < 10; r++) {
                assertThat(publish(acl, "u" + u, "site/" + u + "/dev" + r + "/temp")).isEqualTo(ALLOW);
                assertThat(publish(acl, "u" + u, "site/" + ((u + 1) % 100) + "/dev" + r + "/temp")).isEqualTo(DEFER);
                assertThat(publish(acl, "u" + u, "site/" + u + "/dev" + r)).isEqualTo(DEFER);
            }
            assertThat(publish(acl, "u" + u, "site/" + u + "/dev10/temp")).isEqualTo(DEFER);
        }
    }

    @Test
    @DisplayName("every bad line is reported as file:line: problem")
    void badLines() {
        String text = String.join("\n", "# ok", "topic read a/#", "user", "topic", "topic read", "topic sometimes a/b",
                "topic read a/#/b", "topic read a/b+", "pattern write x/%c#", "group admins", "topic write a/#x", "");
        assertThatThrownBy(() -> AclRules.parse("etc/acl", text))
                .isInstanceOfSatisfying(InvalidFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "etc/acl:3: 'user' needs a user name",
                        "etc/acl:4: 'topic' needs a topic filter",
                        "etc/acl:5: 'topic read' needs a topic filter",
                        "etc/acl:6: unknown access 'sometimes' (expected read, write, readwrite or deny)",
                        "etc/acl:7: '#' must be the last level in topic filter 'a/#/b'",
                        "etc/acl:8: '+' must be a whole level in topic filter 'a/b+'",
                        "etc/acl:9: '#' must be a whole level in topic filter 'x/%c#'",
                        "etc/acl:10: unknown keyword 'group' (expected user, topic or pattern)",
                        "etc/acl:11: '#' must be a whole level in topic filter 'a/#x'"));
    }
}
