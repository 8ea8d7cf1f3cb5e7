package mantis.teleop.dashboard;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import mantis.core.MonotonicClock;

/**
 * Limits wrong tokens per client, without letting one client lock out another.
 *
 * <ul>
 *   <li><b>Per client</b>: after {@code maxFailures} wrong tokens (at the login form or as {@code
 *       Authorization: Bearer}) within {@code windowNanos} of the client's first, that client is
 *       refused (429) until its window is over, the right token included. A client that has not
 *       sent a wrong token itself is never refused: its token is always checked. The client is its
 *       address (IPv6 per /64, since one host usually holds a whole /64); behind a reverse proxy on
 *       loopback the dashboard passes the address the proxy reports ({@code X-Forwarded-For}), see
 *       {@code DashboardServer}.
 *   <li><b>Overall</b>: when more than {@code maxGlobalFailures} wrong tokens arrive within one
 *       window from all clients together (someone is guessing from many addresses), every client
 *       that sends a wrong token during the rest of that window is refused after its first, instead
 *       of its {@code maxFailures}-th; {@link #recordWrongToken} reports when the limit is reached
 *       ({@link Failure#GLOBAL_LIMITED}), so that it is logged once per window. Clients without a
 *       wrong token are still checked, so the right token keeps working.
 * </ul>
 *
 * <p>Logged-in sessions (the cookie) are not counted or refused here at all: a person already
 * logged in can always press E-STOP. At most {@code maxTracked} clients are remembered; beyond that
 * the one whose window began first is forgotten. Thread-safe.
 */
final class LoginThrottle {
  static final int DEFAULT_MAX_FAILURES = 5;
  static final long DEFAULT_WINDOW_NANOS = 60_000_000_000L;
  static final int DEFAULT_MAX_TRACKED = 4096;

  /** Wrong tokens per window from all clients together before each client gets one try only. */
  static final int DEFAULT_MAX_GLOBAL_FAILURES = 30;

  /** What one wrong token did. */
  enum Failure {
    /** Counted; the client may still try. */
    COUNTED,
    /** This one used up the client's tries: it is refused until its window ends. */
    CLIENT_LIMITED,
    /**
     * This one reached the overall limit: from now until the overall window ends, each client is
     * refused after its first wrong token (this client included).
     */
    GLOBAL_LIMITED
  }

  private final MonotonicClock clock;
  private final int maxFailures;
  private final long windowNanos;
  private final int maxTracked;
  private final int maxGlobalFailures;
  private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>();
  private long globalStartNanos;
  private int globalFailures;
  private boolean globalStarted;
  private int globalClients;

  private static final class Window {
    final long startNanos;
    int failures;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  LoginThrottle(MonotonicClock clock, int maxFailures, long windowNanos, int maxTracked) {
    this(clock, maxFailures, windowNanos, maxTracked, DEFAULT_MAX_GLOBAL_FAILURES);
  }

  LoginThrottle(
      MonotonicClock clock,
      int maxFailures,
      long windowNanos,
      int maxTracked,
      int maxGlobalFailures) {
    if (maxFailures <= 0 || windowNanos <= 0 || maxTracked <= 0 || maxGlobalFailures <= 0) {
      throw new IllegalArgumentException("throttle limits must be positive");
    }
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowNanos = windowNanos;
    this.maxTracked = maxTracked;
    this.maxGlobalFailures = maxGlobalFailures;
  }

  /** How long {@code client} must still wait (nanoseconds), 0 when it may try. */
  synchronized long retryAfterNanos(String client) {
    String key = key(client);
    Window w = windows.get(key);
    if (w == null) {
      return 0;
    }
    long now = clock.nanoTime();
    long left = w.startNanos + windowNanos - now;
    if (left <= 0) {
      windows.remove(key);
      return 0;
    }
    return w.failures >= allowance(now) ? left : 0;
  }

  /**
   * Counts a wrong token from {@code client}; true when the client is refused from now on (its
   * tries are used up).
   */
  boolean recordFailure(String client) {
    return recordWrongToken(client) != Failure.COUNTED;
  }

  /** Counts a wrong token from {@code client}, and says what it did. */
  synchronized Failure recordWrongToken(String client) {
    String key = key(client);
    long now = clock.nanoTime();
    Window w = windows.get(key);
    if (w == null || now - (w.startNanos + windowNanos) >= 0) {
      windows.remove(key);
      if (windows.size() >= maxTracked) {
        windows.entrySet().removeIf(e -> now - (e.getValue().startNanos + windowNanos) >= 0);
        Iterator<String> oldest = windows.keySet().iterator();
        while (windows.size() >= maxTracked && oldest.hasNext()) {
          oldest.next();
          oldest.remove();
        }
      }
      w = new Window(now);
      windows.put(key, w);
    }
    w.failures++;
    if (!globalStarted || now - (globalStartNanos + windowNanos) >= 0) {
      globalStarted = true;
      globalStartNanos = now;
      globalFailures = 0;
      globalClients = 0;
    }
    globalFailures++;
    if (w.failures == 1) {
      globalClients++;
    }
    if (globalFailures == maxGlobalFailures + 1) {
      return Failure.GLOBAL_LIMITED;
    }
    return w.failures == allowance(now) ? Failure.CLIENT_LIMITED : Failure.COUNTED;
  }

  /** The right token from {@code client}: its count starts over. */
  synchronized void recordSuccess(String client) {
    windows.remove(key(client));
  }

  synchronized int tracked() {
    return windows.size();
  }

  /** Wrong tokens in the current overall window, from all clients. */
  synchronized int globalFailures() {
    return globalStarted && clock.nanoTime() - (globalStartNanos + windowNanos) < 0
        ? globalFailures
        : 0;
  }

  /** Clients that sent a wrong token in the current overall window. */
  synchronized int globalClients() {
    return globalStarted && clock.nanoTime() - (globalStartNanos + windowNanos) < 0
        ? globalClients
        : 0;
  }

  int maxFailures() {
    return maxFailures;
  }

  int maxGlobalFailures() {
    return maxGlobalFailures;
  }

  long windowNanos() {
    return windowNanos;
  }

  /**
   * Guarded by this. Wrong tokens a client may send in its window now: 1 while the overall limit is
   * passed.
   */
  private int allowance(long now) {
    boolean globalLimited =
        globalStarted
            && globalFailures > maxGlobalFailures
            && now - (globalStartNanos + windowNanos) < 0;
    return globalLimited ? 1 : maxFailures;
  }

  /** The unit a client is counted in: an IPv4 address, or an IPv6 /64; anything else as given. */
  static String key(String clientIp) {
    if (clientIp == null) {
      return "";
    }
    String ip = clientIp.trim();
    if (ip.startsWith("[") && ip.endsWith("]")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    InetAddress a = AccessPolicy.ipLiteral(ip.toLowerCase(java.util.Locale.ROOT));
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      return HexFormat.of().formatHex(b, 0, 8) + "::/64";
    }
    return a != null ? a.getHostAddress() : ip;
  }
}
