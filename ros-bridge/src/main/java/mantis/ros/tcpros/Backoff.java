package mantis.ros.tcpros;

/**
 * Reconnection delays: {@code first}, doubling up to {@code max}; back to {@code first} after a
 * successful handshake; straight to {@code max} after a protocol violation. Not thread-safe (one
 * per connection thread).
 */
final class Backoff {
  private final long firstMs;
  private final long maxMs;
  private long nextMs;

  Backoff(long firstMs, long maxMs) {
    if (firstMs < 1 || maxMs < firstMs) {
      throw new IllegalArgumentException("need 1 <= first <= max, got " + firstMs + ", " + maxMs);
    }
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.nextMs = firstMs;
  }

  /** The delay before the next attempt; the one after it is twice as long (up to the maximum). */
  long next() {
    long d = nextMs;
    nextMs = Math.min(nextMs * 2, maxMs);
    return d;
  }

  /** A connection worked: the next delay is the first one again. */
  void reset() {
    nextMs = firstMs;
  }

  /** The peer misbehaved: wait the longest delay from now on. */
  void toMax() {
    nextMs = maxMs;
  }
}
