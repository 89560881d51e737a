package io.cairn.example.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RewriteRuleTest {

    @Test
    void plusLevelsFillTheTemplateInOrder() {
        RewriteRule rule = RewriteRule.of("site/+/sensors/+/temp", "plant/{1}/{2}/temperature");
        assertThat(rule.apply("site/north/sensors/boiler-7/temp")).isEqualTo("plant/north/boiler-7/temperature");
        assertThat(rule.apply("site/north/sensors/boiler-7/humidity")).isNull();
        assertThat(rule.apply("site/north/sensors/temp")).isNull();
        assertThat(rule.apply("site/north/sensors/boiler-7/temp/extra")).isNull();
    }

    @Test
    void hashTakesTheRestIncludingNothing() {
        RewriteRule rule = RewriteRule.of("legacy/#", "v2/{#}");
        assertThat(rule.apply("legacy/a/b/c")).isEqualTo("v2/a/b/c");
        assertThat(rule.apply("legacy")).isEqualTo("v2");
        assertThat(rule.apply("other/a")).isNull();
    }

    @Test
    void levelsAreComparedWhole() {
        RewriteRule rule = RewriteRule.of("a/+/c", "x/{1}");
        assertThat(rule.apply("a/b/c")).isEqualTo("x/b");
        assertThat(rule.apply("a//c")).as("an empty level is a level").isEqualTo("x/");
        assertThat(rule.apply("ab/b/c")).isNull();
        assertThat(rule.apply("a/b/cd")).isNull();
        assertThat(rule.apply("a/b/c/")).as("a trailing empty level").isNull();
        assertThat(rule.apply("a/b")).isNull();
        assertThat(RewriteRule.of("a/b", "x").apply("a/b")).isEqualTo("x");
        assertThat(RewriteRule.of("a/+", "x/{1}").apply("a/")).isEqualTo("x/");
        assertThat(RewriteRule.of("a/#", "x/{#}").apply("a/")).isEqualTo("x");
        assertThat(RewriteRule.of("a/#", "x/{#}").apply("a//b")).isEqualTo("x//b");
        assertThat(RewriteRule.of("$SYS/#", "sys/{#}").apply("$SYS/broker/uptime")).isEqualTo("sys/broker/uptime");
    }

    @Test
    void wildcardsDoNotMatchSysTopics() {
        assertThat(RewriteRule.of("#", "all/{#}").apply("$SYS/broker/uptime")).isNull();
        assertThat(RewriteRule.of("+/x", "y/{1}").apply("$share/x")).isNull();
    }

    @Test
    void invalidRulesNameTheKeyAndTheProblem() {
        assertThatThrownBy(() -> RewriteRule.of("a/#/b", "x")).hasMessage("from: 'a/#/b': # must be the last level");
        assertThatThrownBy(() -> RewriteRule.of("a/b+", "x")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> RewriteRule.of("a/+", "x/{2}")).hasMessage("to: 'x/{2}': {2} but from has 1 +");
        assertThatThrownBy(() -> RewriteRule.of("a/+", "x/{#}")).hasMessage("to: 'x/{#}': {#} but from has no #");
        assertThatThrownBy(() -> RewriteRule.of("a/+", "x/+")).hasMessageContaining("no wildcards");
        assertThatThrownBy(() -> RewriteRule.of(null, "x")).hasMessageStartingWith("from: missing");
        assertThatThrownBy(() -> RewriteRule.of("a", "")).hasMessageStartingWith("to: missing");
    }
}
