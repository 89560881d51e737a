package io.cairn.auth.file;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.ConnectRequest;
import io.cairn.api.message.ReasonCode;
import io.cairn.auth.file.internal.InvalidFileException;
import io.cairn.auth.file.internal.PasswordFile;
import io.cairn.auth.file.internal.PasswordHash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks user names and passwords against a Mosquitto-compatible password file (see the package documentation
 * for the format and the decisions).
 *
 * <p>Expensive hashes are verified on a small pool of daemon threads owned by this authenticator, never on the
 * network thread: {@link #authenticate} then answers {@link Authentication#later} with the configured timeout and
 * a fallback of {@link ReasonCode#SERVER_UNAVAILABLE}. Successful verifications are remembered in a bounded cache
 * keyed by an HMAC-SHA256 of user name and password under a random per-instance key (the cache holds no
 * password), emptied by every reload, so a storm of reconnects costs one hash each.
 *
 * <p>Thread-safe. {@link #close} stops the verification threads.
 */
public final class FileAuthenticator implements Authenticator, AutoCloseable {

    /** The attribute an accepted client gets: the user name it was accepted as. */
    public static final String USERNAME_ATTRIBUTE = "username";

    private static final Logger LOG = LoggerFactory.getLogger(FileAuthenticator.class);
    /** The reason string of a failed check; the same for an unknown user and a wrong password. */
    static final String BAD_CREDENTIALS = "bad user name or password";
    private static final Authentication BUSY = Authentication.reject(ReasonCode.SERVER_UNAVAILABLE,
            "authentication is overloaded");

    private final Path file;
    private final String name;
    private final boolean rejectUnknownUsers;
    private final Duration timeout;
    private final int cacheSize;
    private final Authentication fallback;
    private final ThreadPoolExecutor executor;
    private final SecureRandom random = new SecureRandom();
    private final byte[] cacheKey = new byte[32];
    private volatile Users users;

    /** One version of the file in force, with its cache; {@code file == null}: no version could be loaded yet. */
    private static final class Users {
        final PasswordFile file;
        final PasswordHash dummy;
        final Map<ByteBuffer, Boolean> verified;

        Users(PasswordFile file, PasswordHash dummy, int cacheSize) {
            this.file = file;
            this.dummy = dummy;
            this.verified = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                    return size() > cacheSize;
                }
            };
        }

        boolean cached(ByteBuffer key) {
            synchronized (verified) {
                return verified.get(key) != null;
            }
        }

        void remember(ByteBuffer key) {
            synchronized (verified) {
                verified.put(key, Boolean.TRUE);
            }
        }
    }

    private FileAuthenticator(Builder b) {
        this.file = b.file;
        this.name = b.name;
        this.rejectUnknownUsers = b.rejectUnknownUsers;
        this.timeout = b.timeout;
        this.cacheSize = b.cacheSize;
        this.fallback = Authentication.reject(ReasonCode.SERVER_UNAVAILABLE, "authentication timed out");
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "cairn-auth-file-" + name + '-' + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.queue), threads, new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
        random.nextBytes(cacheKey);
        this.users = new Users(null, null, 0);
    }

    /** Starts building an authenticator for {@code passwordFile}. */
    public static Builder builder(Path passwordFile) {
        return new Builder(passwordFile);
    }

    /** The password file this authenticator reads. */
    public Path file() {
        return file;
    }

    /** Whether a version of the file is in force; until one is, every client with a user name is refused. */
    public boolean loaded() {
        return users.file != null;
    }

    /** The number of users in the version in force (0 when none is). */
    public int userCount() {
        PasswordFile f = users.file;
        return f == null ? 0 : f.users().size();
    }

    /**
     * Reads the file again. A valid file replaces the version in force (and empties the cache); an invalid or
     * unreadable one is logged at ERROR, one line per problem, and the version in force stays.
     *
     * @return whether the file was loaded
     */
    public boolean reload() {
        boolean first = !loaded();
        PasswordFile next;
        try {
            next = PasswordFile.load(file);
        } catch (InvalidFileException e) {
            for (String problem : e.problems()) {
                LOG.error("Password file {}", problem);
            }
            LOG.error("Password file {} rejected ({} problem(s)); {}", file, e.problems().size(), first
                    ? "clients with a user name are refused until it is fixed"
                    : "the previous version stays in force");
            return false;
        }
        PasswordHash dummy = next.users().values().stream().findFirst()
                .map(h -> dummyOf(h)).orElseGet(() -> PasswordHash.sha512(new byte[16], new byte[12]));
        users = new Users(next, dummy, cacheSize);
        LOG.info("Password file {} {}: {} users", file, first ? "loaded" : "reloaded", next.users().size());
        return true;
    }

    private PasswordHash dummyOf(PasswordHash model) {
        byte[] password = new byte[16];
        random.nextBytes(password);
        return model.sameCost(password, random);
    }

    /**
     * Answers for one CONNECT: a client without a user name is deferred; a user in the file with the right password
     * is accepted with the attribute {@value #USERNAME_ATTRIBUTE}; a user in the file with a wrong or no password is
     * refused with 0x86; a user not in the file is deferred, or refused with 0x86 when unknown users are
     * rejected. While no version of the file could be loaded, clients with a user name are refused with 0x88.
     */
    @Override
    public Authentication authenticate(ConnectRequest request) {
        String user = request.username();
        if (user == null) {
            return Authentication.defer();
        }
        Users current = users;
        if (current.file == null) {
            return Authentication.reject(ReasonCode.SERVER_UNAVAILABLE, "password file unavailable");
        }
        byte[] password = request.password();
        PasswordHash hash = current.file.users().get(user);
        boolean known = hash != null;
        PasswordHash target = known ? hash : current.dummy;
        ByteBuffer key = password == null ? null : cacheKey(user, password);
        if (known && key != null && current.cached(key)) {
            return accepted(user);
        }
        byte[] checked = password == null ? new byte[0] : password;
        if (target.cheap()) {
            return check(current, user, known, target, checked, key);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            CompletableFuture<Authentication> answer = CompletableFuture.supplyAsync(() -> System.nanoTime() > deadline
                    ? fallback : check(current, user, known, target, checked, key), executor);
            return Authentication.later(answer, timeout, fallback);
        } catch (RejectedExecutionException e) {
            LOG.warn("Password checks of {} are overloaded: {} refused with 0x88", file, user);
            return BUSY;
        }
    }

    private Authentication check(Users current, String user, boolean known, PasswordHash target, byte[] password,
                                 ByteBuffer key) {
        boolean match = target.verify(password) && key != null;
        if (known && match) {
            current.remember(key);
            return accepted(user);
        }
        if (known || rejectUnknownUsers) {
            LOG.debug("Password file {}: user {} refused", file, user);
            return Authentication.reject(ReasonCode.BAD_USER_NAME_OR_PASSWORD, BAD_CREDENTIALS);
        }
        return Authentication.defer();
    }

    private static Authentication accepted(String user) {
        return Authentication.accept(Map.of(USERNAME_ATTRIBUTE, user));
    }

    private ByteBuffer cacheKey(String user, byte[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            byte[] u = user.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(0, u.length).array());
            mac.update(u);
            mac.update(password);
            return ByteBuffer.wrap(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** Stops the verification threads; answers still pending complete with the timeout's fallback. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "FileAuthenticator[" + name + ", " + file + ']';
    }

    /** Settings of a {@link FileAuthenticator}; every one has a default. */
    public static final class Builder {
        private final Path file;
        private String name = "file";
        private boolean rejectUnknownUsers;
        private Duration timeout = Duration.ofSeconds(5);
        private int cacheSize = 1024;
        private int threads = 2;
        private int queue = 1024;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** The name in thread names and logs; default {@code file}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Refuse (0x86) user names the file lacks instead of deferring to the next authenticator; default false. */
        public Builder rejectUnknownUsers(boolean reject) {
            this.rejectUnknownUsers = reject;
            return this;
        }

        /** How long a client waits for an expensive check before it is refused with 0x88; default 5 s. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** How many successful verifications are remembered (0: none); default 1024. */
        public Builder cacheSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("cache size must not be negative");
            }
            this.cacheSize = size;
            return this;
        }

        /** How many threads verify expensive hashes; default 2. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
            this.threads = threads;
            return this;
        }

        /**
         * Creates the authenticator and loads the file once ({@link #reload}); if that fails, clients with a user
         * name are refused until a reload succeeds.
         */
        public FileAuthenticator build() {
            FileAuthenticator authenticator = new FileAuthenticator(this);
            authenticator.reload();
            return authenticator;
        }
    }
}
