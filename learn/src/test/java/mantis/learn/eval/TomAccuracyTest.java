package mantis.learn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.marks.tom.TraceExtractor;
import org.junit.jupiter.api.Test;

class TomAccuracyTest {
  private static final int CLIPS = 6;
  private static final long FIRST_SEED = 40;

  @Test
  void movingPrecisionAndRecallAreConsistentWithTheCounts() {
    TomAccuracy.Report r = TomAccuracy.run(CLIPS, FIRST_SEED, 128);
    assertEquals(CLIPS, r.clips());
    assertTrue(r.marks() > 0);
    assertTrue(
        r.correctMovingMarks() <= r.movingMarks() && r.correctMovingMarks() <= r.trueMovingMarks(),
        r.format());
    if (r.movingMarks() > 0) {
      assertEquals((double) r.correctMovingMarks() / r.movingMarks(), r.movingPrecision(), 1e-12);
    }
    if (r.trueMovingMarks() > 0) {
      assertEquals((double) r.correctMovingMarks() / r.trueMovingMarks(), r.movingRecall(), 1e-12);
    }
    assertTrue(r.format().contains("moving marks: precision"), r.format());
    assertTrue(r.format().contains("moving-mark targets"), r.format());
  }

  @Test
  void severalExtractorsOnOneRenderingGiveTheSameFiguresAsSeparateRuns() {
    TraceExtractor defaults = TraceExtractor.builder().build();
    TraceExtractor noDestination = TraceExtractor.builder().optDestinationChange(0).build();
    List<TomAccuracy.Report> both =
        TomAccuracy.run(CLIPS, FIRST_SEED, 128, List.of(defaults, noDestination), 1.0);
    TomAccuracy.Report alone = TomAccuracy.run(CLIPS, FIRST_SEED, 128, noDestination, 1.0);
    assertEquals(2, both.size());
    assertEquals(alone.marks(), both.get(1).marks());
    assertEquals(alone.movingMarks(), both.get(1).movingMarks());
    assertEquals(alone.correctMovingMarks(), both.get(1).correctMovingMarks());
    assertEquals(alone.medianErrorPx(), both.get(1).medianErrorPx(), 0.0);
    assertEquals(alone.movingP95ErrorPx(), both.get(1).movingP95ErrorPx(), 0.0);
  }

  @Test
  void extractorsOfDifferentHorizonsOrNoneAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> TomAccuracy.run(1, 0, 128, List.of(), 1.0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TomAccuracy.run(
                1,
                0,
                128,
                List.of(
                    TraceExtractor.builder().build(),
                    TraceExtractor.builder().optHorizon(8).build()),
                1.0));
  }
}
