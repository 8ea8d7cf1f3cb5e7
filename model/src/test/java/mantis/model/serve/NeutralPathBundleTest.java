package mantis.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.spi.PolicyRegistry;
import mantis.core.spi.PolicyRequest;
import mantis.model.embodiment.EmbodimentAdapter;
import org.junit.jupiter.api.Test;

class NeutralPathBundleTest {
  @Test
  void theDefaultModelOnTheUr5eIsServedThroughTheEmbodimentNeutralPath() {
    RobotSpec ur5e = RobotModels.ur5e().spec();
    try (Policy p =
        PolicyRegistry.installed()
            .create(PolicyRequest.builder().setName("mantis").setRobot(ur5e).build())) {
      EmbodimentAdapter adapter = assertInstanceOf(EmbodimentAdapter.class, p);
      assertEquals(ur5e.jointNames(), p.info().jointNames());
      assertEquals(RobotModels.planar3().name(), adapter.source().name());
      assertEquals(ur5e.name(), adapter.target().name());
    }
  }

  @Test
  void theDefaultModelPlansTheTipsPathSoOnPlanar3ItIsServedThroughTheNeutralPathToo() {
    try (Policy p =
        PolicyRegistry.installed()
            .create(
                PolicyRequest.builder()
                    .setName("mantis")
                    .setRobot(RobotSpecs.mantisPlanar3())
                    .build())) {
      EmbodimentAdapter adapter = assertInstanceOf(EmbodimentAdapter.class, p);
      assertEquals(RobotModels.planar3().name(), adapter.source().name());
      assertEquals(RobotModels.planar3().name(), adapter.target().name());
    }
  }

  @Test
  void aBundleWithoutAPlanOnItsOwnRobotIsServedDirectly() {
    Path pretrained = LearnedPolicies.resolveDefaultBundle().resolveSibling("pretrained");
    try (Policy p =
        LearnedPolicies.open(
            pretrained,
            RobotSpecs.mantisPlanar3(),
            MonotonicClock.system(),
            PolicyRequest.Serving.DEFAULT)) {
      assertInstanceOf(PredictorPool.class, p);
    }
  }

  @Test
  void aRobotWithoutKinematicsIsRefusedNamingTheKnownRobots() {
    RobotSpec planar = RobotSpecs.mantisPlanar3();
    RobotSpec other =
        new RobotSpec(
            "two-joint-arm",
            java.util.List.of(
                new mantis.core.JointLimits("a", -1, 1, 1, 1),
                new mantis.core.JointLimits("b", -1, 1, 1, 1)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                LearnedPolicies.open(
                    LearnedPolicies.resolveDefaultBundle(),
                    other,
                    MonotonicClock.system(),
                    PolicyRequest.Serving.DEFAULT));
    assertTrue(e.getMessage().contains("two-joint-arm"), e.getMessage());
    assertTrue(e.getMessage().contains("known robots: planar3, ur5e"), e.getMessage());
  }
}
