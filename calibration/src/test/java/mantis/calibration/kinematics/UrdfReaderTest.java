package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mantis.core.RobotSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UrdfReaderTest {
  private static final String HEAD = "<robot name='t'><link name='a'/><link name='b'/>";

  @Test
  void theUr5eChainHasSixNamedJointsWithTheirLimits() {
    SerialChain chain = TestChains.ur5e();
    assertEquals(
        List.of(
            "shoulder_pan_joint",
            "shoulder_lift_joint",
            "elbow_joint",
            "wrist_1_joint",
            "wrist_2_joint",
            "wrist_3_joint"),
        chain.jointNames());
    ChainJoint elbow = chain.joint(2);
    assertEquals(JointType.REVOLUTE, elbow.type());
    assertEquals(-Math.PI, elbow.lower(), 0);
    assertEquals(Math.PI, elbow.upper(), 0);
    assertEquals(150, elbow.maxEffort(), 0);
    assertArrayEquals(new double[] {-0.425, 0, 0}, elbow.origin().translationM(), 0);
    assertArrayEquals(new double[] {0, 0, 0.0996}, chain.toolTransform().translationM(), 0);
    RobotSpec spec = chain.robotSpec("ur5e", 10);
    assertEquals(6, spec.jointCount());
    assertEquals(3.14159, spec.joint(0).maxVelocityRadPerS(), 0);
    assertEquals(10, spec.joint(0).maxAccelerationRadPerS2(), 0);
  }

  @Test
  void fixedJointsFoldIntoTheNextJointAndTheTool() {
    SerialChain chain = TestChains.planar3();
    assertEquals(List.of("shoulder", "elbow", "wrist"), chain.jointNames());
    assertArrayEquals(new double[] {0.25, 0, 0}, chain.joint(2).origin().translationM(), 0);
    assertArrayEquals(new double[] {0.10, 0, 0}, chain.toolTransform().translationM(), 0);
    // Without names the chain runs from the root to the only leaf.
    assertEquals(chain, TestChains.robot("planar3.urdf").serialChain());
  }

  @Test
  void originRpyIsRollPitchYawAboutFixedAxes() {
    Transform t = Transform.fromXyzRpy(0, 0, 0, 0.3, -0.7, 1.1);
    double[] r = t.rotationRowMajor();
    // Rz(yaw) Ry(pitch) Rx(roll) applied to x: first column.
    double cp = Math.cos(-0.7);
    assertEquals(Math.cos(1.1) * cp, r[0], 1e-15);
    assertEquals(Math.sin(1.1) * cp, r[3], 1e-15);
    assertEquals(-Math.sin(-0.7), r[6], 1e-15);
  }

  @Test
  void aContinuousJointHasNoPositionLimitsAndNoCoreLimits() {
    UrdfRobot robot =
        UrdfReader.parse(
            HEAD
                + "<joint name='j' type='continuous'><parent link='a'/><child link='b'/>"
                + "<axis xyz='0 0 2'/><limit velocity='1' effort='1'/></joint></robot>",
            "c.urdf");
    SerialChain chain = robot.serialChain("a", "b");
    assertTrue(!chain.joint(0).bounded());
    assertEquals(1, chain.joint(0).axisZ(), 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> chain.robotSpec("c", 1));
    assertTrue(e.getMessage().contains("joint j (continuous) has no finite"), e.getMessage());
  }

  @Test
  void aMissingChainIsRefusedNamingBothLinks() {
    UrdfRobot robot = TestChains.robot("ur5e_like.urdf");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> robot.serialChain("tool0", "base_link"));
    assertEquals(
        "ur5e_like.urdf: no chain from tool0 to base_link (walking up from base_link reached the"
            + " root base_link without meeting tool0)",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> robot.serialChain("base_link", "gripper"));
    assertTrue(e.getMessage().startsWith("ur5e_like.urdf: no link named gripper"), e.getMessage());
  }

  @Test
  void aBranchingTreeIsRefusedWhenNoToolIsNamed() {
    UrdfRobot robot =
        UrdfReader.parse(
            HEAD
                + "<link name='c'/>"
                + "<joint name='j1' type='fixed'><parent link='a'/><child link='b'/></joint>"
                + "<joint name='j2' type='fixed'><parent link='a'/><child link='c'/></joint>"
                + "</robot>",
            "fork.urdf");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, robot::serialChain);
    assertEquals(
        "fork.urdf: the tree branches at link a into joints [j1, j2]; name the base and tool links"
            + " to pick one chain",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> robot.serialChain("a", "c"));
    assertTrue(e.getMessage().contains("has no moving joint"), e.getMessage());
  }

  @Test
  void badJointsAreRefusedNamingTheFileAndTheJoint() {
    assertRefused(
        "<joint name='j' type='ball'><parent link='a'/><child link='b'/></joint>",
        "bad.urdf: joint j: unknown joint type 'ball' (revolute, continuous, prismatic, fixed)");
    assertRefused(
        "<joint name='j' type='floating'><parent link='a'/><child link='b'/></joint>",
        "bad.urdf: joint j: joint type floating is not supported (revolute, continuous,"
            + " prismatic, fixed)");
    assertRefused(
        "<joint name='j' type='revolute'><parent link='a'/><child link='b'/></joint>",
        "bad.urdf: joint j: a revolute joint needs <limit lower=... upper=...>");
    assertRefused(
        "<joint name='j' type='revolute'><parent link='a'/><child link='b'/>"
            + "<limit upper='1' velocity='1' effort='1'/></joint>",
        "bad.urdf: joint j: <limit>: a revolute joint needs both lower and upper");
    assertRefused(
        "<joint name='j' type='revolute'><parent link='a'/><child link='b'/>"
            + "<limit lower='1' upper='0.5'/></joint>",
        "bad.urdf: joint j: <limit>: lower (1.0) must be below upper (0.5)");
    assertRefused(
        "<joint name='j' type='fixed'><parent link='a'/><child link='b'/>"
            + "<origin xyz='0 x 0'/></joint>",
        "bad.urdf: joint j: <origin> xyz: 'x' is not a number");
    assertRefused(
        "<joint name='j' type='fixed'><parent link='a'/><child link='b'/>"
            + "<origin rpy='0 0'/></joint>",
        "bad.urdf: joint j: <origin> rpy='0 0' must be three numbers");
    assertRefused(
        "<joint name='j' type='revolute'><parent link='a'/><child link='b'/>"
            + "<limit lower='-1' upper='NaN'/></joint>",
        "bad.urdf: joint j: <limit> upper: 'NaN' is not a finite number");
    assertRefused(
        "<joint name='j' type='revolute'><parent link='a'/><child link='b'/><axis xyz='0 0 0'/>"
            + "<limit lower='-1' upper='1'/></joint>",
        "bad.urdf: joint j: <axis> must not be zero");
    assertRefused(
        "<joint name='j' type='fixed'><parent link='a'/><child link='z'/></joint>",
        "bad.urdf: joint j: refers to undefined link z");
    assertRefused(
        "<joint name='j' type='fixed'><parent link='a'/></joint>",
        "bad.urdf: joint j: missing <child>");
  }

  @Test
  void doctypesAndBrokenXmlAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                UrdfReader.parse(
                    "<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><robot>&x;</robot>",
                    "xxe.urdf"));
    assertTrue(e.getMessage().startsWith("xxe.urdf: not well-formed XML"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> UrdfReader.parse("<robot>", "b.urdf"));
    assertTrue(e.getMessage().startsWith("b.urdf: not well-formed XML"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> UrdfReader.parse("<sdf/>", "s.urdf"));
    assertEquals("s.urdf: the root element must be <robot>, got <sdf>", e.getMessage());
  }

  @Test
  void aFileIsReadFromDisk(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("one.urdf");
    Files.writeString(
        file,
        HEAD
            + "<joint name='slide' type='prismatic'><parent link='a'/><child link='b'/>"
            + "<axis xyz='0 1 0'/><limit lower='0' upper='0.5' velocity='0.2' effort='5'/>"
            + "</joint></robot>");
    SerialChain chain = UrdfReader.read(file).serialChain("a", "b");
    assertEquals(JointType.PRISMATIC, chain.joint(0).type());
    assertEquals(0.5, chain.joint(0).upper(), 0);
    assertTrue(chain.name().startsWith(file.toString()), chain.name());
  }

  private static void assertRefused(String joint, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> UrdfReader.parse(HEAD + joint + "</robot>", "bad.urdf"));
    assertEquals(message, e.getMessage());
  }
}
