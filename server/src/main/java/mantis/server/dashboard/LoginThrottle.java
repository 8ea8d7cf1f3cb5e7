package mantis.server.dashboard;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import mantis.core.MonotonicClock;

/**
 * Limits wrong tokens per client address: after {@code maxFailures} wrong tokens (at the login form
 * or as {@code Authorization: Bearer}) within {@code windowNanos} of the first, the address is refused
 * (429) until that window is over, the right token included. IPv6 clients count per /64 (one host
 * usually holds a whole /64). At most {@code maxTracked} addresses are remembered; beyond that the
 * one whose window began first is forgotten. Thread-safe.
 */
final class LoginThrottle {
  static final int DEFAULT_MAX_FAILURES = 5;
  static final long DEFAULT_WINDOW_NANOS = 60_000_000_000L;
  static final int DEFAULT_MAX_TRACKED = 4096;

  private final MonotonicClock clock;
  private final int maxFailures;
  private final long windowNanos;
  private final int maxTracked;
  private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>();

  private static final class Window {
    final long startNanos;
    int failures;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  LoginThrottle(MonotonicClock clock, int maxFailures, long windowNanos, int maxTracked) {
    if (maxFailures <= 0 || windowNanos <= 0 || maxTracked <= 0) {
      throw new IllegalArgumentException("throttle limits must be positive");
    }
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowNanos = windowNanos;
    this.maxTracked = maxTracked;
  }

  /** How long {@code clientIp} must still wait (nanoseconds), 0 when it may try. */
  synchronized long retryAfterNanos(String clientIp) {
    String key = key(clientIp);
    Window w = windows.get(key);
    if (w == null) {
      return 0;
    }
    long left = w.startNanos + windowNanos - clock.nanoTime();
    if (left <= 0) {
      windows.remove(key);
      return 0;
    }
    return w.failures >= maxFailures ? left : 0;
  }

  /** Counts a wrong token from {@code clientIp}; true when this one used up the address's tries. */
  synchronized boolean recordFailure(String clientIp) {
    String key = key(clientIp);
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
    return w.failures == maxFailures;
  }

  /** The right token from {@code clientIp}: its count starts over. */
  synchronized void recordSuccess(String clientIp) {
    windows.remove(key(clientIp));
  }

  synchronized int tracked() {
    return windows.size();
  }

  /** The unit an address is counted in: an IPv4 address, or an IPv6 /64; anything else as given. */
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
