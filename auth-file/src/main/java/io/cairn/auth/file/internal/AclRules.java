package io.cairn.auth.file.internal;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import io.cairn.api.auth.Permission;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One version of an ACL file, in Mosquitto's syntax, parsed and indexed.
 *
 * <pre>
 * # lines before the first 'user' apply to clients without a user name
 * topic read public/#
 * user alice
 * topic readwrite alice/#          (no access word means readwrite)
 * topic deny alice/secret/#
 * pattern write devices/%c/up      (every client; %c client id, %u user name)
 * </pre>
 *
 * <p>{@link #rulesFor} gives the rules of one client as a {@link RuleTrie}: its user's section (the anonymous
 * section for a client without a user name) plus every pattern, with {@code %c} and {@code %u} substituted. A
 * pattern with {@code %u} does not apply to a client without a user name; an allowing pattern does not apply
 * when the substituted value contains {@code +} or {@code #} (a client id of {@code #} must not widen a rule), a
 * denying one then denies everything. Without patterns, clients share their user's trie; with patterns each
 * client's trie is built once and kept in a bounded cache that dies with this version.
 */
public final class AclRules {

    /** Access bit of {@code read} and {@code readwrite} rules. */
    public static final int READ = RuleTrie.READ;
    /** Access bit of {@code write} and {@code readwrite} rules. */
    public static final int WRITE = RuleTrie.WRITE;
    /** Access bit of {@code deny} rules. */
    public static final int DENY = RuleTrie.DENY;

    /** How many per-client rule sets are kept before the cache is emptied. */
    static final int CLIENT_CACHE_LIMIT = 10_000;

    private record Rule(String filter, int access) {
    }

    private record ClientRules(String username, RuleTrie rules) {
    }

    private final RuleTrie anonymous;
    private final Map<String, RuleTrie> users;
    private final List<Rule> anonymousRules;
    private final Map<String, List<Rule>> userRules;
    private final List<Rule> patterns;
    private final ConcurrentHashMap<String, ClientRules> clients = new ConcurrentHashMap<>();
    private final int ruleCount;

    private AclRules(List<Rule> anonymousRules, Map<String, List<Rule>> userRules, List<Rule> patterns) {
        this.anonymousRules = anonymousRules;
        this.userRules = userRules;
        this.patterns = patterns;
        this.anonymous = trie(anonymousRules, List.of());
        this.users = new HashMap<>();
        int count = anonymousRules.size() + patterns.size();
        for (Map.Entry<String, List<Rule>> e : userRules.entrySet()) {
            users.put(e.getKey(), trie(e.getValue(), List.of()));
            count += e.getValue().size();
        }
        this.ruleCount = count;
    }

    /** The number of user sections. */
    public int users() {
        return userRules.size();
    }

    /** The number of rules: topic lines and patterns. */
    public int rules() {
        return ruleCount;
    }

    /** The access bits of the client's rules that match {@code topic}; allocates nothing without patterns. */
    public int match(String clientId, String username, String topic) {
        return rulesFor(clientId, username).match(topic);
    }

    /** The subscribe decision; see {@code FileAuthorizer#subscribe}. */
    public Permission subscribe(String clientId, String username, String filter) {
        RuleTrie rules = rulesFor(clientId, username);
        if (rules.isEmpty()) {
            return Permission.DEFER;
        }
        String f = Filters.unshared(filter);
        if ((rules.cover(f) & DENY) != 0) {
            return Permission.DENY;
        }
        return (rules.intersect(f) & READ) != 0 ? Permission.ALLOW : Permission.DEFER;
    }

    /** The receive decision; see {@code FileAuthorizer#receive}. */
    public Permission receive(String clientId, String username, String topic) {
        RuleTrie rules = rulesFor(clientId, username);
        if (rules.isEmpty()) {
            return Permission.DEFER;
        }
        int bits = rules.match(topic);
        return (bits & DENY) == 0 && (bits & READ) != 0 ? Permission.ALLOW : Permission.DENY;
    }

    /**
     * The rules for a client; {@code username} {@code null} for a client without one (or let in anonymously).
     * Without patterns this allocates nothing.
     */
    RuleTrie rulesFor(String clientId, String username) {
        if (patterns.isEmpty()) {
            RuleTrie rules = username == null ? anonymous : users.get(username);
            return rules == null ? RuleTrie.EMPTY : rules;
        }
        ClientRules cached = clients.get(clientId);
        if (cached != null && Objects.equals(cached.username, username)) {
            return cached.rules;
        }
        List<Rule> section = username == null ? anonymousRules : userRules.getOrDefault(username, List.of());
        RuleTrie rules = trie(section, substitute(clientId, username));
        if (clients.size() >= CLIENT_CACHE_LIMIT) {
            clients.clear();
        }
        clients.put(clientId, new ClientRules(username, rules));
        return rules;
    }

    private List<Rule> substitute(String clientId, String username) {
        List<Rule> rules = new ArrayList<>(patterns.size());
        for (Rule p : patterns) {
            boolean usesUser = p.filter.contains("%u");
            if (usesUser && username == null) {
                continue;
            }
            boolean wild = (p.filter.contains("%c") && Filters.hasWildcard(clientId))
                    || (usesUser && Filters.hasWildcard(username));
            if (wild) {
                if ((p.access & RuleTrie.DENY) != 0) {
                    rules.add(new Rule("#", RuleTrie.DENY));
                }
                continue;
            }
            String filter = p.filter.replace("%c", clientId);
            if (username != null) {
                filter = filter.replace("%u", username);
            }
            if (Filters.problem(filter) == null) {
                rules.add(new Rule(filter, p.access));
            } else if ((p.access & RuleTrie.DENY) != 0) {
                rules.add(new Rule("#", RuleTrie.DENY));
            }
        }
        return rules;
    }

    private static RuleTrie trie(List<Rule> section, List<Rule> extra) {
        if (section.isEmpty() && extra.isEmpty()) {
            return RuleTrie.EMPTY;
        }
        RuleTrie trie = new RuleTrie();
        for (Rule r : section) {
            trie.add(r.filter, r.access);
        }
        for (Rule r : extra) {
            trie.add(r.filter, r.access);
        }
        return trie;
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws InvalidFileException with every problem, each as {@code file:line: problem}
     */
    public static AclRules load(Path file) throws InvalidFileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidFileException(List.of(file + ": not valid UTF-8"));
        } catch (IOException e) {
            throw new InvalidFileException(List.of(file + ": cannot be read: " + e));
        }
        return parse(file.toString(), text);
    }

    /**
     * Parses the text of an ACL file called {@code name} (for the messages).
     *
     * @throws InvalidFileException with every problem, each as {@code name:line: problem}
     */
    static AclRules parse(String name, String text) throws InvalidFileException {
        List<String> problems = new ArrayList<>();
        List<Rule> anonymousRules = new ArrayList<>();
        Map<String, List<Rule>> userRules = new HashMap<>();
        List<Rule> patterns = new ArrayList<>();
        List<Rule> section = anonymousRules;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = name + ':' + (n + 1) + ": ";
            String[] words = line.split("\\s+", 2);
            String keyword = words[0];
            String rest = words.length > 1 ? words[1] : "";
            switch (keyword) {
                case "user" -> {
                    if (rest.isEmpty()) {
                        problems.add(where + "'user' needs a user name");
                    } else {
                        section = userRules.computeIfAbsent(rest, u -> new ArrayList<>());
                    }
                }
                case "topic", "pattern" -> {
                    Rule rule = rule(keyword, rest, where, problems);
                    if (rule != null) {
                        (keyword.equals("topic") ? section : patterns).add(rule);
                    }
                }
                default -> problems.add(where + "unknown keyword '" + keyword + "' (expected user, topic or pattern)");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidFileException(problems);
        }
        return new AclRules(List.copyOf(anonymousRules), userRules, List.copyOf(patterns));
    }

    private static Rule rule(String keyword, String rest, String where, List<String> problems) {
        if (rest.isEmpty()) {
            problems.add(where + "'" + keyword + "' needs a topic filter");
            return null;
        }
        String[] words = rest.split("\\s+", 2);
        int access = access(words[0]);
        String filter;
        if (access != 0) {
            if (words.length < 2) {
                problems.add(where + "'" + keyword + ' ' + words[0] + "' needs a topic filter");
                return null;
            }
            filter = words[1];
        } else if (words.length > 1) {
            problems.add(where + "unknown access '" + words[0] + "' (expected read, write, readwrite or deny)");
            return null;
        } else {
            access = RuleTrie.READ | RuleTrie.WRITE;
            filter = words[0];
        }
        String checked = keyword.equals("pattern") ? filter.replace("%c", "c").replace("%u", "u") : filter;
        String problem = Filters.problem(checked);
        if (problem != null) {
            problems.add(where + problem.replace("'" + checked + "'", "'" + filter + "'"));
            return null;
        }
        return new Rule(filter, access);
    }

    private static int access(String word) {
        return switch (word) {
            case "read" -> RuleTrie.READ;
            case "write" -> RuleTrie.WRITE;
            case "readwrite" -> RuleTrie.READ | RuleTrie.WRITE;
            case "deny" -> RuleTrie.DENY;
            default -> 0;
        };
    }
}
