package io.cairn.kernel.protocol;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.auth.Chain;
import io.cairn.kernel.auth.Provider;
import io.cairn.kernel.auth.Request;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a listener's authenticator chain for one CONNECT: each authenticator in turn until one accepts or rejects;
 * an answer that comes later is waited for (within its timeout, else its fallback applies) with the connection's
 * reads held, and the chain goes on on the connection's event loop. When every authenticator defers, an anonymous
 * client is let in if the listener allows it; anybody else is refused.
 */
final class ChainAuthentication {

    private ChainAuthentication() {
    }

    /** Starts the chain for {@code m}; the CONNECT goes on with {@link ConnectFlow#accept} once it is accepted. */
    static void start(MqttConnection c, Chain chain, Request request, MqttConnectMessage m) {
        c.state = MqttConnection.State.CHECKING; // packets that come meanwhile wait until it is decided
        next(c, chain, request, m, 0);
    }

    private static void next(MqttConnection c, Chain chain, Request request, MqttConnectMessage m, int from) {
        List<Provider<Authenticator>> authenticators = chain.authenticators();
        for (int i = from; i < authenticators.size(); i++) {
            Provider<Authenticator> p = authenticators.get(i);
            Authentication a;
            try {
                a = p.service().authenticate(request);
            } catch (RuntimeException e) {
                EventLog.AUTH.error("Authenticator {} failed for client '{}'; asking the next", p.label(),
                        c.clientId, e);
                continue;
            }
            if (a == null) {
                EventLog.AUTH.error("Authenticator {} answered nothing for client '{}'; asking the next", p.label(),
                        c.clientId);
                continue;
            }
            if (a.kind() == Authentication.Kind.LATER) {
                await(c, chain, request, m, i, p, a);
                return;
            }
            if (decided(c, request, m, p, a)) {
                return;
            }
        }
        exhausted(c, chain, request, m);
    }

    /** Waits for a later answer off the event loop; goes on with it (or the fallback) on the event loop. */
    private static void await(MqttConnection c, Chain chain, Request request, MqttConnectMessage m, int index,
                              Provider<Authenticator> p, Authentication later) {
        c.holdReads(); // the packets already read wait in order; no more are read until the chain decides
        CompletableFuture<Authentication> answer = new CompletableFuture<>();
        try {
            later.answer().whenComplete((a, e) -> {
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(a);
                }
            });
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        answer.orTimeout(later.timeout().toNanos(), TimeUnit.NANOSECONDS).whenComplete((a, e) ->
                c.eventLoop().execute(() -> resume(c, chain, request, m, index, p, later, a, e)));
    }

    private static void resume(MqttConnection c, Chain chain, Request request, MqttConnectMessage m, int index,
                               Provider<Authenticator> p, Authentication later, Authentication a, Throwable failure) {
        if (!c.awaitsAuthentication()) {
            return; // the client went away meanwhile
        }
        if (failure != null || a == null || a.kind() == Authentication.Kind.LATER) {
            String why = failure == null ? (a == null ? "no answer" : "another later answer")
                    : failure instanceof java.util.concurrent.TimeoutException ? "no answer within " + later.timeout()
                    : failure.toString();
            EventLog.AUTH.warn("Authenticator {} gave no decision for client '{}' ({}); its fallback applies: {}",
                    p.label(), c.clientId, why, later.fallback());
            a = later.fallback();
        }
        if (!decided(c, request, m, p, a)) {
            next(c, chain, request, m, index + 1);
        }
    }

    /** Applies an accept or a reject and returns true; returns false for a defer. */
    private static boolean decided(MqttConnection c, Request request, MqttConnectMessage m, Provider<Authenticator> p,
                                   Authentication a) {
        switch (a.kind()) {
            case ACCEPT -> {
                c.identify(request, a.attributes(), false);
                EventLog.AUTH.debug("Client '{}' authenticated by {}", c.clientId, p.label());
                c.state = MqttConnection.State.AWAIT_CONNECT;
                ConnectFlow.accept(c, m);
                return true;
            }
            case REJECT -> {
                c.refuseAuthentication(a.reasonCode(), "refused by authenticator " + p.label()
                        + (a.reasonString() == null ? "" : ": " + a.reasonString()), a.reasonString());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static void exhausted(MqttConnection c, Chain chain, Request request, MqttConnectMessage m) {
        boolean credentials = request.username() != null || request.hasPassword();
        if (chain.allowAnonymous() && (chain.authenticators().isEmpty() || !credentials)) {
            c.identify(request, Map.of(), true);
            c.state = MqttConnection.State.AWAIT_CONNECT;
            ConnectFlow.accept(c, m);
            return;
        }
        if (chain.authenticators().isEmpty()) {
            c.refuseAuthentication(ReasonCode.NOT_AUTHORIZED, "listener " + chain.listener()
                    + " has no authenticator and does not allow anonymous clients", "not authorized");
        } else if (!credentials) {
            c.refuseAuthentication(ReasonCode.NOT_AUTHORIZED, "no credentials, and listener " + chain.listener()
                    + " does not allow anonymous clients", "not authorized");
        } else {
            c.refuseAuthentication(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "no authenticator of listener "
                    + chain.listener() + " accepted user " + (request.username() == null ? "(none)"
                    : "'" + request.username() + "'"), "bad user name or password");
        }
    }
}
