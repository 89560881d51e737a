/**
 * Topic routing: validation of topic names and filters ({@link io.cairn.kernel.routing.Topics}), the subscription
 * index matched for every published message ({@link io.cairn.kernel.routing.TopicTree}) and the retained messages
 * matched for every new subscription ({@link io.cairn.kernel.routing.RetainedIndex}). Plain Java, no Netty types;
 * not exported.
 */
package io.cairn.kernel.routing;
