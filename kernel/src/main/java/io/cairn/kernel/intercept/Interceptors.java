package io.cairn.kernel.intercept;

import io.cairn.api.broker.InterceptorStatus;
import io.cairn.api.intercept.AsyncPublishInterceptor;
import io.cairn.api.intercept.BrokerEventListener;
import io.cairn.api.intercept.ClientView;
import io.cairn.api.intercept.ConnectInterceptor;
import io.cairn.api.intercept.ConnectOutcome;
import io.cairn.api.intercept.DeliveryInterceptor;
import io.cairn.api.intercept.DeliveryOutcome;
import io.cairn.api.intercept.DisconnectInfo;
import io.cairn.api.intercept.DisconnectInterceptor;
import io.cairn.api.intercept.InterceptorProperties;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.PublishOutcome;
import io.cairn.api.intercept.SubscribeInterceptor;
import io.cairn.api.intercept.SubscribeOutcome;
import io.cairn.api.intercept.UnsubscribeInterceptor;
import io.cairn.api.message.Message;
import io.cairn.api.message.ReasonCode;
import io.cairn.api.persistence.Subscription;
import io.cairn.kernel.protocol.AckCodes;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interceptors the kernel applies, as immutable chains swapped whole: a packet reads {@link #chains()} once
 * and sees one chain from start to end, whatever is added or removed meanwhile. With no interceptor of a kind, that
 * kind costs one volatile read and an emptiness check per packet.
 *
 * <p>Each call is timed and guarded: an exception, or a synchronous call that took longer than its budget, counts
 * against its owner's {@link FaultBudget}; an exception applies the interceptor's failure outcome. The failure that
 * exhausts a budget removes all that owner's interceptors at once and hands the owner to the quarantine action (in
 * OSGi: its bundle is stopped).
 */
public final class Interceptors {

    private static final Logger LOG = LoggerFactory.getLogger(Interceptors.class);
    static final long DEFAULT_SYNC_BUDGET_MILLIS = 50;
    static final long DEFAULT_ASYNC_BUDGET_MILLIS = 1000;

    /** The chains now, each ordered by ranking (highest first), then order of registration. */
    public record Chains(List<Interceptor<ConnectInterceptor>> connect, List<Interceptor<PublishInterceptor>> publish,
                         List<Interceptor<SubscribeInterceptor>> subscribe,
                         List<Interceptor<UnsubscribeInterceptor>> unsubscribe,
                         List<Interceptor<DisconnectInterceptor>> disconnect,
                         List<Interceptor<BrokerEventListener>> events,
                         List<Interceptor<DeliveryInterceptor>> delivery,
                         List<Interceptor<AsyncPublishInterceptor>> asyncPublish) {

        static final Chains EMPTY = new Chains(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of());
    }

    /** A registry that never has an interceptor (for sessions outside a kernel, as in unit tests). */
    public static final Interceptors NONE = new Interceptors(owner -> { });

    private final Consumer<FaultBudget> quarantine;
    private final Map<Object, List<Interceptor<?>>> byService = new HashMap<>();
    /** The owners quarantined, by plugin name, until their plugin's interceptors are added again. */
    private final Map<String, FaultBudget> quarantined = new HashMap<>();
    private volatile Chains chains = Chains.EMPTY;
    private final Set<String> warnedCodes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param quarantine what to do with an owner whose budget is exhausted (its interceptors are removed first) */
    public Interceptors(Consumer<FaultBudget> quarantine) {
        this.quarantine = quarantine;
    }

    public Chains chains() {
        return chains;
    }

    /**
     * Adds {@code service} to the chain of each interceptor interface it implements.
     *
     * @param properties its service properties ({@link InterceptorProperties})
     * @throws IllegalArgumentException if a property has a wrong value, naming it
     */
    public synchronized void add(Object service, FaultBudget owner, int ranking, long order,
                                 Map<String, ?> properties) {
        Set<String> listeners = listeners(properties.get(InterceptorProperties.LISTENERS));
        long budget = TimeUnit.MILLISECONDS.toNanos(budgetMillis(properties.get(InterceptorProperties.BUDGET_MILLIS)));
        boolean drop = dropOnFailure(properties.get(InterceptorProperties.ON_FAILURE));
        List<Interceptor<?>> entries = new ArrayList<>();
        if ((service instanceof ConnectInterceptor || service instanceof PublishInterceptor
                || service instanceof SubscribeInterceptor || service instanceof UnsubscribeInterceptor
                || service instanceof DisconnectInterceptor || service instanceof BrokerEventListener
                || service instanceof DeliveryInterceptor)) {
            entries.add(new Interceptor<>(service, owner, ranking, order, listeners, budget, drop, false));
        }
        if (service instanceof AsyncPublishInterceptor) {
            long asyncBudget = TimeUnit.MILLISECONDS.toNanos(properties.get(InterceptorProperties.BUDGET_MILLIS) == null
                    ? DEFAULT_ASYNC_BUDGET_MILLIS : budgetMillis(properties.get(InterceptorProperties.BUDGET_MILLIS)));
            entries.add(new Interceptor<>(service, owner, ranking, order, listeners, asyncBudget, drop, true));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(service.getClass().getName() + " implements no interceptor interface");
        }
        byService.put(service, entries);
        if (quarantined.get(owner.plugin()) != owner) {
            quarantined.remove(owner.plugin());
        }
        rebuild();
    }

    /**
     * Remembers {@code owner} as quarantined (for {@link #status()}): a kernel started again after its
     * configuration changed hears of the quarantines under the previous one.
     */
    public synchronized void quarantined(FaultBudget owner) {
        quarantined.put(owner.plugin(), owner);
    }

    /** Each plugin with interceptors now or quarantined, by plugin name. */
    public synchronized List<InterceptorStatus> status() {
        Map<FaultBudget, Set<String>> kinds = new HashMap<>();
        for (List<Interceptor<?>> entries : byService.values()) {
            for (Interceptor<?> i : entries) {
                kinds.computeIfAbsent(i.owner(), o -> new LinkedHashSet<>()).addAll(kinds(i));
            }
        }
        List<InterceptorStatus> list = new ArrayList<>();
        kinds.forEach((owner, k) -> list.add(status(owner, KINDS.stream().filter(k::contains).toList())));
        quarantined.values().forEach(owner -> list.add(status(owner, List.of())));
        list.sort(Comparator.comparing(InterceptorStatus::plugin));
        return list;
    }

    private static final List<String> KINDS = List.of("connect", "publish", "publish-async", "delivery", "subscribe",
            "unsubscribe", "disconnect", "events");

    private static InterceptorStatus status(FaultBudget owner, List<String> kinds) {
        return new InterceptorStatus(owner.plugin(), owner.version(), kinds, owner.exceptions(), owner.overruns(),
                owner.exhausted(), owner.lastFailure(), owner.lastFailureAt());
    }

    private static List<String> kinds(Interceptor<?> i) {
        if (i.async()) {
            return List.of("publish-async");
        }
        Object s = i.service();
        List<String> k = new ArrayList<>();
        if (s instanceof ConnectInterceptor) {
            k.add("connect");
        }
        if (s instanceof PublishInterceptor) {
            k.add("publish");
        }
        if (s instanceof DeliveryInterceptor) {
            k.add("delivery");
        }
        if (s instanceof SubscribeInterceptor) {
            k.add("subscribe");
        }
        if (s instanceof UnsubscribeInterceptor) {
            k.add("unsubscribe");
        }
        if (s instanceof DisconnectInterceptor) {
            k.add("disconnect");
        }
        if (s instanceof BrokerEventListener) {
            k.add("events");
        }
        return k;
    }

    /** Removes {@code service} from every chain. */
    public synchronized void remove(Object service) {
        if (byService.remove(service) != null) {
            rebuild();
        }
    }

    /** Removes every interceptor of {@code owner}. */
    public synchronized void removeOwner(FaultBudget owner) {
        if (byService.values().removeIf(list -> list.get(0).owner() == owner)) {
            rebuild();
        }
    }

    @SuppressWarnings("unchecked")
    private void rebuild() {
        List<Interceptor<?>> all = new ArrayList<>();
        byService.values().forEach(all::addAll);
        all.sort(Comparator.<Interceptor<?>>comparingInt(Interceptor::ranking).reversed()
                .thenComparingLong(Interceptor::order));
        List<Interceptor<ConnectInterceptor>> connect = new ArrayList<>();
        List<Interceptor<PublishInterceptor>> publish = new ArrayList<>();
        List<Interceptor<SubscribeInterceptor>> subscribe = new ArrayList<>();
        List<Interceptor<UnsubscribeInterceptor>> unsubscribe = new ArrayList<>();
        List<Interceptor<DisconnectInterceptor>> disconnect = new ArrayList<>();
        List<Interceptor<BrokerEventListener>> events = new ArrayList<>();
        List<Interceptor<DeliveryInterceptor>> delivery = new ArrayList<>();
        List<Interceptor<AsyncPublishInterceptor>> asyncPublish = new ArrayList<>();
        for (Interceptor<?> i : all) {
            if (i.async()) {
                asyncPublish.add((Interceptor<AsyncPublishInterceptor>) i);
                continue;
            }
            if (i.service() instanceof ConnectInterceptor) {
                connect.add((Interceptor<ConnectInterceptor>) i);
            }
            if (i.service() instanceof PublishInterceptor) {
                publish.add((Interceptor<PublishInterceptor>) i);
            }
            if (i.service() instanceof SubscribeInterceptor) {
                subscribe.add((Interceptor<SubscribeInterceptor>) i);
            }
            if (i.service() instanceof UnsubscribeInterceptor) {
                unsubscribe.add((Interceptor<UnsubscribeInterceptor>) i);
            }
            if (i.service() instanceof DisconnectInterceptor) {
                disconnect.add((Interceptor<DisconnectInterceptor>) i);
            }
            if (i.service() instanceof BrokerEventListener) {
                events.add((Interceptor<BrokerEventListener>) i);
            }
            if (i.service() instanceof DeliveryInterceptor) {
                delivery.add((Interceptor<DeliveryInterceptor>) i);
            }
        }
        chains = new Chains(List.copyOf(connect), List.copyOf(publish), List.copyOf(subscribe),
                List.copyOf(unsubscribe), List.copyOf(disconnect), List.copyOf(events), List.copyOf(delivery),
                List.copyOf(asyncPublish));
    }

    // ------------------------------------------------------------------ applying the chains

    /**
     * Runs the CONNECT chain: the first refusal ends it; attributes of every acceptance are merged (a later
     * interceptor's value wins).
     */
    public ConnectOutcome connect(Chains current, ClientView client, Map<String, Object> attributes) {
        for (Interceptor<ConnectInterceptor> i : current.connect()) {
            if (!i.appliesTo(client.listener())) {
                continue;
            }
            long start = System.nanoTime();
            ConnectOutcome outcome;
            try {
                outcome = i.service().onConnect(client);
            } catch (RuntimeException | Error e) {
                failed(i, e, "onConnect of client '" + client.clientId() + "'");
                if (i.dropOnFailure()) {
                    return ConnectOutcome.refuse(ReasonCode.UNSPECIFIED_ERROR, "interceptor " + i.owner().owner()
                            + " failed: " + e);
                }
                continue;
            }
            timed(i, start, "onConnect", null, client.clientId());
            if (outcome == null) {
                continue;
            }
            if (!outcome.accepted()) {
                ReasonCode allowed = AckCodes.connack(outcome.refusal());
                return allowed == outcome.refusal() ? outcome
                        : ConnectOutcome.refuse(disallowed(i, outcome.refusal(), allowed, "CONNACK"), outcome.reason());
            }
            attributes.putAll(outcome.attributes());
        }
        return ConnectOutcome.accept();
    }

    /**
     * Runs the inbound PUBLISH chain over {@code message}: {@link PublishOutcome#pass()} when nothing changed it,
     * {@code replace} with the final message, or the first drop.
     */
    public PublishOutcome publish(Chains current, ClientView publisher, Message message) {
        Message now = message;
        for (Interceptor<PublishInterceptor> i : current.publish()) {
            if (!i.appliesTo(publisher.listener())) {
                continue;
            }
            long start = System.nanoTime();
            PublishOutcome outcome;
            try {
                outcome = i.service().onPublish(publisher, now);
            } catch (RuntimeException | Error e) {
                failed(i, e, "onPublish to '" + now.topic() + "' of client '" + publisher.clientId() + "'");
                if (i.dropOnFailure()) {
                    return PublishOutcome.drop(ReasonCode.UNSPECIFIED_ERROR);
                }
                continue;
            }
            timed(i, start, "onPublish", now.topic(), publisher.clientId());
            if (outcome == null) {
                continue;
            }
            if (outcome.dropped()) {
                return allowedDrop(i, outcome);
            }
            if (outcome.replacement() != null) {
                now = outcome.replacement();
            }
        }
        return now == message ? PublishOutcome.pass() : PublishOutcome.replace(now);
    }

    /**
     * Runs the delivery chain over {@code message} for one subscriber: pass, replace with the final message, or
     * drop. A subscriber whose client is not connected has no listener: only unscoped interceptors see it.
     */
    public DeliveryOutcome deliver(Chains current, ClientView subscriber, Message message) {
        Message now = message;
        for (Interceptor<DeliveryInterceptor> i : current.delivery()) {
            if (!(i.listeners() == null || subscriber.listener() != null && i.appliesTo(subscriber.listener()))) {
                continue;
            }
            long start = System.nanoTime();
            DeliveryOutcome outcome;
            try {
                outcome = i.service().onDeliver(subscriber, now);
            } catch (RuntimeException | Error e) {
                failed(i, e, "onDeliver of '" + now.topic() + "' to client '" + subscriber.clientId() + "'");
                if (i.dropOnFailure()) {
                    return DeliveryOutcome.drop();
                }
                continue;
            }
            timed(i, start, "onDeliver", now.topic(), subscriber.clientId());
            if (outcome == null) {
                continue;
            }
            if (outcome.dropped()) {
                return outcome;
            }
            if (outcome.replacement() != null) {
                now = outcome.replacement();
            }
        }
        return now == message ? DeliveryOutcome.pass() : DeliveryOutcome.replace(now);
    }

    /**
     * Runs the asynchronous PUBLISH chain over {@code message}, one interceptor after the other, and hands the
     * outcome to {@code done} on {@code loop}. A stage that fails, or is not complete within the interceptor's
     * budget, counts against its owner and applies its failure outcome; a late completion is ignored.
     */
    public void publishAsync(Chains current, ClientView publisher, Message message, EventExecutor loop,
                             Consumer<PublishOutcome> done) {
        new AsyncPublish(current.asyncPublish(), publisher, message, loop, done).next(0, message);
    }

    private final class AsyncPublish {
        private final List<Interceptor<AsyncPublishInterceptor>> chain;
        private final ClientView publisher;
        private final Message original;
        private final EventExecutor loop;
        private final Consumer<PublishOutcome> done;

        AsyncPublish(List<Interceptor<AsyncPublishInterceptor>> chain, ClientView publisher, Message original,
                     EventExecutor loop, Consumer<PublishOutcome> done) {
            this.chain = chain;
            this.publisher = publisher;
            this.original = original;
            this.loop = loop;
            this.done = done;
        }

        /** Runs interceptor {@code index} on {@code now}, on the loop. */
        void next(int index, Message now) {
            int i = index;
            while (i < chain.size() && !chain.get(i).appliesTo(publisher.listener())) {
                i++;
            }
            if (i == chain.size()) {
                done.accept(now == original ? PublishOutcome.pass() : PublishOutcome.replace(now));
                return;
            }
            Interceptor<AsyncPublishInterceptor> interceptor = chain.get(i);
            int at = i;
            java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
            String what = "onPublish (asynchronous) to '" + now.topic() + "' of client '" + publisher.clientId() + "'";
            java.util.concurrent.CompletionStage<PublishOutcome> stage;
            try {
                stage = interceptor.service().onPublish(publisher, now);
            } catch (RuntimeException | Error e) {
                failed(interceptor, e, what);
                failedOutcome(interceptor, at, now);
                return;
            }
            io.netty.util.concurrent.Future<?> timeout = loop.schedule(() -> {
                if (decided.compareAndSet(false, true)) {
                    String failure = what + " did not complete within its budget of "
                            + TimeUnit.NANOSECONDS.toMillis(interceptor.budgetNanos()) + " ms";
                    if (interceptor.owner().overrun(failure)) {
                        exhausted(interceptor.owner());
                    }
                    failedOutcome(interceptor, at, now);
                }
            }, interceptor.budgetNanos(), TimeUnit.NANOSECONDS);
            stage.whenComplete((outcome, error) -> {
                if (!decided.compareAndSet(false, true)) {
                    return; // too late: the failure outcome applied
                }
                timeout.cancel(false);
                loop.execute(() -> {
                    if (error != null) {
                        failed(interceptor, error, what);
                        failedOutcome(interceptor, at, now);
                    } else if (outcome != null && outcome.dropped()) {
                        done.accept(allowedDrop(interceptor, outcome));
                    } else {
                        next(at + 1, outcome != null && outcome.replacement() != null ? outcome.replacement() : now);
                    }
                });
            });
        }

        private void failedOutcome(Interceptor<?> interceptor, int at, Message now) {
            if (interceptor.dropOnFailure()) {
                done.accept(PublishOutcome.drop(ReasonCode.UNSPECIFIED_ERROR));
            } else {
                next(at + 1, now);
            }
        }
    }

    /** Runs the SUBSCRIBE chain over one subscription: pass, the narrowed subscription, or the first refusal. */
    public SubscribeOutcome subscribe(Chains current, ClientView client, Subscription subscription) {
        Subscription now = subscription;
        for (Interceptor<SubscribeInterceptor> i : current.subscribe()) {
            if (!i.appliesTo(client.listener())) {
                continue;
            }
            long start = System.nanoTime();
            SubscribeOutcome outcome;
            try {
                outcome = i.service().onSubscribe(client, now);
            } catch (RuntimeException | Error e) {
                failed(i, e, "onSubscribe to '" + now.topicFilter() + "' of client '" + client.clientId() + "'");
                if (i.dropOnFailure()) {
                    return SubscribeOutcome.refuse(ReasonCode.UNSPECIFIED_ERROR);
                }
                continue;
            }
            timed(i, start, "onSubscribe", now.topicFilter(), client.clientId());
            if (outcome == null) {
                continue;
            }
            if (outcome.refused()) {
                ReasonCode allowed = AckCodes.suback(outcome.refusal());
                return allowed == outcome.refusal() ? outcome
                        : SubscribeOutcome.refuse(disallowed(i, outcome.refusal(), allowed, "SUBACK"));
            }
            if (outcome.replacement() != null) {
                now = outcome.replacement();
            }
        }
        return now == subscription ? SubscribeOutcome.pass() : SubscribeOutcome.narrow(now);
    }

    /** Runs the UNSUBSCRIBE chain over one filter: {@code null} to let it through, or the first refusal. */
    public ReasonCode unsubscribe(Chains current, ClientView client, String topicFilter) {
        for (Interceptor<UnsubscribeInterceptor> i : current.unsubscribe()) {
            if (!i.appliesTo(client.listener())) {
                continue;
            }
            long start = System.nanoTime();
            ReasonCode refusal;
            try {
                refusal = i.service().onUnsubscribe(client, topicFilter);
            } catch (RuntimeException | Error e) {
                failed(i, e, "onUnsubscribe from '" + topicFilter + "' of client '" + client.clientId() + "'");
                if (i.dropOnFailure()) {
                    return ReasonCode.UNSPECIFIED_ERROR;
                }
                continue;
            }
            timed(i, start, "onUnsubscribe", topicFilter, client.clientId());
            if (refusal != null && refusal.isError()) {
                ReasonCode allowed = AckCodes.unsuback(refusal);
                return allowed == refusal ? refusal : disallowed(i, refusal, allowed, "UNSUBACK");
            }
        }
        return null;
    }

    /** Tells the DISCONNECT interceptors and the event listeners that {@code client}'s connection ended. */
    public void disconnected(Chains current, ClientView client, DisconnectInfo info) {
        for (Interceptor<DisconnectInterceptor> i : current.disconnect()) {
            if (i.appliesTo(client.listener())) {
                long start = System.nanoTime();
                try {
                    i.service().onDisconnect(client, info);
                    timed(i, start, "onDisconnect", null, client.clientId());
                } catch (RuntimeException | Error e) {
                    failed(i, e, "onDisconnect of client '" + client.clientId() + "'");
                }
            }
        }
        for (Interceptor<BrokerEventListener> i : current.events()) {
            if (i.appliesTo(client.listener())) {
                long start = System.nanoTime();
                try {
                    i.service().clientDisconnected(client, info);
                    timed(i, start, "clientDisconnected", null, client.clientId());
                } catch (RuntimeException | Error e) {
                    failed(i, e, "clientDisconnected of client '" + client.clientId() + "'");
                }
            }
        }
    }

    /**
     * Tells the event listeners something: those scoped to listeners hear only of events on {@code listener}
     * ({@code null} for events of a session rather than a connection: only the unscoped ones hear them).
     */
    public void event(Chains current, String listener, String what, Consumer<BrokerEventListener> call) {
        for (Interceptor<BrokerEventListener> i : current.events()) {
            if (i.listeners() == null || listener != null && i.appliesTo(listener)) {
                long start = System.nanoTime();
                try {
                    call.accept(i.service());
                    timed(i, start, what, null, null);
                } catch (RuntimeException | Error e) {
                    failed(i, e, what);
                }
            }
        }
    }

    /** Tells the event listeners that {@code client} connected (its CONNACK is on its way). */
    public void connected(Chains current, ClientView client) {
        for (Interceptor<BrokerEventListener> i : current.events()) {
            if (i.appliesTo(client.listener())) {
                long start = System.nanoTime();
                try {
                    i.service().clientConnected(client);
                    timed(i, start, "clientConnected", null, client.clientId());
                } catch (RuntimeException | Error e) {
                    failed(i, e, "clientConnected of client '" + client.clientId() + "'");
                }
            }
        }
    }

    /** A drop whose reason code a PUBACK/PUBREC may carry (MQTT-3.4.2-1, MQTT-3.5.2-1). */
    private PublishOutcome allowedDrop(Interceptor<?> i, PublishOutcome drop) {
        ReasonCode allowed = AckCodes.puback(drop.dropReason());
        return allowed == drop.dropReason() ? drop
                : PublishOutcome.drop(disallowed(i, drop.dropReason(), allowed, "PUBACK or PUBREC"));
    }

    /**
     * Logs (once per interceptor and code) that {@code i} named a reason code {@code packet} cannot carry, which
     * {@code allowed} replaces; returns {@code allowed}.
     */
    private ReasonCode disallowed(Interceptor<?> i, ReasonCode named, ReasonCode allowed, String packet) {
        if (warnedCodes.add(i.owner().owner() + " " + named)) {
            LOG.warn("Interceptor {} of {} answered with {} (0x{}), which a {} cannot carry: the client gets {} "
                    + "(0x{}) instead", i.service().getClass().getName(), i.owner().owner(), named,
                    Integer.toHexString(named.code()), packet, allowed, Integer.toHexString(allowed.code()));
        }
        return allowed;
    }

    /** Counts an overrun if the call begun at {@code start} took longer than its budget ({@code subject}: a topic). */
    private void timed(Interceptor<?> i, long start, String what, String subject, String clientId) {
        long took = System.nanoTime() - start;
        if (took > i.budgetNanos()) {
            String failure = what + (subject == null ? "" : " of '" + subject + "'")
                    + (clientId == null ? "" : " (client '" + clientId + "')") + " took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms, over its budget of "
                    + TimeUnit.NANOSECONDS.toMillis(i.budgetNanos()) + " ms";
            if (i.owner().overrun(failure)) {
                exhausted(i.owner());
            } else if (i.owner().overruns() == 1) {
                LOG.warn("Interceptor {} of {}: {}", i.service().getClass().getName(), i.owner().owner(), failure);
            }
        }
    }

    private void failed(Interceptor<?> i, Throwable e, String what) {
        String failure = what + " threw " + e;
        if (i.owner().exception(failure)) {
            exhausted(i.owner());
        } else if (i.owner().exceptions() == 1 || i.owner().exceptions() % 1000 == 0) {
            LOG.warn("Interceptor {} of {}: {} ({} exception(s) so far; its failure outcome applies)",
                    i.service().getClass().getName(), i.owner().owner(), failure, i.owner().exceptions(), e);
        }
    }

    private void exhausted(FaultBudget owner) {
        synchronized (this) {
            removeOwner(owner);
            quarantined(owner);
        }
        LOG.error("Interceptors of {} quarantined: over their error budget ({} exceptions, {} overruns; last: {}); "
                + "the broker goes on without them", owner.owner(), owner.exceptions(), owner.overruns(),
                owner.lastFailure());
        quarantine.accept(owner);
    }

    // ------------------------------------------------------------------ properties

    static Set<String> listeners(Object value) {
        if (value == null) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        if (value instanceof String s) {
            names.add(s);
        } else if (value instanceof String[] a) {
            names.addAll(List.of(a));
        } else if (value instanceof java.util.Collection<?> c) {
            c.forEach(v -> names.add(String.valueOf(v)));
        } else {
            throw new IllegalArgumentException(InterceptorProperties.LISTENERS + ": " + value
                    + " is neither a listener name nor an array of them");
        }
        return Set.copyOf(names);
    }

    static long budgetMillis(Object value) {
        if (value == null) {
            return DEFAULT_SYNC_BUDGET_MILLIS;
        }
        long millis;
        try {
            millis = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(InterceptorProperties.BUDGET_MILLIS + ": '" + value
                    + "' is not a whole number of milliseconds");
        }
        if (millis < 1) {
            throw new IllegalArgumentException(InterceptorProperties.BUDGET_MILLIS + ": " + millis
                    + " is below 1 ms");
        }
        return millis;
    }

    static boolean dropOnFailure(Object value) {
        if (value == null || "pass".equals(value)) {
            return false;
        }
        if ("drop".equals(value)) {
            return true;
        }
        throw new IllegalArgumentException(InterceptorProperties.ON_FAILURE + ": '" + value
                + "' is neither 'pass' nor 'drop'");
    }
}
