package io.cairn.client.internal;

import io.cairn.client.AuthenticationResult;
import io.cairn.client.EnhancedAuthenticator;
import io.cairn.client.MqttClientException;
import io.cairn.client.ReasonCodes;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of MQTT 5 enhanced authentication (MQTT 5.0 §4.12): the CONNECT/AUTH/CONNACK exchange and
 * re-authentication, driving the user's {@link EnhancedAuthenticator}. Confined to the event loop; the
 * authenticator's answers may complete on any thread and are handed back to it.
 */
final class AuthExchange {

    private static final Logger LOG = LoggerFactory.getLogger(AuthExchange.class);

    /** What the exchange needs of the connection it runs on. */
    interface Link {
        /** The current connection, or null. */
        Channel channel();

        /** Whether the current connection is waiting for CONNACK. */
        boolean connecting();

        /** Writes and flushes {@code message} on the current connection. */
        void send(Object message);

        /** Sends DISCONNECT with {@code reasonCode} on {@code ch} and ends it with {@code cause}. */
        void disconnect(Channel ch, int reasonCode, String what, MqttClientException cause);
    }

    private final EnhancedAuthenticator authenticator;
    private final String clientId;
    private final EventLoop loop;
    private final long timeoutMillis;
    private final Link link;
    /** The method of the current connection's exchange (the authenticator's answer at CONNECT). */
    private String method;
    private CompletableFuture<AuthenticationResult> reauth;
    private ScheduledFuture<?> reauthTimer;

    AuthExchange(EnhancedAuthenticator authenticator, String clientId, EventLoop loop, long timeoutMillis,
                 Link link) {
        this.authenticator = authenticator;
        this.clientId = clientId;
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
        this.link = link;
    }

    /** Starts a connection's exchange: the method for CONNECT. */
    String begin() {
        method = authenticator.method();
        return method;
    }

    /** The Authentication Data for CONNECT, or null. */
    byte[] initialData() {
        return authenticator.initialData();
    }

    /** Whether a CONNECT or re-authentication exchange is under way. */
    private boolean inExchange() {
        return link.connecting() || reauth != null;
    }

    /** Why an accepting CONNACK breaks the exchange (another method, MQTT-4.12.0-5), or null. */
    String connAckViolation(String connAckMethod) {
        if (!method.equals(connAckMethod)) {
            return "CONNACK with Authentication Method " + (connAckMethod == null ? "(none)" : connAckMethod)
                    + " after CONNECT with " + method + " (MQTT-4.12.0-5)";
        }
        return null;
    }

    /** CONNACK 0x00 ended the exchange. */
    void succeeded(byte[] serverData) {
        try {
            authenticator.onSuccess(serverData);
        } catch (RuntimeException e) {
            LOG.warn("Enhanced authenticator of client {} failed in onSuccess", clientId, e);
        }
    }

    /** A refusing CONNACK, or a DISCONNECT of 0x80 or above during an exchange. */
    void refused(int reasonCode, String reasonString) {
        if (reasonCode < 0x80 || !inExchange()) {
            return;
        }
        try {
            authenticator.onFailure(reasonCode, reasonString);
        } catch (RuntimeException e) {
            LOG.warn("Enhanced authenticator of client {} failed in onFailure", clientId, e);
        }
    }

    /** An AUTH from the server: a challenge, or the end of a re-authentication (MQTT 5.0 §3.15). */
    void onAuth(Channel ch, int code, MqttProperties props) {
        if (!inExchange()) {
            link.disconnect(ch, ReasonCodes.PROTOCOL_ERROR, "AUTH " + ReasonCodes.describe(code)
                    + " outside an authentication", null);
            return;
        }
        String m = Properties5.string(props, MqttProperties.AUTHENTICATION_METHOD);
        if (!method.equals(m)) {
            link.disconnect(ch, ReasonCodes.PROTOCOL_ERROR, "AUTH with Authentication Method " + m
                    + " during an exchange with " + method + " (MQTT-4.12.0-5)", null);
            return;
        }
        byte[] data = Properties5.binary(props, MqttProperties.AUTHENTICATION_DATA);
        if (code == ReasonCodes.SUCCESS && reauth != null) {
            cancelTimer();
            CompletableFuture<AuthenticationResult> f = reauth;
            reauth = null;
            succeeded(data);
            f.complete(new AuthenticationResult(data, Properties5.string(props, MqttProperties.REASON_STRING),
                    Properties5.userProperties(props)));
            return;
        }
        if (code != ReasonCodes.CONTINUE_AUTHENTICATION) {
            link.disconnect(ch, ReasonCodes.PROTOCOL_ERROR, "AUTH with " + ReasonCodes.describe(code)
                    + (link.connecting() ? " before CONNACK" : ""), null);
            return;
        }
        CompletionStage<byte[]> answer;
        try {
            answer = authenticator.onChallenge(data);
        } catch (RuntimeException e) {
            abort(ch, e);
            return;
        }
        answer.whenComplete((reply, error) -> {
            Runnable task = () -> {
                if (link.channel() != ch || !inExchange()) {
                    return; // the exchange ended meanwhile
                }
                if (error != null) {
                    abort(ch, error);
                } else {
                    link.send(Packets5.auth(ReasonCodes.CONTINUE_AUTHENTICATION, method, reply)); // MQTT-4.12.0-3
                }
            };
            if (loop.inEventLoop()) {
                task.run();
            } else {
                loop.execute(task);
            }
        });
    }

    /** The authenticator could not answer: DISCONNECT 0x80; the connect or re-authentication fails with why. */
    private void abort(Channel ch, Throwable cause) {
        LOG.info("Client {}: enhanced authentication aborted: {}", clientId, cause.toString());
        link.disconnect(ch, ReasonCodes.UNSPECIFIED_ERROR, "enhanced authentication aborted",
                new MqttClientException("enhanced authentication aborted: " + cause, cause));
    }

    /** Starts a re-authentication on the connected {@code ch} (MQTT-4.12.1-1). */
    void reauthenticate(Channel ch, CompletableFuture<AuthenticationResult> f) {
        if (reauth != null) {
            f.completeExceptionally(new MqttClientException("a re-authentication is under way already"));
            return;
        }
        byte[] data;
        try {
            data = authenticator.reauthenticationData();
        } catch (RuntimeException e) {
            f.completeExceptionally(new MqttClientException("the authenticator failed: " + e, e));
            return;
        }
        reauth = f;
        reauthTimer = loop.schedule(() -> {
            if (reauth == f && link.channel() == ch) {
                reauthTimer = null;
                link.disconnect(ch, ReasonCodes.UNSPECIFIED_ERROR, "no answer to re-authentication within "
                        + timeoutMillis + " ms", null);
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        link.send(Packets5.auth(ReasonCodes.RE_AUTHENTICATE, method, data));
    }

    /** The connection ended: a re-authentication under way fails with {@code cause}. */
    void connectionEnded(Throwable cause) {
        cancelTimer();
        CompletableFuture<AuthenticationResult> f = reauth;
        reauth = null;
        if (f != null) {
            f.completeExceptionally(cause);
        }
    }

    private void cancelTimer() {
        if (reauthTimer != null) {
            reauthTimer.cancel(false);
            reauthTimer = null;
        }
    }
}
