package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.Observation;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

class WarmupSceneTest {
  @Test
  void theSceneHasATableARedBlockABlueTargetAndADarkArmAtThePolicyInputSize() {
    Observation obs = WarmupScene.observation(RobotSpecs.mantisPlanar3(), 96, 64);
    Frame f = obs.frame();
    assertEquals(96, f.widthPx());
    assertEquals(64, f.heightPx());
    int red = 0;
    int blue = 0;
    int dark = 0;
    int table = 0;
    byte[] rgb = f.rgb();
    for (int i = 0; i < rgb.length; i += 3) {
      int r = rgb[i] & 0xff;
      int g = rgb[i + 1] & 0xff;
      int b = rgb[i + 2] & 0xff;
      if (r > 180 && g < 80 && b < 80) {
        red++;
      } else if (b > 180 && r < 80) {
        blue++;
      } else if (r < 80 && g < 80 && b < 80) {
        dark++;
      } else if (r > 150 && g > 150) {
        table++;
      }
    }
    assertTrue(
        red > 20 && blue > 20 && dark > 20, "red " + red + ", blue " + blue + ", dark " + dark);
    assertTrue(table > rgb.length / 3 / 2, "mostly table: " + table);
    assertEquals(WarmupScene.INSTRUCTION, obs.instruction());
    assertEquals(RobotSpecs.mantisPlanar3().jointNames(), obs.jointState().names());
  }

  @Test
  void jointsSitAtZeroOrAtTheMiddleOfARangeThatExcludesZero() {
    RobotSpec robot =
        new RobotSpec(
            "offset",
            List.of(
                new JointLimits("a", -1, 1, 1, 1),
                new JointLimits("b", 0.5, 1.5, 1, 1),
                new JointLimits("c", -3, -1, 1, 1)));
    double[] q = WarmupScene.observation(robot, 32, 32).jointState().positionsRad();
    assertEquals(0, q[0]);
    assertEquals(1.0, q[1], 1e-12);
    assertEquals(-2.0, q[2], 1e-12);
  }

  @Test
  void aNonPositiveSizeIsRefused() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WarmupScene.observation(RobotSpecs.mantisPlanar3(), 0, 32));
    assertTrue(e.getMessage().contains("0x32"), e.getMessage());
  }
}
