/**
 * Plugins that observe and shape traffic: interceptors for CONNECT, inbound PUBLISH, outbound PUBLISH (per
 * subscriber), SUBSCRIBE, UNSUBSCRIBE and DISCONNECT, and a listener of the broker's lifecycle events.
 *
 * <p>Interceptors are OSGi services. The kernel orders each kind by {@code service.ranking} (highest first, then
 * the lowest service id), scopes one to listeners with {@link InterceptorProperties#LISTENERS}, and applies the
 * chain of a kind as one immutable list: a packet in flight sees the chain that was current when it arrived, and
 * a client connected before an interceptor arrived is covered by it from its next packet.
 *
 * <p>Interceptors run on the broker's network threads and must not block. One that needs I/O implements the
 * asynchronous form ({@link AsyncPublishInterceptor}) and answers within its time budget
 * ({@link InterceptorProperties#BUDGET_MILLIS}); when it does not, or throws, the kernel applies the
 * interceptor's default outcome ({@link InterceptorProperties#ON_FAILURE}), counts the failure against its bundle,
 * and stops (quarantines) a bundle whose failures exceed the broker's error budget, while the broker goes on.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.api.intercept;
