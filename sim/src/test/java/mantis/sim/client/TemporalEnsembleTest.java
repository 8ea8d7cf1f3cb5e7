package mantis.sim.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import org.junit.jupiter.api.Test;

class TemporalEnsembleTest {
  private static final long MS = 1_000_000L;

  /** A chunk holding {@code q} at points 100..800 ms, valid until {@code validUntil}. */
  private static ActionChunk constant(double q, long validUntil) {
    List<ActionPoint> pts = new ArrayList<>();
    for (int k = 1; k <= 8; k++) {
      pts.add(new ActionPoint(new double[] {q}, k * 100 * MS));
    }
    return new ActionChunk(List.of("j"), pts, validUntil, null, null, null, "t", null);
  }

  @Test
  void overlappingChunksAreAveragedAndOnlyWhileTheyPlanThatMoment() {
    TemporalEnsemble e = new TemporalEnsemble(0);
    e.offer(constant(1.0, 10_000 * MS), 0, new double[] {1.0});
    e.offer(constant(3.0, 10_000 * MS), 300 * MS, new double[] {1.0});
    assertArrayEquals(new double[] {2.0}, e.at(500 * MS, new double[] {3.0}), 1e-12);
    // past the first chunk's last point (800 ms) only the newer one plans
    assertArrayEquals(new double[] {3.0}, e.at(900 * MS, new double[] {3.0}), 1e-12);
    // before its first point a chunk is interpolated from where the arm was
    TemporalEnsemble f = new TemporalEnsemble(0);
    f.offer(constant(2.0, 10_000 * MS), 0, new double[] {0.0});
    assertArrayEquals(new double[] {1.0}, f.at(50 * MS, new double[] {9.0}), 1e-12);
  }

  @Test
  void aBiasTrustsTheNewestChunkMoreAndExpiredOrClearedChunksDropOut() {
    TemporalEnsemble e = new TemporalEnsemble(Math.log(3) / 0.3); // 0.3 s older: a third
    e.offer(constant(1.0, 600 * MS), 0, new double[] {1.0});
    e.offer(constant(5.0, 10_000 * MS), 300 * MS, new double[] {1.0});
    assertArrayEquals(new double[] {4.0}, e.at(500 * MS, new double[] {5.0}), 1e-9);
    assertArrayEquals(new double[] {5.0}, e.at(700 * MS, new double[] {5.0}), 1e-12, "expired");
    e.clear();
    assertArrayEquals(new double[] {7.0}, e.at(700 * MS, new double[] {7.0}), 0.0);
    assertThrows(IllegalArgumentException.class, () -> new TemporalEnsemble(-1));
    assertThrows(
        IllegalArgumentException.class, () -> SimClient.builder().optTemporalEnsemble(Double.NaN));
  }
}
