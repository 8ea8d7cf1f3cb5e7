package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RobotCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  @BeforeAll
  static void startLoggingBeforeStdoutIsCaptured() {
    // Logback may print its status to stdout when it starts; let that happen outside CliRun.
    LoggerFactory.getLogger(RobotCommandTest.class).debug("logging started");
  }

  private static String urdf(String name) {
    try {
      return Path.of(RobotCommandTest.class.getResource("/urdf/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode ok(CliRun r) throws Exception {
    assertEquals(0, r.code(), "stderr: " + r.err());
    return MAPPER.readTree(r.out());
  }

  private static void assertBadInput(CliRun r, String message) {
    assertEquals(2, r.code(), "stdout: " + r.out() + " stderr: " + r.err());
    assertTrue(r.err().contains(message), "stderr should contain '" + message + "': " + r.err());
    assertEquals("", r.out(), "nothing on stdout for bad input");
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  private static String csv(double... v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ",").append(v[i]);
    }
    return b.toString();
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  @Test
  void checkPrintsTheRobotTheChainAndEveryJointWithTypeAxisAndLimits() throws Exception {
    JsonNode j = ok(CliRun.of("robot", "check", "--urdf", urdf("ur5e_like.urdf")));
    assertEquals("ur5e_like", j.get("robot").asText());
    assertEquals("base_link", j.get("chain").get("baseLink").asText());
    assertEquals("tool0", j.get("chain").get("toolLink").asText());
    assertEquals(6, j.get("chain").get("movingJoints").asInt());
    JsonNode joints = j.get("joints");
    assertEquals(6, joints.size());
    List<String> names = new ArrayList<>();
    joints.forEach(n -> names.add(n.get("name").asText()));
    assertEquals(
        List.of(
            "shoulder_pan_joint",
            "shoulder_lift_joint",
            "elbow_joint",
            "wrist_1_joint",
            "wrist_2_joint",
            "wrist_3_joint"),
        names);
    JsonNode elbow = joints.get(2);
    assertEquals("revolute", elbow.get("type").asText());
    assertEquals(-Math.PI, elbow.get("lowerRad").asDouble(), 1e-15);
    assertEquals(Math.PI, elbow.get("upperRad").asDouble(), 1e-15);
    assertEquals(3.14159, elbow.get("maxVelocityRadPerS").asDouble(), 1e-15);
    assertEquals(150, elbow.get("maxEffortNm").asDouble(), 1e-15);
    double[] axis = doubles(elbow.get("axis"));
    assertEquals(0, axis[0], 1e-15);
    assertEquals(0, axis[1], 1e-15);
    assertEquals(1, axis[2], 1e-15);
    // At zero the UR5e tool is at (a2 + a3, -(d4 + d6), d1 - d5).
    double[] home = doubles(j.get("toolPoseAtZero").get("xyz"));
    assertEquals(-0.8172, home[0], 1e-12);
    assertEquals(-0.2329, home[1], 1e-12);
    assertEquals(0.0628, home[2], 1e-12);
  }

  @Test
  void checkOfABranchingUrdfAsksForTheTipAndUsesIt() throws Exception {
    assertBadInput(
        CliRun.of("robot", "check", "--urdf", urdf("mixed.urdf")), "the tree branches at link");
    JsonNode j = ok(CliRun.of("robot", "check", "--urdf", urdf("mixed.urdf"), "--tip", "flange"));
    assertEquals("base", j.get("chain").get("baseLink").asText());
    assertEquals("flange", j.get("chain").get("toolLink").asText());
    assertEquals(7, j.get("joints").size());
    JsonNode prismatic = j.get("joints").get(2);
    assertEquals("prismatic", prismatic.get("type").asText());
    assertTrue(prismatic.has("lowerM"), prismatic.toString());
    JsonNode continuous = j.get("joints").get(3);
    assertEquals("continuous", continuous.get("type").asText());
    assertTrue(continuous.get("lowerRad").isNull(), "an unbounded limit is null in JSON");
    // A base below the root: the chain starts there.
    JsonNode sub =
        ok(
            CliRun.of(
                "robot", "check", "--urdf", urdf("mixed.urdf"), "--base", "l2", "--tip", "flange"));
    assertEquals(5, sub.get("joints").size());
    assertEquals("j3", sub.get("joints").get(0).get("name").asText());
    JsonNode camera =
        ok(CliRun.of("robot", "check", "--urdf", urdf("mixed.urdf"), "--tip", "camera"));
    assertEquals("camera", camera.get("chain").get("toolLink").asText());
  }

  @Test
  void checkReportsBadXmlUnknownLinksMissingChainsAndMissingFilesWithExitCode2() throws Exception {
    Path broken = dir.resolve("broken.urdf");
    Files.writeString(broken, "<robot name='x'><link name='a'/>");
    assertBadInput(CliRun.of("robot", "check", "--urdf", broken.toString()), "not well-formed XML");
    Path noLimits = dir.resolve("nolimits.urdf");
    Files.writeString(
        noLimits,
        "<robot name='x'><link name='a'/><link name='b'/><joint name='j' type='revolute'>"
            + "<parent link='a'/><child link='b'/></joint></robot>");
    assertBadInput(
        CliRun.of("robot", "check", "--urdf", noLimits.toString()),
        "joint j: a revolute joint needs <limit");
    assertBadInput(
        CliRun.of("robot", "check", "--urdf", urdf("ur5e_like.urdf"), "--tip", "gripper"),
        "no link named gripper");
    assertBadInput(
        CliRun.of(
            "robot",
            "check",
            "--urdf",
            urdf("ur5e_like.urdf"),
            "--base",
            "tool0",
            "--tip",
            "base_link"),
        "no chain from tool0 to base_link");
    assertBadInput(
        CliRun.of("robot", "check", "--urdf", dir.resolve("missing.urdf").toString()),
        "cannot read");
    assertEquals(2, CliRun.of("robot", "check").code(), "--urdf is required");
  }

  @Test
  void fkPrintsTheToolPoseAsXyzQuaternionAndRpy() throws Exception {
    JsonNode j =
        ok(CliRun.of("robot", "fk", "--urdf", urdf("planar3.urdf"), "--joints", "0.3,0.2,0.1"));
    double[] xyz = doubles(j.get("pose").get("xyz"));
    assertEquals(0.30 * Math.cos(0.3) + 0.25 * Math.cos(0.5) + 0.10 * Math.cos(0.6), xyz[0], 1e-12);
    assertEquals(0.30 * Math.sin(0.3) + 0.25 * Math.sin(0.5) + 0.10 * Math.sin(0.6), xyz[1], 1e-12);
    assertEquals(0, xyz[2], 1e-12);
    double[] q = doubles(j.get("pose").get("quat"));
    assertEquals(0, q[0], 1e-12);
    assertEquals(0, q[1], 1e-12);
    assertEquals(Math.sin(0.3), q[2], 1e-12);
    assertEquals(Math.cos(0.3), q[3], 1e-12);
    double[] rpy = doubles(j.get("pose").get("rpy"));
    assertEquals(0, rpy[0], 1e-12);
    assertEquals(0, rpy[1], 1e-12);
    assertEquals(0.6, rpy[2], 1e-12);
    assertEquals(3, j.get("joints").size());
    assertEquals("shoulder", j.get("jointNames").get(0).asText());

    // Negative values parse too; the UR5e upright pose has the tool straight above the base.
    JsonNode up =
        ok(
            CliRun.of(
                "robot",
                "fk",
                "--urdf",
                urdf("ur5e_like.urdf"),
                "--joints",
                csv(0, -Math.PI / 2, 0, -Math.PI / 2, 0, 0)));
    assertEquals(
        0.1625 + 0.425 + 0.3922 + 0.0997, up.get("pose").get("xyz").get(2).asDouble(), 1e-12);
  }

  @Test
  void fkRefusesAWrongCountAValueOutsideItsLimitsAndNonNumbers() {
    String ur5e = urdf("ur5e_like.urdf");
    assertBadInput(
        CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", "0,0,0"),
        "--joints needs 6 values, one per moving joint [shoulder_pan_joint");
    assertBadInput(
        CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", "0,0,4,0,0,0"),
        "joint elbow_joint = 4.0 is outside its limits [-3.141592653589793, 3.141592653589793]");
    assertBadInput(
        CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", "0,0,x,0,0,0"), "'x' is not a number");
    assertBadInput(
        CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", "0,0,NaN,0,0,0"),
        "'NaN' is not a finite number");
  }

  @Test
  void fkThenIkThenFkRoundTripsOnTheUr5e() throws Exception {
    String ur5e = urdf("ur5e_like.urdf");
    Random rng = new Random(7);
    for (int n = 0; n < 10; n++) {
      double[] q = new double[6];
      for (int i = 0; i < 6; i++) {
        q[i] = (rng.nextDouble() * 2 - 1) * (i == 2 ? 3.0 : 6.0);
      }
      JsonNode fk = ok(CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", csv(q)));
      double[] xyz = doubles(fk.get("pose").get("xyz"));
      double[] quat = doubles(fk.get("pose").get("quat"));
      JsonNode ik =
          ok(CliRun.of("robot", "ik", "--urdf", ur5e, "--xyz", csv(xyz), "--quat", csv(quat)));
      assertTrue(ik.get("solved").asBoolean(), ik.toString());
      assertTrue(ik.get("positionErrorM").asDouble() <= 1e-6, ik.toString());
      assertTrue(ik.get("iterations").asInt() >= 1, ik.toString());
      assertEquals(ik.get("attempts").asInt() - 1, ik.get("restarts").asInt());
      double[] solution = doubles(ik.get("joints"));
      JsonNode back = ok(CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", csv(solution)));
      double[] xyz2 = doubles(back.get("pose").get("xyz"));
      double[] quat2 = doubles(back.get("pose").get("quat"));
      for (int i = 0; i < 3; i++) {
        assertEquals(xyz[i], xyz2[i], 1e-6, "position " + i + " of pose " + n);
      }
      double dot = 0;
      for (int i = 0; i < 4; i++) {
        dot += quat[i] * quat2[i];
      }
      assertEquals(1, Math.abs(dot), 1e-9, "same orientation, pose " + n);
    }
  }

  @Test
  void ikFromANearbySeedReturnsTheSeedsBranch() throws Exception {
    String ur5e = urdf("ur5e_like.urdf");
    double[] q = {0.4, -1.2, 1.5, -0.9, 1.1, 0.3};
    JsonNode fk = ok(CliRun.of("robot", "fk", "--urdf", ur5e, "--joints", csv(q)));
    double[] seed = q.clone();
    for (int i = 0; i < 6; i++) {
      seed[i] += 0.05;
    }
    JsonNode ik =
        ok(
            CliRun.of(
                "robot",
                "ik",
                "--urdf",
                ur5e,
                "--xyz",
                csv(doubles(fk.get("pose").get("xyz"))),
                "--quat",
                csv(doubles(fk.get("pose").get("quat"))),
                "--seed",
                csv(seed)));
    assertEquals(0, ik.get("restarts").asInt(), ik.toString());
    double[] solution = doubles(ik.get("joints"));
    for (int i = 0; i < 6; i++) {
      assertEquals(q[i], solution[i], 1e-6, "joint " + i);
    }
  }

  @Test
  void anUnreachablePoseFailsWithTheReasonAndExitCode1() throws Exception {
    CliRun r =
        CliRun.of(
            "robot",
            "ik",
            "--urdf",
            urdf("ur5e_like.urdf"),
            "--xyz",
            "2,0,0",
            "--quat",
            "0,0,0,1",
            "--restarts",
            "3");
    assertEquals(1, r.code(), r.err());
    JsonNode j = MAPPER.readTree(r.out());
    assertFalse(j.get("solved").asBoolean());
    assertFalse(j.has("joints"));
    assertEquals(4, j.get("attempts").asInt());
    assertTrue(j.get("positionErrorM").asDouble() > 0.5, j.toString());
    assertTrue(j.get("reason").asText().contains("may be out of reach"), j.toString());
    assertTrue(r.err().contains("mantis robot ik: "), r.err());
  }

  @Test
  void ikRefusesBadPosesSeedsAndTolerances() {
    String ur5e = urdf("ur5e_like.urdf");
    assertBadInput(
        CliRun.of("robot", "ik", "--urdf", ur5e, "--xyz", "0.3,0.2", "--quat", "0,0,0,1"),
        "--xyz needs 3 comma-separated numbers, got 2");
    assertBadInput(
        CliRun.of("robot", "ik", "--urdf", ur5e, "--xyz", "0.3,0.2,0.1", "--quat", "0,0,0,2"),
        "--quat must be a unit quaternion x,y,z,w (norm within 1% of 1), got norm 2");
    assertBadInput(
        CliRun.of("robot", "ik", "--urdf", ur5e, "--xyz", "0.3,0.2,0.1", "--seed", "0,0,0,0,0,0,0"),
        "--seed needs 6 values");
    assertBadInput(
        CliRun.of(
            "robot", "ik", "--urdf", ur5e, "--xyz", "0.3,0.2,0.1", "--position-tolerance-m", "0"),
        "positionToleranceM must be finite and > 0");
  }

  @Test
  void aRoundedUnitQuaternionIsNormalized() throws Exception {
    // 0.7071 has a norm 5e-5 short of 1: accepted and normalized.
    JsonNode j =
        ok(
            CliRun.of(
                "robot",
                "ik",
                "--urdf",
                urdf("planar3.urdf"),
                "--xyz",
                "0.4,0.2,0",
                "--quat",
                "0,0,0.7071,0.7071"));
    assertTrue(j.get("solved").asBoolean(), j.toString());
    assertEquals(Math.sqrt(0.5), j.get("target").get("quat").get(3).asDouble(), 1e-12);
    double sum = 0;
    for (double v : doubles(j.get("joints"))) {
      sum += v;
    }
    assertEquals(Math.PI / 2, sum, 1e-6, "the planar arm's heading is the joint sum");
  }
}
