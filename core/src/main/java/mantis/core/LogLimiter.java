package mantis.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Rate-limits repeated log lines: per key, the first occurrence is logged at once; later ones
 * inside the interval are only counted, and the first occurrence after the interval logs one line
 * carrying how many were held back ({@code "... (41 more like this in the last 10.0 s)"}). So a
 * fault that repeats on every request logs at most one line per key per interval, however fast the
 * requests come, and nothing is silently lost: the counts add up to the occurrences.
 *
 * <p>Keys name a kind of event ({@code "watchdog-hold"}, {@code "policy-failed"}), not a request or
 * a client; at most {@value #MAX_KEYS} keys are tracked and any further key shares one overflow
 * entry, so keys made from client input cannot grow the map. Time is read from the {@link
 * MonotonicClock} given, so tests drive it with a {@link FakeClock}. Thread-safe.
 *
 * <pre>{@code
 * LogLimiter warn = LogLimiter.create(log, clock, 10_000_000_000L);
 * warn.warn("policy-failed", "policy {} failed: {}", name, e.toString());
 * }</pre>
 */
public final class LogLimiter {
  /** Default interval: 10 s. */
  public static final long DEFAULT_INTERVAL_NANOS = 10_000_000_000L;

  /** Keys tracked before further keys share one entry. */
  public static final int MAX_KEYS = 256;

  private static final String OVERFLOW_KEY = "\u0000overflow";

  private final Logger log;
  private final MonotonicClock clock;
  private final long intervalNanos;
  // Guarded by itself.
  private final Map<String, long[]> byKey = new HashMap<>();

  private LogLimiter(Logger log, MonotonicClock clock, long intervalNanos) {
    this.log = log;
    this.clock = clock;
    this.intervalNanos = intervalNanos;
  }

  /**
   * A limiter writing to {@code log}.
   *
   * @param intervalNanos at most one line per key per this interval, ns; &gt; 0
   */
  public static LogLimiter create(Logger log, MonotonicClock clock, long intervalNanos) {
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(clock, "clock");
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("log interval must be > 0 ns, got " + intervalNanos);
    }
    return new LogLimiter(log, clock, intervalNanos);
  }

  /** The interval, ns. */
  public long intervalNanos() {
    return intervalNanos;
  }

  /**
   * Logs at WARN unless {@code key} logged less than an interval ago; SLF4J {@code {}} formatting.
   */
  public boolean warn(String key, String format, Object... args) {
    return log(Level.WARN, key, format, args);
  }

  /**
   * Logs at ERROR unless {@code key} logged less than an interval ago; SLF4J {@code {}} formatting.
   */
  public boolean error(String key, String format, Object... args) {
    return log(Level.ERROR, key, format, args);
  }

  /**
   * Logs one line at {@code level} unless {@code key} logged less than an interval ago, in which
   * case the occurrence is only counted. A trailing {@link Throwable} argument is logged as SLF4J
   * does (with its stack trace); pass {@code e.toString()} instead to keep the line short.
   *
   * @return true when a line was written
   */
  public boolean log(Level level, String key, String format, Object... args) {
    long now = clock.nanoTime();
    long suppressed;
    long sinceNanos;
    synchronized (byKey) {
      String k = key;
      if (!byKey.containsKey(k) && byKey.size() >= MAX_KEYS) {
        k = OVERFLOW_KEY;
      }
      long[] s = byKey.get(k);
      if (s != null && now - s[0] < intervalNanos) {
        s[1]++;
        return false;
      }
      suppressed = s == null ? 0 : s[1];
      sinceNanos = s == null ? 0 : now - s[0];
      byKey.put(k, new long[] {now, 0});
    }
    if (!log.isEnabledForLevel(level)) {
      return false;
    }
    Object[] a = args == null ? new Object[0] : args;
    String fmt = format;
    if (suppressed > 0) {
      Throwable t = a.length > 0 && a[a.length - 1] instanceof Throwable th ? th : null;
      int n = t == null ? a.length : a.length - 1;
      Object[] b = new Object[a.length + 2];
      System.arraycopy(a, 0, b, 0, n);
      b[n] = suppressed;
      b[n + 1] = String.format(java.util.Locale.ROOT, "%.1f", sinceNanos / 1e9);
      if (t != null) {
        b[n + 2] = t;
      }
      a = b;
      fmt = format + " ({} more like this in the last {} s)";
    }
    log.atLevel(level).log(fmt, a);
    return true;
  }

  /** Occurrences held back so far under {@code key} since its last line (0 for an unknown key). */
  public long suppressed(String key) {
    synchronized (byKey) {
      long[] s = byKey.get(key);
      return s == null ? 0 : s[1];
    }
  }
}
