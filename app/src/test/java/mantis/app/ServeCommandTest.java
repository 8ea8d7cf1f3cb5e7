package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import mantis.server.config.MantisConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void flagsOverrideTheConfigFileWhichOverridesTheDefaults() throws Exception {
    Path yaml = dir.resolve("m.yaml");
    Files.writeString(yaml, "port: 6000\npolicy: hold\nwatchdog_timeout_ms: 300\n");
    MantisConfig c = ServeCommand.resolve(yaml, null, 7000, null, null, "0.0.0.0", 9100, null);
    assertEquals(7000, c.port(), "flag beats file");
    assertEquals("hold", c.policy(), "file beats default");
    assertEquals(300, c.watchdogTimeoutMs());
    assertEquals("0.0.0.0", c.metricsHost());
    assertEquals(9100, c.metricsPort());
    assertEquals(MantisConfig.defaults().drainTimeoutMs(), c.drainTimeoutMs(), "default otherwise");
  }

  @Test
  void withoutAFileFlagsApplyToTheDefaults() throws Exception {
    MantisConfig c =
        ServeCommand.resolve(null, "127.0.0.1", null, "visual-servo", null, null, -1, 50L);
    assertEquals("127.0.0.1", c.host());
    assertEquals(50051, c.port());
    assertEquals(-1, c.metricsPort());
    assertEquals(50, c.watchdogTimeoutMs());
  }

  @Test
  void aBundleThatCannotBeLoadedOrABadBatchSettingIsAUsageErrorWithoutAStackTrace() {
    CliRun r =
        CliRun.of(
            "serve",
            "--policy",
            "bundle:" + dir.resolve("missing"),
            "--port",
            "0",
            "--metrics-port",
            "-1");
    assertEquals(2, r.code());
    assertTrue(
        r.err().contains("cannot load policy bundle") && r.err().contains("model-card.json"),
        r.err());
    assertTrue(!r.err().contains("\tat "), r.err());
    CliRun b = CliRun.of("serve", "--max-batch", "0", "--port", "0", "--metrics-port", "-1");
    assertEquals(2, b.code());
    assertTrue(b.err().contains("max_batch must be 1..1024"), b.err());
  }
}
