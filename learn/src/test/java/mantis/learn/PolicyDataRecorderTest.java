package mantis.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.sim.Embodiment;
import org.junit.jupiter.api.Test;

class PolicyDataRecorderTest {
  private final PolicyConfig config = PolicyConfig.defaults();

  @Test
  void armEpisodesWithActionsCarryJointsTargetsTracesAndGrounding() {
    List<PolicyExample> ex =
        new PolicyDataRecorder(config, null).record(Embodiment.ARM, 500000, 3, 5, true, null);
    assertTrue(ex.size() > 20, "examples: " + ex.size());
    int grounded = 0;
    int effector = 0;
    double moved = 0;
    for (PolicyExample e : ex) {
      assertEquals(128 * 128 * 3, e.rgb().length);
      assertTrue(e.hasJoints());
      assertEquals(8 * 3, e.labels().targetsRad().length);
      assertNull(e.labels().latentTokens(), "no latent model, no tokens");
      assertNotNull(e.markMotionPx());
      if (e.labels().objectMark() >= 0) {
        grounded++;
        assertEquals(16, e.labels().tracePx().length);
      }
      if (e.labels().effectorMark() >= 0) {
        effector++;
        assertEquals(16, e.labels().effectorTracePx().length);
      }
      for (double v : e.markMotionPx()) {
        moved = Math.max(moved, Math.abs(v));
      }
    }
    assertTrue(grounded > 0.9 * ex.size(), "object mark labelled in " + grounded + "/" + ex.size());
    assertTrue(
        effector > 0.9 * ex.size(), "effector mark labelled in " + effector + "/" + ex.size());
    assertTrue(moved > 3, "the effector's mark moves during an episode: " + moved + " px");
  }

  @Test
  void videoOnlyEpisodesHaveNoJointsAndNoActions() {
    List<PolicyExample> hand =
        new PolicyDataRecorder(config, null).record(Embodiment.HAND, 7, 1, 5, false, null);
    assertTrue(!hand.isEmpty());
    for (PolicyExample e : hand) {
      assertTrue(!e.hasJoints());
      assertNull(e.labels().targetsRad());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new PolicyDataRecorder(config, null).record(Embodiment.HAND, 7, 1, 5, true, null));
  }

  @Test
  void theSameSeedsGiveTheSameExamples() {
    PolicyDataRecorder r = new PolicyDataRecorder(config, null).withActionNoise(0.02);
    List<PolicyExample> a = r.record(Embodiment.ARM, 11, 1, 5, true, null);
    List<PolicyExample> b = r.record(Embodiment.ARM, 11, 1, 5, true, null);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertTrue(java.util.Arrays.equals(a.get(i).rgb(), b.get(i).rgb()));
      assertTrue(
          java.util.Arrays.equals(a.get(i).labels().targetsRad(), b.get(i).labels().targetsRad()));
    }
  }
}
