/**
 * Authentication from a password file and authorization from an ACL file, both in Mosquitto's formats and both
 * reloaded when they change: {@link io.cairn.auth.file.FileAuthenticator} and
 * {@link io.cairn.auth.file.FileAuthorizer}. In OSGi a factory configuration {@code io.cairn.auth.file}
 * ({@code etc/io.cairn.auth.file-<name>.cfg}) registers them; an embedded broker constructs them.
 *
 * <h2>Password file</h2>
 * One {@code username:hash} per line, as {@code mosquitto_passwd} (Mosquitto 2.x) or {@code cairn-passwd} write
 * it; blank lines and lines starting with {@code #} are ignored. Hashes: {@code $7$<iterations>$<salt>$<hash>}
 * (PBKDF2-HMAC-SHA512, 64-byte result), {@code $6$<salt>$<hash>} (SHA-512 over the password bytes, then the
 * salt bytes), salt and hash in Base64; and Argon2id in the PHC string format,
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>} (Bouncy Castle's implementation, copied into
 * the bundle; checked against the reference implementation's output). Any bad line (no colon, unknown hash type, plain-text password, bad
 * Base64, a salt outside 8..64 bytes, a hash that is not 64 bytes, more than 10,000,000 iterations, a user given
 * twice) rejects the whole file with an ERROR line {@code file:line: problem} per problem; the version loaded
 * before stays in force.
 *
 * <h2>Authentication</h2>
 * <ul>
 * <li>No user name: defer (the listener's {@code allowAnonymous} and the rest of the chain decide).</li>
 * <li>A user in the file with the right password: accept, with the attribute {@code username}.</li>
 * <li>A user in the file with a wrong or no password: reject 0x86 (Bad user name or password), reason
 *     "bad user name or password", which does not say which part was wrong.</li>
 * <li>A user not in the file: defer by default, so that a lower-ranked authenticator (JDBC, say) may accept it; a
 *     chain in which every authenticator defers refuses a client with a user name with 0x86, so alone this
 *     behaves as Mosquitto does. With {@code rejectUnknownUsers = true}: reject 0x86 with the same reason
 *     string, and no lower-ranked authenticator is asked.</li>
 * <li>While no version of the file could ever be loaded: a client with a user name is refused with 0x88 (Server
 *     unavailable); one without is deferred.</li>
 * </ul>
 * Comparisons are constant-time ({@link java.security.MessageDigest#isEqual}), and a user that is not in the
 * file costs the same hash computation (against a dummy entry with the parameters of the file's first entry),
 * so the answer's timing does not tell which users exist. {@code $6$} hashes and {@code $7$} hashes with at most
 * 128 iterations (Mosquitto's default is 101) are checked on the network thread (0.2 ms or less on a 2-vCPU VM;
 * 1,000 iterations already cost 2 ms, 210,000 about half a second); others on the authenticator's own
 * threads, answered with {@link io.cairn.api.auth.Authentication#later} within {@code timeoutMillis}, else 0x88.
 * Successful checks are cached (an HMAC of user and password under a random per-process key) until the next
 * reload.
 *
 * <h2>ACL file</h2>
 * Mosquitto's syntax: {@code user <name>} starts that user's section; {@code topic [read|write|readwrite|deny]
 * <filter>} (no access word: readwrite) adds a rule to the current section, and lines before the first
 * {@code user} form the section of clients without a user name; {@code pattern [access] <filter>} applies to
 * every client, with {@code %c} replaced by the client id and {@code %u} by the user name. Filters are checked
 * ({@code #} only as the whole last level, {@code +} only as a whole level); a bad line rejects the file as above.
 *
 * <h2>Authorization</h2>
 * A client's rules are its user's section (the anonymous section when it has no user name, or when it was let in
 * anonymously, whatever name it sent) plus the patterns. A pattern with {@code %u} does not apply to a client
 * without a user name; an allowing pattern does not apply when the client id or user name it substitutes contains
 * {@code +} or {@code #}, and a denying one then denies everything. Topics starting with {@code $} are matched
 * only by rules whose first level is not a wildcard. {@code deny} wins over every allow.
 * <ul>
 * <li>publish(topic): DENY if a deny rule matches; ALLOW if a write or readwrite rule matches; else DEFER.</li>
 * <li>subscribe(filter): DENY if a deny rule matches every topic the filter matches; ALLOW if a read or
 *     readwrite rule matches at least one topic the filter matches (receive() then filters each message);
 *     else DEFER. {@code $share/<group>/<filter>} is judged by {@code <filter>}.</li>
 * <li>receive(topic): for a client with at least one rule, ALLOW if a read or readwrite rule matches and no
 *     deny rule does, else DENY; for a client without rules, DEFER.</li>
 * <li>A client without any rule (no section, no pattern that applies): DEFER everywhere; the chain denies
 *     publish and subscribe when nothing else allows them.</li>
 * <li>While no version of the file could ever be loaded: DENY everywhere.</li>
 * </ul>
 * A successful reload puts the new rules in force and then calls every policy listener.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.auth.file;
