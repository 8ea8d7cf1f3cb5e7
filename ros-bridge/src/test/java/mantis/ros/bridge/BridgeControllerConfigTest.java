package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeControllerConfigTest {
  private static final String BASE =
      """
      topics:
        image: /cam
        controller: /arm_controller
      robot:
        joints: [j1, j2, j3]
      """;

  private static BridgeConfig parse(String yaml) {
    return BridgeConfig.parse(yaml, "test.yaml", null, Map.of());
  }

  private static String error(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void withoutAControllerSectionTheBridgePublishesOnTheCommandTopic() {
    BridgeConfig c = parse(BASE);
    assertFalse(c.controller().action());
    assertEquals("topic /arm_controller/command", c.trajectoryTarget());
  }

  @Test
  void theActionInterfaceDefaultsItsNamespaceUnderTheController() {
    BridgeConfig c = parse(BASE + "controller:\n  interface: follow_joint_trajectory\n");
    assertTrue(c.controller().action());
    assertEquals(
        "/arm_controller/follow_joint_trajectory", c.controller().actionNs().orElseThrow());
    assertTrue(c.controller().pathTolerance().isDefault());
    assertEquals(0, c.controller().goalTimeToleranceMs());
    assertTrue(
        c.describe()
            .contains("FollowJointTrajectory action in /arm_controller/follow_joint_trajectory"),
        c.describe());
  }

  @Test
  void tolerancesAndTheNamespaceAreRead() {
    BridgeConfig c =
        parse(
            BASE
                + """
            controller:
              interface: follow_joint_trajectory
              action_ns: /scaled_pos_joint_traj_controller/follow_joint_trajectory
              path_tolerance: {position: 0.1, velocity: 0.5}
              goal_tolerance: {position: 0.01, velocity: -1}
              goal_time_tolerance_ms: 250
            """);
    assertEquals(
        "/scaled_pos_joint_traj_controller/follow_joint_trajectory",
        c.controller().actionNs().orElseThrow());
    assertEquals(new BridgeConfig.Tolerance(0.1, 0.5, 0), c.controller().pathTolerance());
    assertEquals(new BridgeConfig.Tolerance(0.01, -1, 0), c.controller().goalTolerance());
    assertEquals(250, c.controller().goalTimeToleranceMs());
  }

  @Test
  void badControllerSettingsAreRefusedWithTheKey() {
    assertTrue(
        error(BASE + "controller:\n  interface: action\n")
            .contains(
                "controller.interface must be 'topic' or 'follow_joint_trajectory', got 'action'"));
    assertTrue(
        error(
                BASE
                    + "controller:\n  interface: follow_joint_trajectory\n  path_tolerance: {position: -0.5}\n")
            .contains("controller.path_tolerance: a tolerance must be >= 0"));
    assertTrue(
        error(BASE + "controller:\n  action_ns: /x/follow_joint_trajectory\n")
            .contains("apply only to interface: follow_joint_trajectory"));
    assertTrue(
        error(
                BASE
                    + "controller:\n  interface: follow_joint_trajectory\n  goal_time_tolerance_ms: -1\n")
            .contains("controller.goal_time_tolerance_ms must be 0..60000"));
    assertTrue(
        error(BASE + "controller:\n  tolerance: 1\n")
            .contains("unknown key 'controller.tolerance'"));
  }

  @Test
  void aRobotFromAParameterNeedsAnAccelerationLimitAndExcludesASpec() {
    String head =
        """
        topics:
          image: /cam
          controller: /arm_controller
        robot:
          from_parameter: /robot_description
        """;
    BridgeConfig c = parse(head + "  max_acceleration_rad_per_s2: 4\n");
    assertFalse(c.robot().resolved());
    assertEquals("/robot_description", c.robot().fromParameter().orElseThrow().parameter());
    assertTrue(c.describe().contains("from_parameter: /robot_description"), c.describe());
    assertTrue(
        error(head)
            .contains("robot.max_acceleration_rad_per_s2 is required with robot.from_parameter"));
    assertTrue(
        error(head + "  max_acceleration_rad_per_s2: 4\n  spec: planar3\n")
            .contains("robot.spec and robot.from_parameter exclude each other"));
    assertTrue(
        error(head + "  max_acceleration_rad_per_s2: 4\n  base_link: base\n")
            .contains("robot.base_link and robot.tool_link go together"));
    assertTrue(
        error(BASE.replace("robot:\n", "robot:\n  base_link: base\n"))
            .contains("apply only with robot.from_parameter"));
  }

  @Test
  void theExampleFilesLoad() {
    assertFalse(BridgeConfig.load(Path.of("bridge.example.yaml")).controller().action());
    BridgeConfig c = BridgeConfig.load(Path.of("bridge.follow-joint-trajectory.example.yaml"));
    assertEquals(
        "FollowJointTrajectory action /scaled_pos_joint_traj_controller/follow_joint_trajectory",
        c.trajectoryTarget());
    assertEquals(new BridgeConfig.Tolerance(0.2, 0, 0), c.controller().pathTolerance());
    BridgeConfig.FromParameter fp = c.robot().fromParameter().orElseThrow();
    assertEquals("/robot_description", fp.parameter());
    assertEquals("tool0", fp.toolLink().orElseThrow());
    assertEquals(3.0, fp.maxAccelerationRadPerS2());
  }
}
