/**
 * Messages as the broker and its plugins see them: an immutable {@link io.cairn.api.message.Message} with its
 * {@link io.cairn.api.message.QoS} and MQTT 5 {@link io.cairn.api.message.MessageProperties}, and the MQTT 5
 * {@link io.cairn.api.message.ReasonCode}s. No type here exposes a buffer whose release is the receiver's duty.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.api.message;
