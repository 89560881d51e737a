package io.cairn.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.client.MqttProtocolVersion;
import io.cairn.client.Qos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BridgeSettingsTest {

    @TempDir
    Path dir;

    private static Map<String, Object> minimal() {
        Map<String, Object> p = new HashMap<>();
        p.put("felix.fileinstall.filename", "file:/opt/cairn/etc/io.cairn.bridge-cloud.cfg");
        p.put("service.pid", "io.cairn.bridge~cloud");
        p.put("service.factoryPid", "io.cairn.bridge");
        p.put("address", "broker.example:1883");
        p.put("topic.1", "sensors/# out 1 site1/ edge/site1/");
        return p;
    }

    @Test
    void defaultsAndTheNameFromTheFile() {
        BridgeSettings s = BridgeSettings.from(minimal(), dir);
        assertThat(s.name()).isEqualTo("cloud");
        assertThat(s.host()).isEqualTo("broker.example");
        assertThat(s.port()).isEqualTo(1883);
        assertThat(s.protocol()).isEqualTo(MqttProtocolVersion.MQTT_5);
        assertThat(s.clientId()).isEqualTo("cairn-bridge-cloud");
        assertThat(s.cleanSession()).isFalse();
        assertThat(s.keepAliveSeconds()).isEqualTo(60);
        assertThat(s.maxInflight()).isEqualTo(1000);
        assertThat(s.tls()).isNull();
        assertThat(s.topics()).containsExactly(new TopicMapping("sensors/#", Direction.OUT, Qos.AT_LEAST_ONCE,
                "site1/", "edge/site1/"));
        assertThat(s.remote()).isEqualTo("mqtt://broker.example:1883 (MQTT 5)");
        assertThat(BridgeSettings.source(minimal())).isEqualTo("/opt/cairn/etc/io.cairn.bridge-cloud.cfg");
    }

    @Test
    void mappingsInKeyOrderWithMosquittoDefaults() {
        Map<String, Object> p = minimal();
        p.put("topic.10", "c/#");
        p.put("topic.2", "b/+ in 2");
        p.put("topic.3", "x both 0 \"\" up/");
        List<TopicMapping> topics = BridgeSettings.from(p, dir).topics();
        assertThat(topics).extracting(TopicMapping::pattern).containsExactly("sensors/#", "b/+", "x", "c/#");
        assertThat(topics.get(3).direction()).isEqualTo(Direction.OUT);
        assertThat(topics.get(3).qos()).isEqualTo(Qos.AT_MOST_ONCE);
        assertThat(topics.get(2).localFilter()).isEqualTo("x");
        assertThat(topics.get(2).remoteFilter()).isEqualTo("up/x");
        assertThat(topics.get(0).toRemote("site1/sensors/t")).isEqualTo("edge/site1/sensors/t");
        assertThat(topics.get(0).toLocal("edge/site1/sensors/t")).isEqualTo("site1/sensors/t");
    }

    @Test
    void tlsFilesResolveAgainstHomeAndPortDefaultsTo8883() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "x");
        Map<String, Object> p = minimal();
        p.put("address", "broker.example");
        p.put("tls.caFile", "ca.pem");
        p.put("password", "secret");
        p.put("username", "edge");
        BridgeSettings s = BridgeSettings.from(p, dir);
        assertThat(s.port()).isEqualTo(8883);
        assertThat(s.tls().caFile()).isEqualTo(dir.resolve("ca.pem").toAbsolutePath());
        assertThat(s.tls().hostnameVerification()).isTrue();
        assertThat(s.remote()).isEqualTo("mqtts://broker.example:8883 (MQTT 5)");
        assertThat(s.toString()).doesNotContain("secret");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "adress        | x:1                  | key adress: unknown key",
            "address       | host:99999           | key address: value 'host:99999' has a port outside 1..65535",
            "protocol      | mqttv4               | key protocol: value 'mqttv4' is not mqttv5 or mqttv311",
            "topic.1       | a/# sideways 1       | key topic.1: mapping 'a/# sideways 1' direction 'sideways' is not in, out or both",
            "topic.1       | a/# in 3             | key topic.1: mapping 'a/# in 3' QoS '3' is not 0, 1 or 2",
            "topic.1       | a/#/b in 1           | key topic.1: mapping 'a/#/b in 1' topic filter 'a/#/b': # must be a whole level and the last one",
            "topic.1       | a in 1 x/            | key topic.1: mapping 'a in 1 x/' has 4 parts",
            "topic.1       | a in 1 x/# y/        | key topic.1: mapping 'a in 1 x/# y/' prefix 'x/#' contains a wildcard",
            "tls.caFile    | missing-ca.pem       | key tls.caFile: value 'missing-ca.pem' file ",
            "keepAlive     | often                | key keepAlive: value 'often' is not a whole number",
            "cleanSession  | maybe                | key cleanSession: value 'maybe' is not true or false",
            "maxInflight   | 0                    | key maxInflight: value '0' is outside 1..65535",
    })
    void errorsNameTheKeyAndTheProblem(String key, String value, String message) {
        Map<String, Object> p = minimal();
        p.put(key, value);
        assertThatThrownBy(() -> BridgeSettings.from(p, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aBridgeNeedsAnAddressAndAMapping() {
        Map<String, Object> p = minimal();
        p.remove("topic.1");
        assertThatThrownBy(() -> BridgeSettings.from(p, dir)).hasMessageStartingWith("key topic.1: missing");
        Map<String, Object> q = minimal();
        q.remove("address");
        assertThatThrownBy(() -> BridgeSettings.from(q, dir)).hasMessageStartingWith("key address: missing");
    }
}
