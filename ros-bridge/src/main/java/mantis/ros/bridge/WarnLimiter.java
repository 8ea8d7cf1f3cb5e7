package mantis.ros.bridge;

import java.util.HashMap;
import java.util.Map;
import mantis.core.MonotonicClock;
import org.slf4j.Logger;

/** Logs a WARN at most once per period per key, counting the ones it held back. Thread-safe. */
final class WarnLimiter {
  private final Logger log;
  private final MonotonicClock clock;
  private final long periodNanos;
  private final Map<String, long[]> byKey = new HashMap<>();

  WarnLimiter(Logger log, MonotonicClock clock, long periodNanos) {
    this.log = log;
    this.clock = clock;
    this.periodNanos = periodNanos;
  }

  /** Logs {@code message} under {@code key} unless that key logged less than a period ago. */
  void warn(String key, String message) {
    long now = clock.nanoTime();
    long suppressed;
    synchronized (byKey) {
      long[] s = byKey.get(key);
      if (s != null && now - s[0] < periodNanos) {
        s[1]++;
        return;
      }
      suppressed = s == null ? 0 : s[1];
      byKey.put(key, new long[] {now, 0});
    }
    if (suppressed > 0) {
      log.warn("{} ({} more like this since the last warning)", message, suppressed);
    } else {
      log.warn("{}", message);
    }
  }
}
