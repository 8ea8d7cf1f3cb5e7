package mantis.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RobotSpecsTest {
  private static final String GOOD =
      """
      name: two
      joints:
        - name: a
          min_position_rad: -1.0
          max_position_rad: 1.5
          max_velocity_rad_per_s: 2
          max_acceleration_rad_per_s2: 8.5
        - name: b
          min_position_rad: 0
          max_position_rad: 3
          max_velocity_rad_per_s: 1
          max_acceleration_rad_per_s2: 4
      """;

  private static String messageOf(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> RobotSpecs.parse(yaml, "robot.yaml"))
        .getMessage();
  }

  @Test
  void theBundledPlanarArmHasThreeJointsWithTheDocumentedLimits() {
    RobotSpec r = RobotSpecs.mantisPlanar3();
    assertEquals("mantis-planar-3", r.name());
    assertEquals(List.of("shoulder", "elbow", "wrist"), r.jointNames());
    assertEquals(new JointLimits("shoulder", -2.6, 2.6, 2.0, 8.0), r.joint(0));
    assertEquals(new JointLimits("elbow", -2.6, 2.6, 2.5, 10.0), r.joint(1));
    assertEquals(new JointLimits("wrist", -2.6, 2.6, 3.0, 12.0), r.joint(2));
  }

  @Test
  void aFileIsLoadedWithEveryLimit(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("two.yaml");
    Files.writeString(f, GOOD);
    RobotSpec r = RobotSpecs.load(f);
    assertEquals("two", r.name());
    assertEquals(new JointLimits("a", -1.0, 1.5, 2.0, 8.5), r.joint(0));
    assertEquals(new JointLimits("b", 0, 3, 1, 4), r.joint(1));
  }

  @Test
  void aMissingFileIsReportedWithItsPath(@TempDir Path dir) {
    Path f = dir.resolve("nope.yaml");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> RobotSpecs.load(f));
    assertTrue(e.getMessage().contains("nope.yaml"), e.getMessage());
  }

  @Test
  void aMissingKeyNamesTheJointAndTheKey() {
    String m = messageOf(GOOD.replace("    max_velocity_rad_per_s: 1\n", ""));
    assertTrue(
        m.contains("robot.yaml")
            && m.contains("joints[1] (b)")
            && m.contains("missing key 'max_velocity_rad_per_s'"),
        m);
  }

  @Test
  void minNotBelowMaxIsRejected() {
    String m = messageOf(GOOD.replace("max_position_rad: 1.5", "max_position_rad: -1.0"));
    assertTrue(m.contains("joints[0] (a)") && m.contains("must be < max_position_rad"), m);
  }

  @Test
  void aDuplicateJointIsRejected() {
    String m = messageOf(GOOD.replace("name: b", "name: a"));
    assertTrue(
        m.contains("duplicate joint 'a'") && m.contains("joints[0]") && m.contains("joints[1]"), m);
  }

  @Test
  void anUnknownKeyIsRejectedSoATypoCannotDropALimit() {
    String m = messageOf(GOOD.replace("max_velocity_rad_per_s: 2", "max_velocity_rad_s: 2"));
    assertTrue(m.contains("unknown key 'max_velocity_rad_s'"), m);
  }

  @Test
  void nonPositiveRatesNonNumbersAndInfinitiesAreRejected() {
    assertTrue(
        messageOf(GOOD.replace("max_velocity_rad_per_s: 2", "max_velocity_rad_per_s: 0"))
            .contains("max_velocity_rad_per_s must be > 0"));
    assertTrue(
        messageOf(GOOD.replace("max_acceleration_rad_per_s2: 4", "max_acceleration_rad_per_s2: -4"))
            .contains("max_acceleration_rad_per_s2 must be > 0"));
    assertTrue(
        messageOf(GOOD.replace("max_position_rad: 3", "max_position_rad: lots"))
            .contains("must be a number"));
    String inf = messageOf(GOOD.replace("max_position_rad: 3", "max_position_rad: .inf"));
    assertTrue(inf.contains("robot.yaml") && inf.contains(".inf"), inf);
  }

  @Test
  void structuralErrorsAreExplained() {
    assertTrue(messageOf("").contains("empty"));
    assertTrue(messageOf("name: x\n").contains("missing key 'joints'"));
    assertTrue(messageOf("name: x\njoints: []\n").contains("at least one joint"));
    assertTrue(messageOf("joints: []\n").contains("missing key 'name'"));
    assertTrue(messageOf("name: x\njoints: 3\n").contains("must be a list"));
    assertTrue(messageOf("name: [x\n").contains("not valid YAML"));
    assertTrue(messageOf("name: x\nname: y\njoints: []\n").contains("not valid YAML"));
  }
}
