package mantis.security;

import java.util.function.LongSupplier;

/**
 * Lets one event through per interval and counts the ones held back, so a flood of identical
 * problems (denied calls, failing writes) makes one log line per interval instead of one per
 * occurrence. Thread-safe.
 */
final class RateLimit {
  private final LongSupplier nanoClock;
  private final long intervalNanos;
  private long nextAllowedNanos;
  private boolean first = true;
  private long suppressed;

  RateLimit(LongSupplier nanoClock, long intervalNanos) {
    this.nanoClock = nanoClock;
    this.intervalNanos = intervalNanos;
  }

  /**
   * Returns -1 when this occurrence should be held back (and counts it), otherwise the number held
   * back since the last one let through (0 or more), resetting that count.
   */
  synchronized long tryAcquire() {
    long now = nanoClock.getAsLong();
    if (!first && now - nextAllowedNanos < 0) {
      suppressed++;
      return -1;
    }
    first = false;
    nextAllowedNanos = now + intervalNanos;
    long n = suppressed;
    suppressed = 0;
    return n;
  }
}
