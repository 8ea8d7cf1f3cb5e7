package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import mantis.calibration.Vec3;
import mantis.core.RobotSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RobotResolveTest {
  @TempDir Path dir;

  private Path urdfBeside() throws Exception {
    Path urdf = dir.resolve("arm.urdf");
    try (InputStream in = getClass().getResourceAsStream("/urdf/ur5e_like.urdf")) {
      Files.copy(in, urdf);
    }
    return urdf;
  }

  @Test
  void aRobotYamlNamingAUrdfGivesItsChainLimitsAndPlacementAndMakesItKnownByName()
      throws Exception {
    urdfBeside();
    Path yaml = dir.resolve("cell-7.yaml");
    Files.writeString(
        yaml,
        "urdf: arm.urdf\n"
            + "name: cell-7-arm\n"
            + "tool_link: tool0\n"
            + "max_acceleration_rad_per_s2: 5.5\n"
            + "base_in_table: {x_m: 0.1, y_m: -0.2, z_m: 0.05, yaw_rad: 0.0}\n");
    RobotSpec spec = RobotModels.resolve(yaml.toString());
    assertEquals("cell-7-arm", spec.name());
    assertEquals(6, spec.jointCount());
    assertEquals("shoulder_pan_joint", spec.joint(0).name());
    assertEquals(5.5, spec.joint(5).maxAccelerationRadPerS2());
    RobotModel m = RobotModels.forName("cell-7-arm");
    assertEquals(spec, m.spec());
    // The base placement moves the tip: FK in the base frame plus the offset.
    double[] q = {0.3, -1.0, 1.2, -1.5, -1.2, 0.4};
    Pose inBase = m.kinematics().forward(q);
    Vec3 tip = m.reach().tip(q);
    assertEquals(inBase.xM() + 0.1, tip.xM(), 1e-12);
    assertEquals(inBase.yM() - 0.2, tip.yM(), 1e-12);
    assertEquals(inBase.zM() + 0.05, tip.zM(), 1e-12);
  }

  @Test
  void aBundledRobotIsResolvedByItsRegistryName() {
    assertEquals(RobotModels.ur5e().spec(), RobotModels.resolve("ur5e"));
    assertEquals(RobotModels.planar3().spec(), RobotModels.resolve("mantis-planar-3"));
    assertSame(RobotModels.ur5e(), RobotModels.forName("ur5e"));
  }

  @Test
  void aPlainRobotYamlStillGivesJointLimits() throws Exception {
    Path yaml = dir.resolve("two.yaml");
    Files.writeString(
        yaml,
        "name: two\njoints:\n"
            + "  - {name: a, min_position_rad: -1, max_position_rad: 1, max_velocity_rad_per_s: 1,"
            + " max_acceleration_rad_per_s2: 2}\n");
    assertEquals(1, RobotModels.resolve(yaml.toString()).jointCount());
  }

  @Test
  void anUnknownNameABareUrdfAndBadKeysAreRefusedWithWhatToDo() throws Exception {
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> RobotModels.resolve("kuka-lbr"));
    assertTrue(unknown.getMessage().contains("ur5e"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("planar3"), unknown.getMessage());

    Path urdf = urdfBeside();
    IllegalArgumentException bare =
        assertThrows(IllegalArgumentException.class, () -> RobotModels.resolve(urdf.toString()));
    assertTrue(bare.getMessage().contains("max_acceleration_rad_per_s2"), bare.getMessage());

    Path noAccel = dir.resolve("no-accel.yaml");
    Files.writeString(noAccel, "urdf: arm.urdf\nname: x1\n");
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> RobotModels.resolve(noAccel.toString()));
    assertTrue(
        missing.getMessage().contains("missing key 'max_acceleration_rad_per_s2'"),
        missing.getMessage());

    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "urdf: arm.urdf\nmax_acceleration_rad_per_s2: 3\ntool_lnk: tool0\n");
    IllegalArgumentException key =
        assertThrows(IllegalArgumentException.class, () -> RobotModels.resolve(typo.toString()));
    assertTrue(key.getMessage().contains("unknown key 'tool_lnk'"), key.getMessage());

    Path clash = dir.resolve("clash.yaml");
    Files.writeString(clash, "urdf: arm.urdf\nname: ur5e\nmax_acceleration_rad_per_s2: 3\n");
    IllegalArgumentException bundled =
        assertThrows(IllegalArgumentException.class, () -> RobotModels.resolve(clash.toString()));
    assertTrue(bundled.getMessage().contains("bundled"), bundled.getMessage());
  }
}
