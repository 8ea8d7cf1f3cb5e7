package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mantis.core.RobotSpecs;
import mantis.security.ServerSecurity;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardWiringTest {
  @TempDir Path dir;

  @Tag("slow")
  @Test
  void serveWiresASimTeleopToTheSameServerInProcessBehindTheDashboard() throws Exception {
    MantisConfig cfg =
        MantisConfig.defaults().withPolicy("visual-servo").withPort(0).withMetricsPort(-1);
    String name = "dashboard-wiring-" + System.nanoTime();
    try (MantisServer server = ServerFactory.build(cfg, null, name)) {
      server.start();
      assertTrue(server.awaitServing(60, TimeUnit.SECONDS));
      DashboardOptions options = new DashboardOptions();
      options.recordings = dir;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (DashboardOptions.Running dash =
          options.start(
              name, 0, cfg.policyInputPx(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("teleop dashboard at " + dash.dashboard.url()), printed);
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        JsonNode state =
            json.readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create(dash.dashboard.url() + "api/state"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        assertEquals(3, state.get("jointNames").size());
        // The shadow policy answers through the in-process listener: its stage timings show up.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (state.get("stageMillis").isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(100);
          state =
              json.readTree(
                  http.send(
                          HttpRequest.newBuilder(URI.create(dash.dashboard.url() + "api/state"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
        }
        assertTrue(state.get("stageMillis").has("policy"), state.get("stageMillis").toString());
      }
    }
  }

  @Test
  void aBadDashboardPortIsAUsageError() {
    CliRun r =
        CliRun.of("serve", "--dashboard-port", "70000", "--port", "0", "--metrics-port", "-1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--dashboard-port"), r.err());
  }

  @Test
  void anEmptyTokenOffLoopbackIsRefusedBeforeAnythingStarts() {
    CliRun r =
        CliRun.of(
            "serve",
            "--dashboard-host",
            "0.0.0.0",
            "--dashboard-token",
            "",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("non-empty token"), r.err());
    assertTrue(
        !r.err().contains("cannot load policy bundle"),
        "refused before the policy loads: " + r.err());
  }

  @Test
  void offLoopbackThePrintedAddressCarriesNoTokenAndTheTokenIsPrintedApart() throws Exception {
    MantisConfig cfg = MantisConfig.defaults().withPolicy("hold").withPort(0).withMetricsPort(-1);
    String name = "dashboard-wiring-token-" + System.nanoTime();
    try (MantisServer server = ServerFactory.build(cfg, null, name)) {
      server.start();
      assertTrue(server.awaitServing(60, TimeUnit.SECONDS));
      DashboardOptions options = new DashboardOptions();
      options.recordings = dir;
      options.host = "0.0.0.0";
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      // Plain HTTP off loopback needs --insecure (the gRPC exposure rule; HTTPS: DashboardTlsTest).
      try (DashboardOptions.Running dash =
          options.start(
              name,
              0,
              cfg.policyInputPx(),
              RobotSpecs.mantisPlanar3(),
              ServerSecurity.builder().optInsecure(true).build(),
              new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("teleop dashboard at " + dash.dashboard.url() + "\n"), printed);
        assertTrue(!printed.contains("?token="), "no token in the address to open: " + printed);
        assertTrue(
            printed.contains(
                "dashboard token (generated for this run; --dashboard-token-file sets one): "
                    + dash.dashboard.token()),
            printed);
        assertEquals(dash.dashboard.url(), dash.openUrl());
      }
    }
  }

  @Test
  void aMalformedAllowedHostIsRefusedBeforeAnythingStarts() {
    CliRun r =
        CliRun.of(
            "serve",
            "--dashboard-host",
            "0.0.0.0",
            "--dashboard-allowed-hosts",
            "dash.example,http://x:1/",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--dashboard-allowed-hosts: 'http://x:1/'"), r.err());
    assertTrue(
        !r.err().contains("cannot load policy bundle"),
        "refused before the policy loads: " + r.err());
  }

  @Test
  void aShortDashboardTokenOrBothTokenFlagsAreRefusedBeforeAnythingStarts() throws Exception {
    CliRun r =
        CliRun.of(
            "serve",
            "--dashboard-token",
            "1",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("at least 16"), r.err());
    assertTrue(
        !r.err().contains("cannot load policy bundle"),
        "refused before the policy loads: " + r.err());
    Path file = dir.resolve("dashboard.token");
    Files.writeString(file, "\n  short-token \n");
    r =
        CliRun.of(
            "serve",
            "--dashboard-token-file",
            file.toString(),
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(
        r.err().contains("--dashboard-token-file " + file) && r.err().contains("at least 16"),
        r.err());
    r =
        CliRun.of(
            "serve",
            "--dashboard-token-file",
            file.toString(),
            "--dashboard-token",
            "0123456789abcdef",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("not both"), r.err());
    r =
        CliRun.of(
            "serve",
            "--dashboard-token-file",
            dir.resolve("missing").toString(),
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("no such file"), r.err());
  }

  @Test
  void theTokenOfADashboardTokenFileIsAskedForOnLoopbackToo() throws Exception {
    MantisConfig cfg = MantisConfig.defaults().withPolicy("hold").withPort(0).withMetricsPort(-1);
    String name = "dashboard-wiring-token-file-" + System.nanoTime();
    Path file = dir.resolve("dashboard.token");
    Files.writeString(file, "kJ8s-dashboard-token-from-a-file\n");
    try (MantisServer server = ServerFactory.build(cfg, null, name)) {
      server.start();
      assertTrue(server.awaitServing(60, TimeUnit.SECONDS));
      DashboardOptions options = new DashboardOptions();
      options.recordings = dir;
      options.tokenFile = file;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (DashboardOptions.Running dash =
          options.start(
              name, 0, cfg.policyInputPx(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(
            printed.contains("asks for the token given with --dashboard-token-file"), printed);
        assertTrue(
            !printed.contains("kJ8s-dashboard-token-from-a-file"),
            "the token is not printed: " + printed);
        HttpClient http = HttpClient.newHttpClient();
        URI state = URI.create(dash.dashboard.url() + "api/state");
        assertEquals(
            401,
            http.send(HttpRequest.newBuilder(state).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        assertEquals(
            200,
            http.send(
                    HttpRequest.newBuilder(state)
                        .header("Authorization", "Bearer kJ8s-dashboard-token-from-a-file")
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
      }
    }
  }
}
