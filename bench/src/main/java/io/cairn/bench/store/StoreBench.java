package io.cairn.bench.store;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.OutboundMessage;
import io.cairn.api.persistence.OutboundState;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.Subscription;
import io.cairn.bench.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Drives a {@link SessionStore} / {@link RetainedStore} through the persistence SPI the way the kernel does, to
 * compare storage engines: {@code java -cp cairn-bench.jar io.cairn.bench.store.StoreBench <workload> [options]}
 * (or {@code bench/store.sh}). Prints a human line and a JSON line to stdout. Exit codes: 0 the run is valid,
 * 1 a check failed (a sync did not complete, a reopened store lost something), 2 usage error, 3 the store could
 * not be opened. See docs/persistence-engine.md.
 */
@Command(name = "store-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Persistence SPI load: queue, fanin, retained, sessions against mem, file or mvstore.",
                "queue:    each thread owns one persistent subscriber; per message addOutbound (QoS 1), sync()"
                        + " and wait, updateOutbound SENT, removeOutbound.",
                "fanin:    --threads publishers, one subscriber; the subscriber's store calls go through one"
                        + " thread (the kernel calls a client's methods from one thread at a time); each"
                        + " publisher waits for sync() before its next message (its PUBACK waits for disk).",
                "retained: put --messages retained messages, sync, close, reopen, forEach over all.",
                "sessions: save --messages sessions with 2 subscriptions and 10 queued messages each (save,"
                        + " putSubscription, addOutbound), sync, close, reopen, forEach over all."})
public final class StoreBench implements Callable<Integer> {

    /** What the run does. */
    enum Workload { QUEUE, FANIN, RETAINED, SESSIONS }

    private static final long SYNC_TIMEOUT_SECONDS = 60;
    private static final int QUEUED_PER_SESSION = 10;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "queue, fanin, retained or sessions")
    Workload workload;

    @Option(names = "--store", description = "mem, file or mvstore (default: ${DEFAULT-VALUE})")
    Candidate.Kind store = Candidate.Kind.MEM;

    @Option(names = "--durability", description = "sync: sync() waits for an fsync (group commit); periodic: the"
            + " store fsyncs every --fsync-interval-ms and sync() completes at once (default: ${DEFAULT-VALUE})")
    Candidate.Durability durability = Candidate.Durability.SYNC;

    @Option(names = "--fsync-interval-ms", description = "periodic: fsync interval (default: ${DEFAULT-VALUE})")
    long fsyncIntervalMillis = 100;

    @Option(names = "--dir", description = "store directory; must not exist or be empty (default: a new directory"
            + " storebench-* in the working directory); removed after the run unless --keep")
    Path dir;

    @Option(names = "--keep", description = "keep the store directory")
    boolean keep;

    @Option(names = "--threads", description = "writer threads (default: fanin 16, else 4)")
    Integer threads;

    @Option(names = "--messages", description = "queue/fanin: most messages; retained: messages; sessions:"
            + " sessions (default: queue/fanin 10000000, retained 1000000, sessions 100000)")
    Long messages;

    @Option(names = "--seconds", description = "longest measured phase: the message loop, the put or save phase"
            + " (default: ${DEFAULT-VALUE})")
    int seconds = 10;

    @Option(names = "--warmup", description = "queue/fanin: seconds of the same load before the measured one"
            + " (default: ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--size", description = "payload bytes (default: ${DEFAULT-VALUE})")
    int size = 64;

    @Option(names = "--compact", description = "retained/sessions: compact the store (compactNow) after the final"
            + " sync and before close, so the disk figure is of live data only")
    boolean compact;

    @Option(names = "--label", description = "copied into the JSON line")
    String label = "";

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs the command line with {@code args}; results to {@code out}, messages to {@code err}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new StoreBench());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** A failed check: exit code 1. */
    static final class CheckFailed extends Exception {
        private static final long serialVersionUID = 1L;

        CheckFailed(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        int threadCount = threads != null ? threads : workload == Workload.FANIN ? 16 : 4;
        long count = messages != null ? messages : switch (workload) {
            case QUEUE, FANIN -> 10_000_000L;
            case RETAINED -> 1_000_000L;
            case SESSIONS -> 100_000L;
        };
        if (threadCount < 1 || threadCount > 1024) {
            throw new ParameterException(spec.commandLine(), "--threads must be 1..1024, not " + threadCount);
        }
        if (count < 1 || count > Integer.MAX_VALUE) {
            throw new ParameterException(spec.commandLine(), "--messages must be 1.." + Integer.MAX_VALUE);
        }
        if (seconds < 1 || warmup < 0 || size < 0 || fsyncIntervalMillis < 1) {
            throw new ParameterException(spec.commandLine(), "--seconds must be at least 1, --warmup and --size"
                    + " at least 0, --fsync-interval-ms at least 1");
        }
        Path directory = dir != null ? dir : Files.createTempDirectory(Path.of("").toAbsolutePath(), "storebench-");
        if (Files.isDirectory(directory)) {
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.findAny().isPresent()) {
                    throw new ParameterException(spec.commandLine(), "--dir " + directory + " is not empty");
                }
            }
        } else {
            Files.createDirectories(directory);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", "store-bench");
        json.put("workload", workload.name().toLowerCase(Locale.ROOT));
        json.put("store", store.name().toLowerCase(Locale.ROOT));
        json.put("durability", store == Candidate.Kind.MEM ? "none" : durability.name().toLowerCase(Locale.ROOT));
        if (durability == Candidate.Durability.PERIODIC && store != Candidate.Kind.MEM) {
            json.put("fsync_interval_ms", fsyncIntervalMillis);
        }
        json.put("threads", threadCount);
        json.put("size", size);
        json.put("label", label);
        json.put("fs", Files.getFileStore(directory).type());
        json.put("load1_at_start", loadAverage());
        StringBuilder human = new StringBuilder(String.format(Locale.ROOT, "%s store=%s durability=%s threads=%d",
                json.get("workload"), json.get("store"), json.get("durability"), threadCount));
        int code = 0;
        try {
            switch (workload) {
                case QUEUE, FANIN -> flow(directory, threadCount, count, json, human);
                case RETAINED -> retained(directory, threadCount, (int) count, json, human);
                case SESSIONS -> sessions(directory, threadCount, (int) count, json, human);
                default -> throw new IllegalStateException();
            }
            json.put("ok", true);
        } catch (CheckFailed e) {
            json.put("ok", false);
            json.put("error", e.getMessage());
            human.append(" FAILED: ").append(e.getMessage());
            code = 1;
        } catch (IOException | ReflectiveOperationException e) {
            err.println("store-bench: cannot open the " + json.get("store") + " store: " + e);
            err.flush();
            return 3;
        } finally {
            if (!keep) {
                deleteTree(directory);
            }
        }
        out.println(human);
        out.println(Json.object(json));
        out.flush();
        return code;
    }

    private Candidate open(Path directory, Candidate previous) throws Exception {
        return Candidate.open(store, directory, durability, fsyncIntervalMillis, previous);
    }

    private byte[] payload() {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        return payload;
    }

    private static void await(CompletionStage<Void> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CheckFailed("sync() did not complete within " + SYNC_TIMEOUT_SECONDS + " s");
        }
    }

    private static SessionState subscriber(String clientId, String filter) {
        return new SessionState(clientId, SessionState.NEVER_EXPIRES, 0,
                List.of(Subscription.of(filter, QoS.AT_LEAST_ONCE)), List.of(), Set.of(), null);
    }

    // queue and fanin

    /** One message of the flow workloads, from the first store call to the last; returns the sync wait (ns). */
    private interface Step {
        long run(int thread, long index) throws Exception;
    }

    private void flow(Path directory, int threadCount, long count, Map<String, Object> json, StringBuilder human)
            throws Exception {
        Candidate c = open(directory, null);
        ExecutorService subscriberThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "subscriber"));
        try {
            SessionStore sessions = c.sessions();
            byte[] payload = payload();
            Step step;
            if (workload == Workload.QUEUE) {
                long[] sequences = new long[threadCount];
                for (int t = 0; t < threadCount; t++) {
                    sessions.save(subscriber("queue-" + t, "bench/" + t));
                }
                Message[] messages = new Message[threadCount];
                for (int t = 0; t < threadCount; t++) {
                    messages[t] = Message.of("bench/" + t, payload, QoS.AT_LEAST_ONCE, false);
                }
                step = (t, i) -> {
                    String id = "queue-" + t;
                    long seq = ++sequences[t];
                    sessions.addOutbound(id, new OutboundMessage(seq, messages[t], 0, OutboundState.QUEUED,
                            System.currentTimeMillis()));
                    long start = System.nanoTime();
                    await(sessions.sync());
                    long waited = System.nanoTime() - start;
                    sessions.updateOutbound(id, seq, (int) (seq % 65_535) + 1, OutboundState.SENT);
                    sessions.removeOutbound(id, seq);
                    return waited;
                };
            } else {
                String id = "fanin-sub";
                sessions.save(subscriber(id, "bench/#"));
                int publishers = Math.max(16, threadCount);
                Message[] messages = new Message[publishers];
                for (int p = 0; p < publishers; p++) {
                    messages[p] = Message.of("bench/" + p, payload, QoS.AT_LEAST_ONCE, false);
                }
                long[] sequence = new long[1];
                step = (t, i) -> {
                    // publisher client ids are spread over the threads: thread t publishes as t, t+T, t+2T, ...
                    Message m = messages[(int) ((t + i * threadCount) % publishers)];
                    Future<Long> added = subscriberThread.submit(() -> {
                        long seq = ++sequence[0];
                        sessions.addOutbound(id, new OutboundMessage(seq, m, 0, OutboundState.QUEUED,
                                System.currentTimeMillis()));
                        return seq;
                    });
                    long seq = added.get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    long start = System.nanoTime();
                    await(sessions.sync());
                    long waited = System.nanoTime() - start;
                    subscriberThread.execute(() -> {
                        sessions.updateOutbound(id, seq, (int) (seq % 65_535) + 1, OutboundState.SENT);
                        sessions.removeOutbound(id, seq);
                    });
                    return waited;
                };
            }
            await(sessions.sync());
            if (warmup > 0) {
                runFlow(step, threadCount, count, warmup);
            }
            FlowResult r = runFlow(step, threadCount, count, seconds);
            Histogram h = r.syncWait;
            double rate = r.messages / r.seconds;
            json.put("messages", r.messages);
            json.put("seconds", r.seconds);
            json.put("msgs_per_s", rate);
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("p50", h.getValueAtPercentile(50));
            latency.put("p99", h.getValueAtPercentile(99));
            latency.put("p999", h.getValueAtPercentile(99.9));
            latency.put("max", h.getMaxValue());
            latency.put("count", h.getTotalCount());
            json.put("sync_us", latency);
            json.put("disk_bytes", c.diskBytes());
            human.append(String.format(Locale.ROOT, ": %,.0f msg/s (%,d in %.1f s), sync wait p50=%d p99=%d"
                            + " max=%d us, disk %,d bytes", rate, r.messages, r.seconds,
                    h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue(), c.diskBytes()));
        } finally {
            subscriberThread.shutdown();
            if (!subscriberThread.awaitTermination(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                subscriberThread.shutdownNow();
            }
            c.close();
        }
    }

    private record FlowResult(long messages, double seconds, Histogram syncWait) {
    }

    /** Runs {@code step} on every thread until {@code count} messages are done or {@code limit} seconds passed. */
    private static FlowResult runFlow(Step step, int threadCount, long count, int limit) throws Exception {
        AtomicLong budget = new AtomicLong(count);
        LongAdder done = new LongAdder();
        ExecutorService pool = Executors.newFixedThreadPool(threadCount);
        List<Future<Histogram>> results = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(limit);
        try {
            for (int t = 0; t < threadCount; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(SYNC_TIMEOUT_SECONDS), 3);
                    for (long i = 0; System.nanoTime() < end && budget.getAndDecrement() > 0; i++) {
                        long waited = step.run(thread, i);
                        h.recordValue(Math.min(h.getHighestTrackableValue(), waited / 1_000));
                        done.increment();
                    }
                    return h;
                }));
            }
            Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(SYNC_TIMEOUT_SECONDS), 3);
            for (Future<Histogram> f : results) {
                try {
                    all.add(f.get(limit + 2 * SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof CheckFailed failed) {
                        throw failed;
                    }
                    throw e;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new FlowResult(done.sum(), elapsed, all);
        } finally {
            pool.shutdownNow();
        }
    }

    // retained

    private void retained(Path directory, int threadCount, int count, Map<String, Object> json,
                          StringBuilder human) throws Exception {
        Candidate c = open(directory, null);
        byte[] payload = payload();
        LongAdder put = new LongAdder();
        double putSeconds;
        try {
            RetainedStore retained = c.retained();
            putSeconds = parallel(threadCount, seconds, (t, end) -> {
                for (int i = t; i < count && System.nanoTime() < end; i += threadCount) {
                    retained.put(Message.of("bench/retained/" + i, payload, QoS.AT_LEAST_ONCE, true));
                    put.increment();
                }
            });
            await(retained.sync());
            compactIfAsked(c, json);
        } catch (Exception e) {
            c.close();
            throw e;
        }
        long stored = put.sum();
        long closeStart = System.nanoTime();
        c.close();
        double closeMs = (System.nanoTime() - closeStart) / 1e6;
        long disk = store == Candidate.Kind.MEM ? 0 : directoryBytes(directory);

        long openStart = System.nanoTime();
        Candidate reopened = open(directory, c);
        double openMs = (System.nanoTime() - openStart) / 1e6;
        try {
            long[] visited = new long[1];
            long forEachStart = System.nanoTime();
            reopened.retained().forEach(m -> visited[0]++);
            double forEachMs = (System.nanoTime() - forEachStart) / 1e6;
            int size = reopened.retained().size();
            json.put("messages", stored);
            json.put("put_per_s", stored / putSeconds);
            json.put("close_ms", closeMs);
            json.put("open_ms", openMs);
            json.put("foreach_ms", forEachMs);
            json.put("recovery_ms", openMs + forEachMs);
            json.put("disk_bytes", disk);
            json.put("bytes_per_message", (double) disk / stored);
            human.append(String.format(Locale.ROOT, ": put %,d in %.1f s (%,.0f/s), close %.0f ms, reopen %.0f ms +"
                            + " forEach %.0f ms = recovery %.0f ms, disk %,d bytes = %.1f bytes/message", stored,
                    putSeconds, stored / putSeconds, closeMs, openMs, forEachMs, openMs + forEachMs, disk,
                    (double) disk / stored));
            if (visited[0] != stored || size != stored) {
                throw new CheckFailed("reopened store holds " + size + " and visits " + visited[0]
                        + " retained messages, not " + stored);
            }
        } finally {
            reopened.close();
        }
    }

    // sessions

    private void sessions(Path directory, int threadCount, int count, Map<String, Object> json,
                          StringBuilder human) throws Exception {
        Candidate c = open(directory, null);
        byte[] payload = payload();
        LongAdder saved = new LongAdder();
        double saveSeconds;
        try {
            SessionStore sessions = c.sessions();
            saveSeconds = parallel(threadCount, seconds, (t, end) -> {
                for (int i = t; i < count && System.nanoTime() < end; i += threadCount) {
                    String id = "session-" + i;
                    sessions.save(SessionState.empty(id, SessionState.NEVER_EXPIRES));
                    sessions.putSubscription(id, Subscription.of("bench/" + i + "/a", QoS.AT_LEAST_ONCE));
                    sessions.putSubscription(id, Subscription.of("bench/" + i + "/b", QoS.AT_LEAST_ONCE));
                    Message m = Message.of("bench/" + i + "/a", payload, QoS.AT_LEAST_ONCE, false);
                    for (int k = 1; k <= QUEUED_PER_SESSION; k++) {
                        sessions.addOutbound(id, new OutboundMessage(k, m, 0, OutboundState.QUEUED,
                                System.currentTimeMillis()));
                    }
                    saved.increment();
                }
            });
            await(sessions.sync());
            compactIfAsked(c, json);
        } catch (Exception e) {
            c.close();
            throw e;
        }
        long stored = saved.sum();
        long queued = stored * QUEUED_PER_SESSION;
        long closeStart = System.nanoTime();
        c.close();
        double closeMs = (System.nanoTime() - closeStart) / 1e6;
        long disk = store == Candidate.Kind.MEM ? 0 : directoryBytes(directory);

        long openStart = System.nanoTime();
        Candidate reopened = open(directory, c);
        double openMs = (System.nanoTime() - openStart) / 1e6;
        try {
            long[] visited = new long[3];
            long forEachStart = System.nanoTime();
            reopened.sessions().forEach(s -> {
                visited[0]++;
                visited[1] += s.outbound().size();
                visited[2] += s.subscriptions().size();
            });
            double forEachMs = (System.nanoTime() - forEachStart) / 1e6;
            json.put("sessions", stored);
            json.put("queued", queued);
            json.put("save_per_s", stored / saveSeconds);
            json.put("close_ms", closeMs);
            json.put("open_ms", openMs);
            json.put("foreach_ms", forEachMs);
            json.put("recovery_ms", openMs + forEachMs);
            json.put("disk_bytes", disk);
            json.put("bytes_per_queued_message", (double) disk / queued);
            json.put("bytes_per_session", (double) disk / stored);
            human.append(String.format(Locale.ROOT, ": %,d sessions (%,d queued) in %.1f s (%,.0f sessions/s),"
                            + " close %.0f ms, reopen %.0f ms + forEach %.0f ms = recovery %.0f ms, disk %,d bytes"
                            + " = %.1f bytes/queued message", stored, queued, saveSeconds, stored / saveSeconds,
                    closeMs, openMs, forEachMs, openMs + forEachMs, disk, (double) disk / queued));
            if (visited[0] != stored || visited[1] != queued || visited[2] != 2 * stored) {
                throw new CheckFailed("reopened store visits " + visited[0] + " sessions, " + visited[1]
                        + " queued messages and " + visited[2] + " subscriptions, not " + stored + ", " + queued
                        + " and " + 2 * stored);
            }
        } finally {
            reopened.close();
        }
    }

    private void compactIfAsked(Candidate c, Map<String, Object> json) {
        if (compact) {
            long start = System.nanoTime();
            c.compactNow();
            json.put("compact_ms", (System.nanoTime() - start) / 1e6);
        }
    }

    /** The bytes of every file under {@code root}: what a closed store leaves on disk. */
    private static long directoryBytes(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** A share of a phase: thread {@code t} of the pool works until its share is done or {@code end}. */
    private interface Share {
        void run(int thread, long end) throws Exception;
    }

    /** Runs {@code share} on {@code threadCount} threads, bounded by {@code limit} seconds; returns the seconds. */
    private static double parallel(int threadCount, int limit, Share share) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threadCount);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(limit);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    share.run(thread, end);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(limit + SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The one-minute load average at the start of the run (Linux), so a run on a busy machine shows; or null. */
    private static Double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("store-bench: could not remove " + root + ": " + e);
        }
    }
}
