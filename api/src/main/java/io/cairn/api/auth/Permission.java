package io.cairn.api.auth;

/** An {@link Authorizer}'s answer for one action. */
public enum Permission {
    /** The action is allowed; the rest of the chain is not asked. */
    ALLOW,
    /** The action is refused; the rest of the chain is not asked. */
    DENY,
    /** No opinion: the next authorizer of the chain decides. */
    DEFER
}
