package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mantis eval --robot}: the arm the episodes, the server and the policies are made for. */
class EvalRobotTest {
  @TempDir Path dir;

  @Test
  void anUnknownRobotIsRejectedWithTheKnownNamesAndExitCodeTwo() {
    CliRun run = CliRun.of("eval", "--robot", "hal9000", "--episodes", "1");
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("--robot: unknown robot 'hal9000'"), run.err());
    assertTrue(run.err().contains("known robots: planar3, ur5e"), run.err());
  }

  @Test
  void theRobotOptionParsesItsNamesAndDefaultsToThePlanarArm() {
    assertEquals("planar3", EvalCommand.canonicalRobot("planar3"));
    assertEquals("ur5e", EvalCommand.canonicalRobot("UR5E"));
    assertEquals("ur5e", EvalCommand.canonicalRobot("mantis-ur5e"));
    assertEquals("planar3", EvalCommand.canonicalRobot("mantis-planar-3"));
    EvalCommand cmd = new EvalCommand();
    new picocli.CommandLine(cmd).parseArgs();
    assertEquals("planar3", cmd.robot);
  }

  @Test
  void theVisualServoBaselineAndTheLearnedModelRunOnTheSixJointArm() throws Exception {
    Path json = dir.resolve("ur5e.json");
    CliRun run =
        CliRun.of(
            "eval",
            "--robot",
            "ur5e",
            "--policies",
            "visual-servo,mantis",
            "--family",
            "reach",
            "--episodes",
            "2",
            "--first-seed",
            "1000000",
            "--streams",
            "2",
            "--json",
            json.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("Closed-loop evaluation on ur5e"), run.out());
    assertTrue(
        run.out().contains("mantis: embodiment-neutral path (mantis-planar-3 -> mantis-ur5e)"),
        run.out());
    JsonNode root = new ObjectMapper().readTree(Files.readString(json));
    assertEquals("ur5e", root.get("robot").asText());
    for (JsonNode p : root.get("policies")) {
      assertEquals(2, p.get("meanOverFamilies").get("episodes").asInt(), p.toString());
    }
    // Reaching with the baseline on the 6-joint arm works (the sim's chunks were 6-joint ones).
    JsonNode servo = root.get("policies").get(0);
    assertEquals("visual-servo", servo.get("policy").asText());
    assertTrue(servo.get("meanOverFamilies").get("successes").asInt() >= 1, servo.toString());
  }
}
