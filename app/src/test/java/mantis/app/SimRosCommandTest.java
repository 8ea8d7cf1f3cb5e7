package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimRosCommandTest {
  @Test
  void aMasterThatIsNotAnHttpUriIsAUsageErrorNamingIt() {
    CliRun run = CliRun.of("sim-ros", "--master", "localhost:11311");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("'localhost:11311'"), run.err());
  }

  @Test
  void allFamiliesAtOnceIsAUsageError() {
    CliRun run = CliRun.of("sim-ros", "--master", "http://localhost:11311/", "--family", "all");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("one family"), run.err());
  }

  @Test
  void aBadImageRateIsAUsageError() {
    CliRun run = CliRun.of("sim-ros", "--master", "http://localhost:11311/", "--rate-hz", "0");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("image rate"), run.err());
  }
}
