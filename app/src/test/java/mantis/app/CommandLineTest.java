package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mantis command end to end, in this JVM. */
class CommandLineTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void simRunsSeededEpisodesAgainstARunningServerAndRecordsThem() throws Exception {
    MantisConfig cfg =
        MantisConfig.defaults()
            .withHost("127.0.0.1")
            .withPort(0)
            .withMetricsPort(-1)
            .withPolicy(
                "visual-servo"); // the default is the learned policy; this test checks the baseline
    try (MantisServer server = ServerFactory.build(cfg, null)) {
      server.start();
      assertTrue(server.awaitServing(30, TimeUnit.SECONDS));
      Path rec = dir.resolve("episodes");
      CliRun r =
          run(
              "sim",
              "--target",
              "127.0.0.1:" + server.port(),
              "--family",
              "reach",
              "--episodes",
              "3",
              "--first-seed",
              "40",
              "--record",
              rec.toString());
      assertEquals(0, r.code(), r.err());
      Matcher m = Pattern.compile("reach\\s+3\\s+(\\d)\\s+").matcher(r.out());
      assertTrue(m.find(), r.out());
      assertTrue(
          Integer.parseInt(m.group(1)) >= 2, "the baseline reaches most objects: " + r.out());
      assertTrue(r.out().contains("95% CI (Wilson)") && r.out().contains("p99 ms"), r.out());
      assertTrue(r.err().contains("[reach 3/3] seed 42"), "progress while running: " + r.err());
      try (Stream<Path> eps = Files.list(rec)) {
        assertEquals(3, eps.count());
      }
      assertTrue(Files.size(rec.resolve("reach-40").resolve("steps.jsonl")) > 0);
      assertTrue(Files.exists(rec.resolve("reach-40").resolve("episode.json")));
    }
  }

  @Test
  void demoDrivesEveryFamilyThroughAnInProcessServer() {
    CliRun r = run("demo", "--episodes", "1");
    assertEquals(0, r.code(), r.err());
    for (String family : new String[] {"reach", "push_direction", "push_to_target", "all"}) {
      assertTrue(
          Pattern.compile("(?m)^" + family + "\\s+\\d+\\s+\\d+").matcher(r.out()).find(), r.out());
    }
  }

  @Test
  void simReportsAnUnreachableServerWithoutAStackTrace() {
    CliRun r = run("sim", "--target", "127.0.0.1:1", "--episodes", "1", "--wait-s", "1");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("mantis sim:"), r.err());
    assertTrue(!r.err().contains("\tat "), r.err());
  }

  @Test
  void serveRejectsAnUnknownPolicyWithExitCodeTwo() {
    CliRun r = run("serve", "--policy", "telepathy");
    assertEquals(2, r.code());
    assertTrue(
        r.err()
            .contains(
                "policy must be one of [bundle:DIR, hold, mantis, no-op, random, visual-servo], got telepathy"),
        r.err());
  }

  @Test
  void serveAndDemoHelpListThePolicyRegistrysNames() {
    for (String command : new String[] {"serve", "demo"}) {
      CliRun r = run(command, "--help");
      assertEquals(0, r.code());
      String help = r.out().replaceAll("\\s+", " ");
      assertTrue(
          help.contains(
              "--policy=<policy> bundle:DIR, hold, mantis, no-op, random, visual-servo (default mantis: "
                  + "the bundled model models/policy/default)."),
          r.out());
    }
  }

  @Test
  void anUnknownFamilyIsAUsageError() {
    CliRun r = run("sim", "--family", "juggle");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown family 'juggle'"), r.err());
  }
}
