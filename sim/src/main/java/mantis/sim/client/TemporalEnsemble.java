package mantis.sim.client;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;

/**
 * Temporal ensembling of overlapping action chunks (ACT): the target at a time is the weighted mean
 * of every recent chunk's target for that time, not only the newest chunk's. A chunk contributes
 * from its start to its last point (never its held tail) while it is valid. The weight of a chunk
 * that started {@code a} seconds before the newest one is {@code exp(-bias x a)}: 0 weighs every
 * chunk alike, a larger bias trusts the newest more.
 *
 * <p>Every chunk offered was safety-filtered, and a convex combination of targets within the
 * position limits is within them too; the seam blender after it limits velocity and acceleration as
 * before. Not thread-safe.
 */
final class TemporalEnsemble {
  private static final int MAX_CHUNKS = 16;

  private final double newestBiasPerS;
  private final ArrayDeque<Entry> chunks = new ArrayDeque<>();

  private record Entry(
      long startNanos, long validUntilNanos, long[] times, double[][] pos, double[] startPos) {}

  /**
   * @param newestBiasPerS how much more a newer chunk weighs, per second of age (&ge; 0)
   */
  TemporalEnsemble(double newestBiasPerS) {
    if (!(newestBiasPerS >= 0) || !Double.isFinite(newestBiasPerS)) {
      throw new IllegalArgumentException(
          "the ensemble's newest-chunk bias must be finite and >= 0, got " + newestBiasPerS);
    }
    this.newestBiasPerS = newestBiasPerS;
  }

  /** A chunk the player accepted, starting at {@code startNanos} from {@code startPos}. */
  void offer(ActionChunk chunk, long startNanos, double[] startPos) {
    List<ActionPoint> points = chunk.points();
    long[] times = new long[points.size()];
    double[][] pos = new double[points.size()][];
    for (int i = 0; i < times.length; i++) {
      times[i] = points.get(i).timeFromStartNanos();
      pos[i] = points.get(i).positionsRad();
    }
    chunks.addLast(new Entry(startNanos, chunk.validUntilNanos(), times, pos, startPos.clone()));
    while (chunks.size() > MAX_CHUNKS) {
      chunks.removeFirst();
    }
  }

  /** Forgets every chunk (after a hold: nothing from before it is played again). */
  void clear() {
    chunks.clear();
  }

  /**
   * The ensembled target at {@code nowNanos}; {@code newest} (the newest chunk's own target) when
   * no other chunk covers this time.
   */
  double[] at(long nowNanos, double[] newest) {
    if (chunks.isEmpty()) {
      return newest;
    }
    long newestStart = chunks.peekLast().startNanos();
    double[] sum = new double[newest.length];
    double weights = 0;
    Iterator<Entry> it = chunks.iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (nowNanos >= e.validUntilNanos()) {
        it.remove();
        continue;
      }
      long t = nowNanos - e.startNanos();
      if (t < 0 || t > e.times()[e.times().length - 1]) {
        continue;
      }
      double[] q = interpolate(e, t);
      double w = Math.exp(-newestBiasPerS * (newestStart - e.startNanos()) / 1e9);
      for (int j = 0; j < sum.length; j++) {
        sum[j] += w * q[j];
      }
      weights += w;
    }
    if (weights == 0) {
      return newest;
    }
    for (int j = 0; j < sum.length; j++) {
      sum[j] /= weights;
    }
    return sum;
  }

  private static double[] interpolate(Entry e, long t) {
    long[] times = e.times();
    double[][] pos = e.pos();
    if (t <= times[0]) {
      return lerp(e.startPos(), pos[0], times[0] == 0 ? 1 : (double) t / times[0]);
    }
    int i = 1;
    while (times[i] < t) {
      i++;
    }
    return lerp(pos[i - 1], pos[i], (double) (t - times[i - 1]) / (times[i] - times[i - 1]));
  }

  private static double[] lerp(double[] a, double[] b, double f) {
    double[] out = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      out[j] = a[j] + (b[j] - a[j]) * f;
    }
    return out;
  }
}
