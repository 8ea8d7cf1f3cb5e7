package mantis.simros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mantis.ros.node.RosNode;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RosSimRobotTest {
  private static final List<String> ROS_JOINTS =
      List.of("shoulder_joint", "elbow_joint", "wrist_joint");

  @TempDir Path tmp;

  @Tag("ros")
  @Tag("slow")
  @Test
  void aRospyNodeSeesTheCameraJointStatesAndInstructionAndARostopicTrajectoryMovesTheArm()
      throws Exception {
    RosInstallation ros = RequireRos.installation();
    Path probe = tmp.resolve("sim_ros_probe.py");
    try (InputStream in = getClass().getResourceAsStream("sim_ros_probe.py")) {
      Files.write(probe, in.readAllBytes());
    }
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros)) {
      core.start();
      RosNode node =
          RosNode.builder()
              .setName("mantis_sim_test")
              .setMasterUri(core.uri())
              .optHost("127.0.0.1")
              .build();
      try (node) {
        node.start();
        try (RosSimRobot robot =
                RosSimRobot.builder()
                    .setNode(node)
                    .setFamily(TaskFamily.REACH)
                    .setSeed(7)
                    .optImageRateHz(10)
                    .optImageSize(160, 120)
                    .optJointNames(ROS_JOINTS)
                    .optNextEpisodeWhenDone(false)
                    .build();
            RosProcess rospy = RosProcess.python(ros, core.environment(), probe)) {
          robot.start();
          String instruction = robot.instruction();
          assertTrue(
              rospy.awaitOutput("INSTRUCTION " + instruction, Duration.ofSeconds(20)),
              rospy.output());
          assertTrue(rospy.awaitOutput("IMAGE", Duration.ofSeconds(20)), rospy.output());
          assertTrue(rospy.awaitOutput("JOINTS", Duration.ofSeconds(20)), rospy.output());
          String image =
              rospy.output().lines().filter(l -> l.startsWith("IMAGE ")).findFirst().orElseThrow();
          String[] w = image.split(" ");
          assertEquals(
              List.of("160", "120", "rgb8", "480", "57600"),
              List.of(w[2], w[3], w[4], w[5], w[6]),
              image);
          assertTrue(Double.parseDouble(w[7]) > 5, "the rendered image is not black: " + image);
          assertEquals(ROS_JOINTS, names(lastJoints(rospy)));

          double[] start = robot.jointPositionsRad();
          double[] target = {start[0] + 0.3, start[1] - 0.3, start[2] + 0.2};
          // Joints in another order than the arm's: matched by name.
          String yaml =
              String.format(
                  Locale.ROOT,
                  "{joint_names: [wrist_joint, shoulder_joint, "
                      + "elbow_joint], points: [{positions: [%f, %f, %f], time_from_start: {secs: 1, nsecs: 0}}]}",
                  target[2],
                  target[0],
                  target[1]);
          try (RosProcess pub =
              RosProcess.rostopic(
                  ros,
                  core.environment(),
                  "pub",
                  "-1",
                  "/arm_controller/command",
                  "trajectory_msgs/JointTrajectory",
                  yaml)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!near(robot.jointPositionsRad(), target, 0.01) && System.nanoTime() < deadline) {
              Thread.sleep(50);
            }
            assertTrue(
                near(robot.jointPositionsRad(), target, 0.01),
                "the arm did not reach "
                    + java.util.Arrays.toString(target)
                    + ": at "
                    + java.util.Arrays.toString(robot.jointPositionsRad())
                    + "; rostopic:\n"
                    + pub.output());
          }
          assertEquals(1, robot.trajectoriesAccepted());
          assertEquals(0, robot.trajectoriesRefused());
          Thread.sleep(300);
          double[] seen = positions(lastJoints(rospy));
          assertTrue(
              near(seen, target, 0.01),
              "rospy's last joint state "
                  + java.util.Arrays.toString(seen)
                  + " is not at the target");
        }
      }
    }
  }

  @Test
  void theBuilderRefusesBadSettingsWithTheSettingInTheMessage() {
    assertTrue(
        assertThrows(
                IllegalStateException.class,
                () -> RosSimRobot.builder().setFamily(TaskFamily.REACH).build())
            .getMessage()
            .contains("setSeed"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    RosSimRobot.builder()
                        .setFamily(TaskFamily.REACH)
                        .setSeed(1)
                        .optImageRateHz(0)
                        .build())
            .getMessage()
            .contains("image rate"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    RosSimRobot.builder()
                        .setFamily(TaskFamily.REACH)
                        .setSeed(1)
                        .optImageSize(4, 4000)
                        .build())
            .getMessage()
            .contains("4x4000"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    RosSimRobot.builder()
                        .setFamily(TaskFamily.REACH)
                        .setSeed(1)
                        .optJointNames(List.of("a", "a", "b"))
                        .build())
            .getMessage()
            .contains("distinct"));
    assertTrue(
        assertThrows(
                NullPointerException.class,
                () -> RosSimRobot.builder().setFamily(TaskFamily.REACH).setSeed(1).build())
            .getMessage()
            .contains("setNode"));
  }

  private static boolean near(double[] a, double[] b, double tol) {
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > tol) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode lastJoints(RosProcess rospy) throws Exception {
    List<String> lines = rospy.output().lines().filter(l -> l.startsWith("JOINTS ")).toList();
    String last = lines.get(lines.size() - 1);
    return new ObjectMapper().readTree(last.substring("JOINTS ".length()));
  }

  private static List<String> names(JsonNode joints) {
    List<String> out = new ArrayList<>();
    joints.get("name").forEach(n -> out.add(n.asText()));
    return out;
  }

  private static double[] positions(JsonNode joints) {
    double[] out = new double[joints.get("position").size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = joints.get("position").get(i).asDouble();
    }
    return out;
  }
}
