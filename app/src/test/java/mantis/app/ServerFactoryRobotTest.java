package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mantis.server.config.MantisConfig;
import org.junit.jupiter.api.Test;

class ServerFactoryRobotTest {
  @Test
  void aConfigMayNameTheBundledSixJointArmInsteadOfGivingAFile() {
    var robot = ServerFactory.robot(MantisConfig.defaults().withRobot(Path.of("ur5e")));
    assertEquals(6, robot.jointCount());
    assertEquals("shoulder_pan_joint", robot.joint(0).name());
    assertEquals(3, ServerFactory.robot(MantisConfig.defaults()).jointCount());
  }

  @Test
  void aConfigNamingNoKnownRobotOrFileIsRefusedWithTheKnownRobots() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerFactory.robot(MantisConfig.defaults().withRobot(Path.of("franka"))));
    assertTrue(
        e.getMessage().contains("ur5e") && e.getMessage().contains("planar3"), e.getMessage());
  }
}
