package mantis.core.safety;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.MonotonicClock;

/**
 * Executor side of invariant 3: plays the newest accepted (already filtered) chunk against a clock.
 *
 * <p>{@link #offer} accepts a chunk only if it is still valid by the clock and starts strictly
 * later than the chunk being played, so a late, duplicated or reordered delivery is never replayed.
 * {@link #targetAt} is indexed by time, not by queue position: after a lag the executor gets the
 * target for now, never the targets it missed, and nothing at all at or after {@code
 * validUntilNanos} (the caller then holds). Between points the target is interpolated linearly;
 * before the first point it is interpolated from the start positions when given, otherwise it is
 * the first point; after the last point it stays at the last point until the chunk expires.
 *
 * <p>A chunk is valid for times {@code t < validUntilNanos}. Thread-safe: one thread may offer
 * while another plays.
 */
public final class ChunkPlayer {
  private final MonotonicClock clock;
  private volatile Playing playing;

  /** A player that checks expiry on offer with {@code clock}. Starts nothing. */
  public ChunkPlayer(MonotonicClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The chunk being played; {@code validUntilNanos} is the chunk's, or the past once cleared. */
  private record Playing(
      ActionChunk chunk,
      long startNanos,
      long validUntilNanos,
      double[] startPositionsRad,
      long[] timesNanos,
      double[][] positionsRad) {}

  /**
   * Offers a safe chunk that starts (time 0 of its points) at {@code chunkStartNanos}.
   *
   * @return true when accepted (it replaces the current chunk); false when it is empty, malformed
   *     (a point with the wrong joint count, or times not strictly increasing), already expired by
   *     the clock, or does not start strictly later than the current chunk
   */
  public boolean offer(ActionChunk safeChunk, long chunkStartNanos) {
    return offer(safeChunk, chunkStartNanos, null);
  }

  /**
   * Like {@link #offer(ActionChunk, long)}, interpolating from {@code startPositionsRad} (the
   * positions at {@code chunkStartNanos}, one per joint) before the first point.
   */
  public boolean offer(ActionChunk safeChunk, long chunkStartNanos, double[] startPositionsRad) {
    Objects.requireNonNull(safeChunk, "safeChunk");
    List<ActionPoint> points = safeChunk.points();
    if (points.isEmpty()) {
      return false;
    }
    int n = safeChunk.jointNames().size();
    if (startPositionsRad != null && startPositionsRad.length != n) {
      throw new IllegalArgumentException(
          "start positions have "
              + startPositionsRad.length
              + " values, chunk has "
              + n
              + " joints");
    }
    long[] times = new long[points.size()];
    double[][] positions = new double[points.size()][];
    long last = Long.MIN_VALUE;
    for (int i = 0; i < points.size(); i++) {
      ActionPoint p = points.get(i);
      if (p.size() != n || p.timeFromStartNanos() <= last) {
        return false; // not a filtered chunk
      }
      last = p.timeFromStartNanos();
      times[i] = last;
      positions[i] = p.positionsRad();
    }
    synchronized (this) {
      if (safeChunk.validUntilNanos() <= clock.nanoTime()) {
        return false;
      }
      Playing current = playing;
      if (current != null && chunkStartNanos <= current.startNanos) {
        return false;
      }
      playing =
          new Playing(
              safeChunk,
              chunkStartNanos,
              safeChunk.validUntilNanos(),
              startPositionsRad == null ? null : startPositionsRad.clone(),
              times,
              positions);
      return true;
    }
  }

  /**
   * The joint targets at {@code nowNanos}; empty when nothing was accepted or the current chunk is
   * no longer valid ({@code nowNanos >= validUntilNanos}): the caller holds.
   */
  public Optional<double[]> targetAt(long nowNanos) {
    Playing p = playing;
    if (p == null || nowNanos >= p.validUntilNanos) {
      return Optional.empty();
    }
    long t = nowNanos - p.startNanos;
    long[] times = p.timesNanos;
    double[][] pos = p.positionsRad;
    if (t <= times[0]) {
      if (p.startPositionsRad == null || t <= 0) {
        return Optional.of(
            t <= 0 && p.startPositionsRad != null ? p.startPositionsRad.clone() : pos[0].clone());
      }
      return Optional.of(lerp(p.startPositionsRad, pos[0], (double) t / times[0]));
    }
    int last = times.length - 1;
    if (t >= times[last]) {
      return Optional.of(pos[last].clone());
    }
    int lo = 0;
    int hi = last;
    while (hi - lo > 1) { // times[lo] < t < times[hi]
      int mid = (lo + hi) >>> 1;
      if (times[mid] <= t) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double f = (double) (t - times[lo]) / (double) (times[hi] - times[lo]);
    return Optional.of(lerp(pos[lo], pos[hi], f));
  }

  /** The chunk being played, if any (it may have expired). */
  public Optional<ActionChunk> current() {
    Playing p = playing;
    return p == null ? Optional.empty() : Optional.of(p.chunk);
  }

  /** Start time of the chunk being played, if any. */
  public Optional<Long> currentStartNanos() {
    Playing p = playing;
    return p == null ? Optional.empty() : Optional.of(p.startNanos);
  }

  /**
   * Drops the current chunk (for e-stop or hold): {@link #targetAt} is empty until a newer chunk is
   * accepted. Chunks starting at or before the dropped one stay refused.
   */
  public synchronized void clear() {
    Playing p = playing;
    if (p != null) {
      playing =
          new Playing(
              p.chunk,
              p.startNanos,
              Long.MIN_VALUE,
              p.startPositionsRad,
              p.timesNanos,
              p.positionsRad);
    }
  }

  private static double[] lerp(double[] a, double[] b, double f) {
    double[] out = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      out[j] = a[j] + (b[j] - a[j]) * f;
    }
    return out;
  }
}
