package io.cairn.client.testsupport;

import io.cairn.client.MessageListener;
import io.cairn.client.ReceivedMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A message listener that keeps what it receives, for assertions from the test thread. */
public final class Received implements MessageListener {

    private final List<ReceivedMessage> messages = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(ReceivedMessage message) {
        messages.add(message);
    }

    public List<ReceivedMessage> messages() {
        return List.copyOf(messages);
    }

    public int count() {
        return messages.size();
    }

    /** The payloads as UTF-8 strings, in arrival order. */
    public List<String> payloads() {
        return messages.stream().map(ReceivedMessage::payloadAsString).collect(Collectors.toList());
    }
}
