package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentCommandTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void recordWritesADatasetWithAProgressBar() throws Exception {
    Path out = dir.resolve("ds");
    CliRun r =
        run(
            "latent",
            "record",
            "--out",
            out.toString(),
            "--episodes",
            "4",
            "--size",
            "16",
            "--first-seed",
            "3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("recorded 4 episodes"), r.out());
    assertTrue(r.out().contains("H = 6 frames at 10 fps"), r.out());
    assertTrue(
        r.err().contains("4/4 episodes") && r.err().contains("pairs/s") && r.err().contains("ETA"),
        r.err());
    assertTrue(Files.isRegularFile(out.resolve("dataset.json")));
    assertTrue(Files.isRegularFile(out.resolve("withheld/truth-000.jsonl")));
    CliRun again = run("latent", "record", "--out", out.toString(), "--episodes", "1");
    assertEquals(2, again.code());
    assertTrue(again.err().contains("already holds a dataset"), again.err());
  }

  @Test
  void badArgumentsAreRefusedClearly() {
    Path out = dir.resolve("x");
    CliRun r = run("latent", "record", "--out", out.toString(), "--embodiment", "leg");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--embodiment must be arm, hand or both"), r.err());
    r = run("latent", "record", "--out", out.toString(), "--fps", "7");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("divide the physics rate"), r.err());
    r = run("latent", "record", "--out", out.toString(), "--episodes", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("episodes must be >= 1"), r.err());
    r = run("latent", "record", "--out", out.toString(), "--horizon-s", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("horizon"), r.err());
    r = run("latent", "record");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--out"), r.err());
    assertTrue(Files.notExists(out.resolve("dataset.json")));
  }
}
