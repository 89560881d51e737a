package io.cairn.bench;

/** The load patterns the generator runs, by command name. */
enum Scenario {
    PAIR("pair", "N independent 1:1 pairs: publisher i -> bench/pair/<i> -> subscriber i."),
    FANIN("fanin", "N publishers (bench/fanin/<i>) -> 1 subscriber on bench/fanin/+."),
    FANOUT("fanout", "1 publisher (bench/fanout) -> N subscribers."),
    MESH("mesh", "N clients, each subscribed to bench/mesh and each publishing to it."),
    LATENCY("latency", "N ping-pong pairs: bench/ping/<i> -> ponger -> bench/pong/<i> -> pinger; round-trip"
            + " latency percentiles."),
    CONNS("conns", "N mostly idle connections with keep-alive: connect rate, broker memory per connection.");

    private final String command;
    private final String description;

    Scenario(String command, String description) {
        this.command = command;
        this.description = description;
    }

    /** The command-line name. */
    String command() {
        return command;
    }

    /** One line for the usage help. */
    String description() {
        return description;
    }
}
