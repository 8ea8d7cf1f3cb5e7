package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RobotDescriptionTest {
  /** A 3-joint arm; a fixed tool joint at the end. */
  static final String URDF =
      """
      <robot name="arm3">
        <link name="base"/><link name="l1"/><link name="l2"/><link name="l3"/><link name="tool"/>
        <joint name="shoulder_joint" type="revolute"><parent link="base"/><child link="l1"/>
          <axis xyz="0 0 1"/><limit lower="-2.5" upper="2.5" velocity="1.5" effort="10"/></joint>
        <joint name="elbow_joint" type="revolute"><parent link="l1"/><child link="l2"/>
          <origin xyz="0.3 0 0"/><axis xyz="0 0 1"/><limit lower="-2" upper="2" velocity="2" effort="10"/></joint>
        <joint name="wrist_joint" type="revolute"><parent link="l2"/><child link="l3"/>
          <origin xyz="0.25 0 0"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" velocity="3" effort="5"/></joint>
        <joint name="tool_joint" type="fixed"><parent link="l3"/><child link="tool"/>
          <origin xyz="0.1 0 0"/></joint>
      </robot>
      """;

  private static BridgeConfig.Robot unresolved(List<String> joints) {
    return BridgeConfig.parse(
            """
            topics: {image: /cam, controller: /arm_controller}
            robot:
              from_parameter: /robot_description
              max_acceleration_rad_per_s2: 4
            """
                + (joints.isEmpty() ? "" : "  joints: " + joints + "\n"),
            "t.yaml",
            null,
            Map.of())
        .robot();
  }

  private static String error(Object value) {
    return assertThrows(
            IllegalStateException.class,
            () ->
                RobotDescription.resolve(
                    unresolved(List.of()), k -> Optional.ofNullable(value), "http://m:11311/"))
        .getMessage();
  }

  @Test
  void theUrdfsChainGivesTheJointsLimitsAndTheConfiguredAcceleration() {
    BridgeConfig.Robot r =
        RobotDescription.resolve(unresolved(List.of()), k -> Optional.of(URDF), "master");
    assertTrue(r.resolved());
    assertEquals(List.of("shoulder_joint", "elbow_joint", "wrist_joint"), r.joints());
    assertEquals(List.of("shoulder_joint", "elbow_joint", "wrist_joint"), r.spec().jointNames());
    assertEquals(-2.0, r.spec().joint(1).minPositionRad());
    assertEquals(3.0, r.spec().joint(2).maxVelocityRadPerS());
    assertEquals(4.0, r.spec().joint(0).maxAccelerationRadPerS2());
    assertEquals("arm3", r.spec().name());
    assertTrue(r.specSource().contains("parameter /robot_description"), r.specSource());
  }

  @Test
  void aMissingParameterNamesItAndTheMaster() {
    String e = error(null);
    assertTrue(
        e.contains(
            "robot.from_parameter /robot_description: the parameter is not set on the ROS master http://m:11311/"),
        e);
  }

  @Test
  void aParameterThatIsNotAStringOrNotAUrdfIsRefused() {
    assertTrue(error(42).contains("holds a Integer (42), not a URDF string"), error(42));
    String bad = error("<robot name='x'><joint");
    assertTrue(bad.contains("not a usable URDF"), bad);
    assertTrue(bad.contains("not well-formed XML"), bad);
    String noLimits =
        error(URDF.replace("<limit lower=\"-2\" upper=\"2\" velocity=\"2\" effort=\"10\"/>", ""));
    assertTrue(noLimits.contains("elbow_joint"), noLimits);
  }

  @Test
  void configuredJointsMustBeTheUrdfs() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                RobotDescription.resolve(
                    unresolved(List.of("a", "b", "c")), k -> Optional.of(URDF), "m"));
    assertTrue(e.getMessage().contains("differ from the URDF chain's joints"), e.getMessage());
  }
}
