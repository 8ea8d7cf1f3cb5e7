package mantis.learn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mantis.marks.MarkProposer;
import mantis.sim.Embodiment;
import org.junit.jupiter.api.Test;

class SomAccuracyTest {
  @Test
  void marksHitTheObjectsOfHeldOutSimFramesWithFewFalseMarks() {
    SomReport r = SomAccuracy.run(60, 200_000, 128);
    assertEquals(60, r.frames());
    assertEquals(30, r.midEpisodeFrames());
    assertTrue(r.objects() >= 120, r.summary());
    assertTrue(r.objectRecall() >= 0.95, r.summary());
    assertTrue(r.falseMarkRate() <= 0.08, r.summary());
    assertTrue(r.targetRecall() >= 0.95, r.summary());
    assertTrue(r.effectorFrames() > 0 && r.effectorRecall() >= 0.5, r.summary());
  }

  @Test
  void theFloatingHandIsMarkedAsTheEffectorWithoutHurtingObjectMarks() {
    SomReport r = SomAccuracy.run(60, 200_000, 128, MarkProposer.defaults(), Embodiment.HAND);
    assertEquals(Embodiment.HAND, r.embodiment());
    assertTrue(r.summary().contains("hand sim"), r.summary());
    assertTrue(r.objectRecall() >= 0.95, r.summary());
    assertTrue(r.falseMarkRate() <= 0.08, r.summary());
    assertTrue(r.effectorFrames() >= 50 && r.effectorFlaggedRecall() >= 0.8, r.summary());
  }

  @Test
  void theReportSaysWhichSeedsItUsed() {
    SomReport r = SomAccuracy.run(4, 100_000, 128);
    assertTrue(r.summary().contains("seeds 100000..100003"), r.summary());
  }
}
