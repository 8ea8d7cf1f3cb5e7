package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mantis.model.bundle.ModelBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: bind failures printed raw stack traces without naming the port, and a bundle whose
 * weights give NaN was served. {@code mantis serve} now ends with one line and exit code 2 in both
 * cases.
 */
class ServeFailuresTest {
  @TempDir Path dir;

  private static ServerSocket busy() throws Exception {
    return new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
  }

  private static void assertOneLineNoTrace(CliRun r, String expected) {
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    assertEquals(1, r.err().lines().filter(l -> l.startsWith("mantis serve:")).count(), r.err());
  }

  @Test
  void aBusyGrpcPortIsOneLineNamingTheAddressAndExitCodeTwo() throws Exception {
    try (ServerSocket taken = busy()) {
      int port = taken.getLocalPort();
      CliRun r =
          CliRun.of(
              "serve",
              "--policy",
              "hold",
              "--port",
              "" + port,
              "--metrics-port",
              "-1",
              "--dashboard-port",
              "-1");
      assertOneLineNoTrace(
          r,
          "mantis serve: cannot bind 127.0.0.1:"
              + port
              + ": address already in use (another mantis serve? choose another port with --port)");
    }
  }

  @Test
  void aBusyMetricsPortIsOneLineNamingTheEndpoint() throws Exception {
    try (ServerSocket taken = busy()) {
      int port = taken.getLocalPort();
      CliRun r =
          CliRun.of(
              "serve",
              "--policy",
              "hold",
              "--port",
              "0",
              "--metrics-port",
              "" + port,
              "--dashboard-port",
              "-1");
      assertOneLineNoTrace(
          r,
          "mantis serve: cannot bind the metrics endpoint 127.0.0.1:"
              + port
              + ": address already in use (another mantis serve? choose another port with --metrics-port)");
    }
  }

  @Test
  void aBusyDashboardPortIsOneLineNamingTheDashboard() throws Exception {
    try (ServerSocket taken = busy()) {
      int port = taken.getLocalPort();
      CliRun r =
          CliRun.of(
              "serve",
              "--policy",
              "hold",
              "--port",
              "0",
              "--metrics-port",
              "-1",
              "--dashboard-port",
              "" + port);
      assertOneLineNoTrace(
          r,
          "mantis serve: cannot bind the dashboard 127.0.0.1:"
              + port
              + ": address already in use (another mantis serve? choose another port with --dashboard-port");
    }
  }

  /**
   * The shipped bundle with every weight overwritten with NaN, and the card's SHA-256 updated to
   * match.
   */
  private Path nanBundle() throws Exception {
    Path src = ShippedBundleTest.BUNDLE;
    Path out = dir.resolve("nan-bundle");
    Files.createDirectories(out);
    try (var files = Files.list(src)) {
      for (Path f : files.toList()) {
        Files.copy(f, out.resolve(f.getFileName()));
      }
    }
    byte[] weights = Files.readAllBytes(src.resolve("weights.bin"));
    ByteArrayOutputStream nan = new ByteArrayOutputStream();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights));
        DataOutputStream o = new DataOutputStream(nan)) {
      o.writeInt(in.readInt()); // magic
      int count = in.readInt();
      o.writeInt(count);
      for (int p = 0; p < count; p++) {
        o.writeUTF(in.readUTF());
        int len = in.readInt();
        o.writeInt(len);
        for (int i = 0; i < len; i++) {
          in.readInt();
          o.writeInt(Float.floatToRawIntBits(Float.NaN));
        }
      }
    }
    Files.write(out.resolve("weights.bin"), nan.toByteArray());
    Path card = out.resolve("model-card.json");
    String json =
        Files.readString(card, StandardCharsets.UTF_8)
            .replace(ModelBundle.sha256Hex(weights), ModelBundle.sha256Hex(nan.toByteArray()));
    Files.writeString(card, json, StandardCharsets.UTF_8);
    return out;
  }

  @Test
  void aBundleWhoseWeightsAreNanIsRefusedAtWarmUpWithExitCodeTwo() throws Exception {
    Path bundle = nanBundle();
    CliRun r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(180),
            () ->
                CliRun.of(
                    "serve",
                    "--policy",
                    "bundle:" + bundle,
                    "--port",
                    "0",
                    "--metrics-port",
                    "-1",
                    "--dashboard-port",
                    "-1"));
    assertOneLineNoTrace(r, "mantis serve: --policy bundle:" + bundle + ": policy mantis");
    // The shipped bundle plans the tip's path (its goal-frame plan) and is served through the
    // embodiment-neutral path, whose joint targets come from that plan and inverse kinematics and
    // stay finite; the network's own traces are what the NaN weights poison.
    assertTrue(
        r.err()
            .contains(
                "refused: its output is not finite at warm-up prediction 1 of 5 (16 of 36 trace "
                    + "coordinates"),
        r.err());
    assertTrue(r.err().contains("not serving (health NOT_SERVING)"), r.err());
  }
}
