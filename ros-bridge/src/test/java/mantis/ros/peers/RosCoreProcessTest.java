package mantis.ros.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("ros")
class RosCoreProcessTest {
  @Test
  void aRoscoreStartsAnswersDiesWhenKilledAndComesBackOnTheSamePort() throws Exception {
    RosInstallation ros = RequireRos.installation();
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros)) {
      core.start();
      assertTrue(core.isUp());
      try (RosProcess list = RosProcess.rostopic(ros, core.environment(), "list")) {
        assertEquals(0, list.waitFor(Duration.ofSeconds(20)), list.output());
        assertTrue(list.output().contains("/rosout"), list.output());
      }
      core.kill();
      assertFalse(core.isUp());
      core.start();
      assertTrue(core.isUp());
    }
  }
}
