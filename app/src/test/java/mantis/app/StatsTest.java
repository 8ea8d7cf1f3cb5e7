package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void wilsonIntervalMatchesPublishedValues() {
    double[] ci = Stats.wilson(8, 10);
    assertEquals(0.4902, ci[0], 1e-4);
    assertEquals(0.9433, ci[1], 1e-4);
    ci = Stats.wilson(0, 10);
    assertEquals(0.0, ci[0], 1e-12);
    assertEquals(0.2775, ci[1], 1e-4);
    ci = Stats.wilson(200, 200);
    assertEquals(0.9812, ci[0], 1e-4);
    assertEquals(1.0, ci[1], 1e-12);
  }

  @Test
  void percentilesUseTheNearestRank() {
    long[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertEquals(5, Stats.percentile(v, 50));
    assertEquals(9, Stats.percentile(v, 90));
    assertEquals(10, Stats.percentile(v, 99));
    assertEquals(1, Stats.percentile(v, 0));
    assertEquals(Double.NaN, Stats.percentile(new long[0], 50));
  }

  @Test
  void medianOfAnEvenCountAveragesTheMiddlePair() {
    assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
    assertEquals(3.0, Stats.median(new double[] {5, 3, 1}));
  }
}
