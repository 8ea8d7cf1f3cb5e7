package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --dashboard-arm}: a bridged arm's flags are checked before anything starts. */
class DashboardArmOptionsTest {
  @TempDir Path dir;

  private CliRun serve(String... extra) {
    String[] base = {
      "serve",
      "--port",
      "0",
      "--metrics-port",
      "-1",
      "--dashboard-port",
      "0",
      "--policy",
      "bundle:" + dir.resolve("never-loaded")
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CliRun.of(args);
  }

  private static void assertUsageError(CliRun r, String expected) {
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertFalse(
        r.err().contains("cannot load policy bundle"),
        "refused before the policy loads: " + r.err());
  }

  @Test
  void anUnknownArmIsAUsageError() {
    assertUsageError(serve("--dashboard-arm", "robot"), "--dashboard-arm must be sim or bridge");
  }

  @Test
  void aBridgedArmWithoutItsArmServiceIsAUsageError() {
    assertUsageError(
        serve(
            "--dashboard-arm",
            "bridge",
            "--ros-master",
            "http://127.0.0.1:11311/",
            "--camera-topic",
            "/camera/image_raw"),
        "needs --arm-service HOST:PORT");
  }

  @Test
  void aBridgedArmWithoutACameraTopicIsAUsageError() {
    assertUsageError(
        serve(
            "--dashboard-arm",
            "bridge",
            "--arm-service",
            "127.0.0.1:50052",
            "--ros-master",
            "http://127.0.0.1:11311/"),
        "needs --camera-topic");
  }

  @Test
  void aMalformedArmServiceOrMasterIsAUsageError() {
    assertUsageError(
        serve(
            "--dashboard-arm",
            "bridge",
            "--arm-service",
            "bridge-host",
            "--ros-master",
            "http://127.0.0.1:11311/",
            "--camera-topic",
            "/camera/image_raw"),
        "HOST:PORT");
    assertUsageError(
        serve(
            "--dashboard-arm",
            "bridge",
            "--arm-service",
            "127.0.0.1:50052",
            "--ros-master",
            "ftp://127.0.0.1:11311/",
            "--camera-topic",
            "/camera/image_raw"),
        "http://host:port/");
  }
}
