package mantis.teleop.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import mantis.core.MonotonicClock;
import mantis.security.Role;

/**
 * The dashboard's login sessions: {@code POST /login} with the right token creates one, whose
 * random id (32 bytes, never the token) travels in the session cookie. A session lasts {@code
 * ttlNanos} from login; ids are stored as SHA-256 hashes, so a lookup's timing says nothing about a
 * stored id. Each session carries who logged in: the name and {@link Role} of the token used (never
 * the token).
 *
 * <p>Bounded without letting one person log out others: each principal (token name) keeps at most
 * {@code maxPerPrincipal} sessions, and its own oldest goes when it logs in once more; all together
 * at most {@code maxSessions} are kept, and when they are full a new login ends the oldest session
 * of the principal holding the most (ties: the one whose oldest session is oldest), which is the
 * newcomer's own when it holds as many as anyone. So a viewer logging in again and again ends only
 * its own sessions, and only someone who holds {@code maxPerPrincipal} sessions themselves can lose
 * one to another's login. Everyone sharing the one {@code --dashboard-token} is one principal.
 * Thread-safe.
 */
final class LoginSessions {
  /** How long a login lasts: a working day and then some. */
  static final long DEFAULT_TTL_NANOS = 12L * 3600 * 1_000_000_000L;

  static final int DEFAULT_MAX_SESSIONS = 256;

  /**
   * Sessions one principal (token) may hold at once: browsers and tabs of the people sharing a
   * token.
   */
  static final int DEFAULT_MAX_PER_PRINCIPAL = 32;

  private final MonotonicClock clock;
  private final long ttlNanos;
  private final int maxSessions;
  private final int maxPerPrincipal;
  private final SecureRandom random = new SecureRandom();

  /** hash of the id -> the session, oldest login first. */
  private final LinkedHashMap<String, Entry> expiries = new LinkedHashMap<>();

  /** Who a session belongs to: the name and role of the token it logged in with. */
  record Session(String name, Role role) {
    Session {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
    }
  }

  private record Entry(long expiryNanos, Session session) {}

  LoginSessions(MonotonicClock clock, long ttlNanos, int maxSessions) {
    this(clock, ttlNanos, maxSessions, Math.min(maxSessions, DEFAULT_MAX_PER_PRINCIPAL));
  }

  LoginSessions(MonotonicClock clock, long ttlNanos, int maxSessions, int maxPerPrincipal) {
    if (ttlNanos <= 0 || maxSessions <= 0 || maxPerPrincipal <= 0) {
      throw new IllegalArgumentException("session ttl and counts must be positive");
    }
    this.clock = clock;
    this.ttlNanos = ttlNanos;
    this.maxSessions = maxSessions;
    this.maxPerPrincipal = Math.min(maxPerPrincipal, maxSessions);
  }

  /** The session lifetime in whole seconds (the cookie's Max-Age). */
  long ttlSeconds() {
    return ttlNanos / 1_000_000_000L;
  }

  /** Starts a session of the shared dashboard token (admin) and returns its id. */
  String create() {
    return create(new Session(DashboardServer.SHARED_TOKEN_NAME, Role.ADMIN));
  }

  /** Starts a session for {@code who} and returns its id (the cookie's value). */
  synchronized String create(Session who) {
    Objects.requireNonNull(who, "who");
    long now = clock.nanoTime();
    dropExpired(now);
    Map<String, Integer> counts = new HashMap<>();
    for (Entry e : expiries.values()) {
      counts.merge(e.session().name(), 1, Integer::sum);
    }
    if (counts.getOrDefault(who.name(), 0) >= maxPerPrincipal) {
      removeOldestOf(who.name());
      counts.merge(who.name(), -1, Integer::sum);
    }
    if (expiries.size() >= maxSessions) {
      // Full: the principal holding the most gives up its oldest (insertion order: the first found
      // is the
      // oldest, so on a tie the principal whose oldest session is oldest); the newcomer's own when
      // it holds
      // as many as anyone.
      int mine = counts.getOrDefault(who.name(), 0);
      String largest = who.name();
      int most = mine;
      for (Entry e : expiries.values()) {
        int n = counts.get(e.session().name());
        if (n > most) {
          most = n;
          largest = e.session().name();
        }
      }
      removeOldestOf(largest);
    }
    byte[] b = new byte[32];
    random.nextBytes(b);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    expiries.put(hash(id), new Entry(now + ttlNanos, who));
    return id;
  }

  /** Guarded by this. Ends the oldest session of {@code name}. */
  private void removeOldestOf(String name) {
    Iterator<Entry> it = expiries.values().iterator();
    while (it.hasNext()) {
      if (it.next().session().name().equals(name)) {
        it.remove();
        return;
      }
    }
  }

  /** Live sessions of {@code name}. */
  synchronized int sessionsOf(String name) {
    dropExpired(clock.nanoTime());
    return (int) expiries.values().stream().filter(e -> e.session().name().equals(name)).count();
  }

  /** Whether {@code id} names a live session. */
  boolean valid(String id) {
    return lookup(id).isPresent();
  }

  /** The live session {@code id} names, or empty. */
  synchronized Optional<Session> lookup(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return Optional.empty();
    }
    String key = hash(id);
    Entry e = expiries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (clock.nanoTime() - e.expiryNanos() >= 0) {
      expiries.remove(key);
      return Optional.empty();
    }
    return Optional.of(e.session());
  }

  /** Ends the session {@code id} (logout) and returns whose it was; unknown ids are ignored. */
  synchronized Optional<Session> remove(String id) {
    if (id != null && id.length() <= 128) {
      Entry e = expiries.remove(hash(id));
      if (e != null && clock.nanoTime() - e.expiryNanos() < 0) {
        return Optional.of(e.session());
      }
    }
    return Optional.empty();
  }

  synchronized int size() {
    dropExpired(clock.nanoTime());
    return expiries.size();
  }

  private void dropExpired(long now) {
    expiries
        .entrySet()
        .removeIf((Map.Entry<String, Entry> e) -> now - e.getValue().expiryNanos() >= 0);
  }

  private static String hash(String id) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
