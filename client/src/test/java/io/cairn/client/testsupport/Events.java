package io.cairn.client.testsupport;

import io.cairn.client.ConnectResult;
import io.cairn.client.ConnectionListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A connection listener that keeps the events it sees, for assertions from the test thread. */
public final class Events implements ConnectionListener {

    /**
     * One event.
     *
     * @param kind    connected, lost, reconnecting, disconnected or closed
     * @param attempt the reconnect attempt, or 0
     * @param delay   the reconnect delay, or null
     * @param cause   the cause, or null
     * @param result  the connect result, or null
     */
    public record Event(String kind, int attempt, Duration delay, Throwable cause, ConnectResult result) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void connected(ConnectResult result) {
        events.add(new Event("connected", 0, null, null, result));
    }

    @Override
    public void connectionLost(Throwable cause) {
        events.add(new Event("lost", 0, null, cause, null));
    }

    @Override
    public void reconnecting(int attempt, Duration delay, Throwable cause) {
        events.add(new Event("reconnecting", attempt, delay, cause, null));
    }

    @Override
    public void disconnected(Throwable cause) {
        events.add(new Event("disconnected", 0, null, cause, null));
    }

    @Override
    public void closed() {
        events.add(new Event("closed", 0, null, null, null));
    }

    public List<Event> all() {
        return List.copyOf(events);
    }

    public List<Event> of(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).collect(Collectors.toList());
    }

    /** The kinds in order, e.g. {@code [connected, lost, reconnecting, connected]}. */
    public List<String> kinds() {
        return events.stream().map(Event::kind).collect(Collectors.toList());
    }
}
