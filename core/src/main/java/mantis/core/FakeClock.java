package mantis.core;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; for tests of timing logic. Thread-safe. */
public final class FakeClock implements MonotonicClock {
  private final AtomicLong nanos;

  public FakeClock(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  public void advanceNanos(long deltaNanos) {
    if (deltaNanos < 0) {
      throw new IllegalArgumentException("a monotonic clock cannot go back");
    }
    nanos.addAndGet(deltaNanos);
  }

  public void advanceMillis(long deltaMillis) {
    advanceNanos(deltaMillis * 1_000_000L);
  }
}
