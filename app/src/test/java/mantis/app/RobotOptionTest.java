package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code mantis expert --robot} and {@code mantis sim --robot}. */
class RobotOptionTest {
  @Test
  void expertRunsTheScriptedExpertOnTheSixJointArm() {
    CliRun r =
        CliRun.of(
            "expert",
            "--robot",
            "ur5e",
            "--family",
            "reach",
            "--episodes",
            "2",
            "--first-seed",
            "500");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Scripted expert, ARM ur5e, 2 episodes"), r.out());
    assertTrue(
        Pattern.compile("(?m)^reach\\s+2\\s+2\\s+100\\.0%").matcher(r.out()).find(), r.out());
  }

  @Test
  void expertAndSimRejectAnUnknownRobotWithExitCodeTwo() {
    for (String command : new String[] {"expert", "sim"}) {
      CliRun r = CliRun.of(command, "--robot", "kuka", "--episodes", "1");
      assertEquals(2, r.code(), command + ": " + r.err());
      assertTrue(r.err().contains("mantis " + command + ": unknown robot 'kuka'"), r.err());
      assertTrue(r.err().contains("planar3, ur5e"), r.err());
      assertTrue(!r.err().contains("\tat "), r.err());
    }
  }
}
