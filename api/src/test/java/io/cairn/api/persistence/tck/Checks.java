package io.cairn.api.persistence.tck;

import static io.cairn.api.persistence.tck.Fixtures.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Assertions and bounded waits shared by the contract suites. */
final class Checks {

    private Checks() {
    }

    /** Asserts field by field that two messages are equal, so that a failure names the field that differs. */
    static void assertSameMessage(Message actual, Message expected) {
        String topic = expected.topic();
        assertThat(actual.topic()).as("topic").isEqualTo(topic);
        assertThat(actual.qos()).as("qos of %s", topic).isEqualTo(expected.qos());
        assertThat(actual.retain()).as("retain of %s", topic).isEqualTo(expected.retain());
        assertThat(actual.payloadBytes()).as("payload of %s", topic).isEqualTo(expected.payloadBytes());
        assertThat(actual.properties().messageExpiryInterval()).as("message expiry of %s", topic)
                .isEqualTo(expected.properties().messageExpiryInterval());
        assertThat(actual.properties().contentType()).as("content type of %s", topic)
                .isEqualTo(expected.properties().contentType());
        assertThat(actual.properties().utf8Payload()).as("payload format of %s", topic)
                .isEqualTo(expected.properties().utf8Payload());
        assertThat(actual.properties().responseTopic()).as("response topic of %s", topic)
                .isEqualTo(expected.properties().responseTopic());
        assertThat(actual.properties().correlationData()).as("correlation data of %s", topic)
                .isEqualTo(expected.properties().correlationData());
        assertThat(actual.properties().userProperties()).as("user properties of %s", topic)
                .containsExactlyElementsOf(expected.properties().userProperties());
        assertThat(actual).as("message %s", topic).isEqualTo(expected);
    }

    /** Asserts that a {@code sync()} stage completes normally within the bound. */
    static void assertCompletes(CompletionStage<Void> stage) throws Exception {
        assertThat(stage).as("sync()").isNotNull();
        stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits, bounded, until the test opens the start gate that lines its threads up. */
    static void awaitStart(CountDownLatch start) throws InterruptedException {
        if (!start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("start gate not opened within " + TIMEOUT_SECONDS + " s");
        }
    }

    /** Stops the threads of a test and asserts they ended within the bound. */
    static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("executor terminated").isTrue();
    }
}
