package mantis.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mantis.core.FakeClock;
import mantis.core.RobotSpecs;
import mantis.model.policy.MantisPolicyModel;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.model.policy.PolicyLearner;
import mantis.sim.Embodiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTrainingTest {
  @TempDir Path tmp;

  @Test
  void aRunKeepsALoadableCheckpointWhileItTrainsAndWritesItsCurves() throws Exception {
    PolicyConfig c = PolicyConfig.defaults();
    List<PolicyExample> data =
        new PolicyDataRecorder(c, null).record(Embodiment.ARM, 500000, 1, 5, true, null);
    List<Long> checkpointsSeen = new ArrayList<>();
    try (PolicyLearner learner = PolicyLearner.create(c, PolicyTraining.vocabulary(data))) {
      learner.setActionStats(PolicyTraining.stats(learner, data));
      PolicyTraining.Result r =
          PolicyTraining.run(
              learner,
              PolicyLearner.Phase.FINETUNE,
              data,
              data,
              6,
              8,
              1e-3,
              0,
              2,
              tmp,
              RobotSpecs.mantisPlanar3(),
              new PolicyTraining.Listener() {
                @Override
                public void onStep(PolicyLearner.StepLosses losses, long totalSteps) {
                  Path ckpt = tmp.resolve(PolicyTraining.CHECKPOINT);
                  if (losses.step() == 3 || losses.step() == 5) { // written after steps 2 and 4
                    try (MantisPolicyModel m =
                        MantisPolicyModel.open(
                            ckpt, RobotSpecs.mantisPlanar3(), new FakeClock(0))) {
                      checkpointsSeen.add(losses.step());
                    } catch (Exception e) {
                      throw new AssertionError(
                          "no loadable checkpoint at step " + losses.step(), e);
                    }
                  }
                }
              });
      assertEquals(6, r.steps());
      assertTrue(r.heldOut() != null && Double.isFinite(r.heldOut().actionErrorRad()));
    }
    assertEquals(List.of(3L, 5L), checkpointsSeen);
    assertFalse(
        Files.exists(tmp.resolve(PolicyTraining.CHECKPOINT)),
        "the checkpoint goes once the run completes");
    assertTrue(
        Files.size(tmp.resolve("finetune-curves.csv")) > 0
            && Files.size(tmp.resolve("finetune-curves.png")) > 0);
  }
}
