package mantis.server.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import mantis.core.MonotonicClock;

/**
 * The dashboard's login sessions: {@code POST /login} with the right token creates one, whose random
 * id (32 bytes, never the token) travels in the session cookie. A session lasts {@code ttlNanos} from
 * login, at most {@code maxSessions} are kept (the oldest goes first); ids are stored as SHA-256
 * hashes, so a lookup's timing says nothing about a stored id. Thread-safe.
 */
final class LoginSessions {
  /** How long a login lasts: a working day and then some. */
  static final long DEFAULT_TTL_NANOS = 12L * 3600 * 1_000_000_000L;
  static final int DEFAULT_MAX_SESSIONS = 256;

  private final MonotonicClock clock;
  private final long ttlNanos;
  private final int maxSessions;
  private final SecureRandom random = new SecureRandom();
  /** hash of the id -> expiry (clock nanos), oldest login first. */
  private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();

  LoginSessions(MonotonicClock clock, long ttlNanos, int maxSessions) {
    if (ttlNanos <= 0 || maxSessions <= 0) {
      throw new IllegalArgumentException("session ttl and count must be positive");
    }
    this.clock = clock;
    this.ttlNanos = ttlNanos;
    this.maxSessions = maxSessions;
  }

  /** The session lifetime in whole seconds (the cookie's Max-Age). */
  long ttlSeconds() {
    return ttlNanos / 1_000_000_000L;
  }

  /** Starts a session and returns its id (the cookie's value). */
  synchronized String create() {
    long now = clock.nanoTime();
    dropExpired(now);
    while (expiries.size() >= maxSessions) {
      Iterator<String> oldest = expiries.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    byte[] b = new byte[32];
    random.nextBytes(b);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    expiries.put(hash(id), now + ttlNanos);
    return id;
  }

  /** Whether {@code id} names a live session. */
  synchronized boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    String key = hash(id);
    Long expiry = expiries.get(key);
    if (expiry == null) {
      return false;
    }
    if (clock.nanoTime() - expiry >= 0) {
      expiries.remove(key);
      return false;
    }
    return true;
  }

  /** Ends the session {@code id} (logout); unknown ids are ignored. */
  synchronized void remove(String id) {
    if (id != null && id.length() <= 128) {
      expiries.remove(hash(id));
    }
  }

  synchronized int size() {
    dropExpired(clock.nanoTime());
    return expiries.size();
  }

  private void dropExpired(long now) {
    expiries.entrySet().removeIf((Map.Entry<String, Long> e) -> now - e.getValue() >= 0);
  }

  private static String hash(String id) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
