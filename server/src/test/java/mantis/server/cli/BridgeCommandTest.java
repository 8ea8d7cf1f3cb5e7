package mantis.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mantis bridge --check-config}: the config checks that can run without ROS. */
class BridgeCommandTest {
  @TempDir Path dir;

  @Test
  void checkConfigPrintsTheResolvedExampleConfig() {
    CliRun run = CliRun.of("bridge", "--check-config", "../ros-bridge/bridge.example.yaml");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains(": OK"), run.out());
    assertTrue(run.out().contains("controller: /arm_controller   # publishes /arm_controller/command"), run.out());
    assertTrue(run.out().contains("joints: [shoulder_joint, elbow_joint, wrist_joint]"), run.out());
    assertTrue(run.out().contains("watchdog_timeout_ms: 100"), run.out());
  }

  @Test
  void checkConfigNamesAnUnknownKeyAndFails() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        topics:
          image: /cam
          controller: /arm_controller
          estp: /e
        robot:
          joints: [a, b, c]
        """);
    CliRun run = CliRun.of("bridge", "--check-config", bad.toString());
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown key 'topics.estp'"), run.err());
  }

  @Test
  void configAndCheckConfigAreExclusiveAndOneIsRequired() {
    assertEquals(2, CliRun.of("bridge").code());
    assertEquals(2, CliRun.of("bridge", "--config", "a.yaml", "--check-config", "b.yaml").code());
    CliRun missing = CliRun.of("bridge", "--config", dir.resolve("none.yaml").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("cannot read bridge config"), missing.err());
  }
}
