package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeConfigTest {
  static final String MINIMAL =
      """
      topics:
        image: /cam
        controller: /arm_controller
      robot:
        joints: [j1, j2, j3]
      """;

  private static BridgeConfig parse(String yaml, Map<String, String> env) {
    return BridgeConfig.parse(yaml, "test.yaml", null, env);
  }

  private static String error(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> parse(yaml, Map.of())).getMessage();
  }

  @Test
  void theExampleFileLoadsWithEveryKey() {
    BridgeConfig c = BridgeConfig.load(Path.of("bridge.example.yaml"));
    assertEquals("/arm_controller/command", c.topics().command());
    assertEquals("/camera/color/image_raw", c.topics().image().orElseThrow());
    assertTrue(c.topics().compressedImage().isEmpty());
    assertEquals(List.of("shoulder_joint", "elbow_joint", "wrist_joint"), c.robot().joints());
    assertEquals("mantis-planar-3", c.robot().spec().name());
    assertEquals("push the red block to the left", c.bridge().defaultInstruction().orElseThrow());
    assertEquals(0, c.armService().port());
    assertFalse(c.armService().enabled());
    assertTrue(
        c.describe().contains("controller: /arm_controller   # publishes /arm_controller/command"));
  }

  @Test
  void defaultsFillEveryOptionalKey() {
    BridgeConfig c = parse(MINIMAL, Map.of());
    assertEquals(URI.create(BridgeConfig.DEFAULT_MASTER_URI), c.ros().masterUri());
    assertEquals("mantis_bridge", c.ros().nodeName());
    assertEquals("/joint_states", c.topics().jointStates());
    assertEquals("/mantis/estop", c.topics().estop());
    assertEquals("localhost:50051", c.server().target());
    assertEquals(20.0, c.server().controlRateHz());
    assertEquals(100, c.server().watchdogTimeoutMs());
    assertEquals(100, c.server().reconnectMinMs());
    assertEquals(5000, c.server().reconnectMaxMs());
    assertEquals(2.0, c.bridge().heartbeatHz());
    assertEquals(500, c.bridge().maxInputAgeMs());
    assertTrue(c.bridge().defaultInstruction().isEmpty());
  }

  @Test
  void theResetTopicThatAnyRosNodeCouldPublishIsOffUnlessTheFileNamesIt() {
    BridgeConfig off = parse(MINIMAL, Map.of());
    assertTrue(off.topics().reset().isEmpty(), "no reset topic by default");
    assertTrue(
        off.describe().contains("reset: \"\"   # off: no ROS topic clears the e-stop"),
        off.describe());
    BridgeConfig on =
        parse(
            MINIMAL.replace(
                "  controller: /arm_controller\n",
                "  controller: /arm_controller\n  reset: /mantis/reset\n"),
            Map.of());
    assertEquals("/mantis/reset", on.topics().reset().orElseThrow());
    assertTrue(
        on.describe().contains("reset: /mantis/reset   # on: any ROS node can clear the e-stop"),
        on.describe());
    assertTrue(
        parse(
                MINIMAL.replace(
                    "  controller: /arm_controller\n",
                    "  controller: /arm_controller\n  reset: \"\"\n"),
                Map.of())
            .topics()
            .reset()
            .isEmpty(),
        "\"\" is off");
    assertTrue(
        error(
                MINIMAL.replace(
                    "  controller: /arm_controller\n",
                    "  controller: /arm_controller\n  reset: not a topic\n"))
            .contains("topics.reset"));
  }

  @Test
  void theServerChannelPingsEveryThirtySecondsAndNeverFasterThanTheServerPermits() {
    BridgeConfig c = parse(MINIMAL, Map.of());
    assertEquals(30_000, c.server().keepaliveTimeMs());
    assertEquals(10_000, c.server().keepaliveTimeoutMs());
    assertTrue(
        c.describe().contains("keepalive_time_ms: 30000\n  keepalive_timeout_ms: 10000\n"),
        c.describe());
    assertEquals(
        15_000,
        parse(
                MINIMAL + "server: {keepalive_time_ms: 15000, keepalive_timeout_ms: 5000}\n",
                Map.of())
            .server()
            .keepaliveTimeMs());
    assertTrue(
        error(MINIMAL + "server: {keepalive_time_ms: 9999}\n")
            .contains(
                "server.keepalive_time_ms must be 10000..3600000 (the Mantis server permits pings every 10 s or more), "
                    + "got 9999"));
    assertTrue(
        error(MINIMAL + "server: {keepalive_timeout_ms: 0}\n")
            .contains("server.keepalive_timeout_ms must be 1000..600000, got 0"));
  }

  @Test
  void theMasterUriComesFromTheEnvironmentUnlessTheFileGivesOne() {
    assertEquals(
        URI.create("http://rosmaster:11311/"),
        parse(MINIMAL, Map.of("ROS_MASTER_URI", "http://rosmaster:11311/")).ros().masterUri());
    String withUri = "ros:\n  master_uri: http://other:11312/\n" + MINIMAL;
    assertEquals(
        URI.create("http://other:11312/"),
        parse(withUri, Map.of("ROS_MASTER_URI", "http://rosmaster:11311/")).ros().masterUri());
    assertTrue(error("ros:\n  master_uri: localhost\n" + MINIMAL).contains("ros.master_uri"));
  }

  @Test
  void anUnknownKeyIsAnErrorNamingIt() {
    String msg = error(MINIMAL.replace("image: /cam", "image: /cam\n  imgae: /cam2"));
    assertTrue(msg.contains("unknown key 'topics.imgae'"), msg);
    assertTrue(msg.startsWith("test.yaml: "), msg);
    msg = error(MINIMAL + "servr:\n  target: x:1\n");
    assertTrue(msg.contains("unknown key 'servr'"), msg);
  }

  @Test
  void exactlyOneImageTopicIsRequired() {
    assertTrue(
        error(MINIMAL.replace("image: /cam", "image: /cam\n  compressed_image: /cam/compressed"))
            .contains("either 'image' or 'compressed_image', not both"));
    assertTrue(error(MINIMAL.replace("  image: /cam\n", "")).contains("one of 'image'"));
    BridgeConfig c =
        parse(MINIMAL.replace("image: /cam", "compressed_image: /cam/compressed"), Map.of());
    assertEquals("/cam/compressed", c.topics().compressedImage().orElseThrow());
  }

  @Test
  void theJointNamesMustMatchTheRobotSpec() {
    String msg = error(MINIMAL.replace("[j1, j2, j3]", "[j1, j2]"));
    assertTrue(
        msg.contains("robot.joints has 2 names but robot spec mantis-planar-3 has 3 joints"), msg);
    assertTrue(error(MINIMAL.replace("[j1, j2, j3]", "[j1, j1, j3]")).contains("names 'j1' twice"));
    assertTrue(
        error(MINIMAL.replace("  joints: [j1, j2, j3]\n", "  id: arm\n"))
            .contains("robot.joints is required"));
  }

  @Test
  void missingSectionsAndBadValuesAreClear() {
    assertTrue(error("robot:\n  joints: [a, b, c]\n").contains("missing section 'topics'"));
    assertTrue(
        error(MINIMAL.replace("controller: /arm_controller", "instruction: /i"))
            .contains("topics.controller is required"));
    assertTrue(
        error(MINIMAL + "server:\n  target: nohost\n").contains("server.target must be host:port"));
    assertTrue(
        error(MINIMAL + "server:\n  reconnect_min_ms: 10\n")
            .contains("reconnect_min_ms must be >= 100"));
    assertTrue(
        error(MINIMAL + "server:\n  reconnect_max_ms: 9000\n")
            .contains("reconnect_max_ms must be in"));
    assertTrue(error(MINIMAL + "server:\n  control_rate_hz: 0\n").contains("control_rate_hz"));
    assertTrue(
        error(MINIMAL + "server:\n  control_rate_hz: fast\n").contains("server.control_rate_hz"));
    assertTrue(error(MINIMAL + "arm_service:\n  port: 70000\n").contains("arm_service.port"));
    assertTrue(
        error(MINIMAL.replace("robot:\n", "robot:\n  spec: nosuchrobot\n"))
            .contains("neither a bundled robot"));
    assertTrue(error("").contains("empty bridge config"));
  }

  @Test
  void aBundledRobotIsLookedUpInTheRobotRegistryByAnyOfItsNames() {
    assertEquals("planar3", parse(MINIMAL, Map.of()).robot().specSource(), "the default robot");
    BridgeConfig byOwnName =
        parse(MINIMAL.replace("robot:\n", "robot:\n  spec: mantis-planar-3\n"), Map.of());
    assertEquals("mantis-planar-3", byOwnName.robot().specSource());
    assertEquals(RobotSpecs.mantisPlanar3(), byOwnName.robot().spec());
    // The bundled 6-joint arm is found by name; the config's three joint names then do not fit.
    assertTrue(
        error(MINIMAL.replace("robot:\n", "robot:\n  spec: ur5e\n"))
            .contains("robot spec mantis-ur5e has 6 joints [shoulder_pan_joint,"));
    String msg = error(MINIMAL.replace("robot:\n", "robot:\n  spec: nosuchrobot\n"));
    assertTrue(
        msg.contains(
            "robot.spec 'nosuchrobot' is neither a bundled robot [mantis-planar-3, mantis-ur5e, planar3, ur5e]"
                + " nor a "
                + "readable file ("),
        msg);
  }

  /** bridge.yaml in {@code dir}: the minimal config with {@code spec} and joints ja, jb. */
  private static Path twoJointConfig(Path dir, String spec) throws Exception {
    Path cfg = dir.resolve("bridge.yaml");
    Files.writeString(
        cfg,
        MINIMAL
            .replace("robot:\n", "robot:\n  spec: " + spec + "\n")
            .replace("[j1, j2, j3]", "[ja, jb]"));
    return cfg;
  }

  @Test
  void aRobotSpecPathIsResolvedAgainstTheConfigFile(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("two.yaml"),
        """
        name: two-joint
        joints:
          - {name: a, min_position_rad: -1, max_position_rad: 1, max_velocity_rad_per_s: 1, max_acceleration_rad_per_s2: 5}
          - {name: b, min_position_rad: -1, max_position_rad: 1, max_velocity_rad_per_s: 1, max_acceleration_rad_per_s2: 5}
        """);
    Path cfg = twoJointConfig(dir, "two.yaml");
    BridgeConfig c = BridgeConfig.load(cfg);
    assertEquals("two-joint", c.robot().spec().name());
    assertEquals(List.of("ja", "jb"), c.robot().joints());
  }

  @Test
  void aRobotSpecMayBeARobotYamlThatNamesAUrdfAsTheServerTakesIt(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("two.urdf"),
        """
        <?xml version="1.0"?>
        <robot name="two_link">
          <link name="base_link"/>
          <link name="upper"/>
          <link name="tool0"/>
          <joint name="shoulder_joint" type="revolute">
            <parent link="base_link"/>
            <child link="upper"/>
            <axis xyz="0 0 1"/>
            <limit lower="-2.0" upper="2.0" velocity="1.5" effort="10"/>
          </joint>
          <joint name="elbow_joint" type="revolute">
            <parent link="upper"/>
            <child link="tool0"/>
            <origin xyz="0.3 0 0"/>
            <axis xyz="0 0 1"/>
            <limit lower="-1.0" upper="1.0" velocity="2.5" effort="10"/>
          </joint>
        </robot>
        """);
    Files.writeString(
        dir.resolve("cell.yaml"),
        "urdf: two.urdf\nname: cell-2-arm\nmax_acceleration_rad_per_s2: 6.0\n");
    Path cfg = twoJointConfig(dir, "cell.yaml");
    BridgeConfig c = BridgeConfig.load(cfg);
    assertEquals("cell-2-arm", c.robot().spec().name());
    assertEquals(List.of("shoulder_joint", "elbow_joint"), c.robot().spec().jointNames());
    assertEquals(1.0, c.robot().spec().joints().get(1).maxPositionRad(), 1e-12);
    assertEquals(2.5, c.robot().spec().joints().get(1).maxVelocityRadPerS(), 1e-12);
    assertEquals(6.0, c.robot().spec().joints().get(0).maxAccelerationRadPerS2(), 1e-12);
    assertEquals(List.of("ja", "jb"), c.robot().joints());

    // A bare URDF has no acceleration limits: the error says how to name it in a robot YAML.
    twoJointConfig(dir, "two.urdf");
    String msg =
        assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(cfg)).getMessage();
    assertTrue(msg.contains("is a URDF: name it in a robot YAML"), msg);
  }
}
