package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import mantis.security.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mantis serve}'s dashboard under the server's security flags, in a child JVM: the tokens of
 * {@code --tokens-file} with their roles, the {@code --audit-log}, HTTPS with {@code --tls-cert},
 * and the exposure rule. The first test is the finding of 1d41b63 (one shared dashboard token with
 * every right, no audit): it uses only flags that exist on main before this change, and fails there
 * (the dashboard stayed open on loopback and anyone could reset an e-stop).
 */
class DashboardServeSecurityTest {
  private static final Pattern DASHBOARD = Pattern.compile("teleop dashboard at (\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private String token(Path tokens, String name, String role) {
    CliRun r =
        CliRun.of(
            "token", "create", "--name", name, "--role", role, "--tokens-file", tokens.toString());
    assertEquals(0, r.code(), r.err());
    return r.out().strip();
  }

  /** The dashboard's address as the command prints it, once it is up. */
  private static String dashboardUrl(ServeProcess p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = DASHBOARD.matcher(p.stdout());
      if (m.find()) {
        return m.group(1);
      }
      if (!p.process.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no dashboard address printed:\n" + p.stdout() + "\n" + p.stderr());
  }

  private static HttpResponse<String> post(HttpClient http, String url, String token, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonNode> audit(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void aViewerTokenOfTheServerMayEStopTheDashboardsArmButNotResetItAndBothAreAudited()
      throws Exception {
    Path tokens = dir.resolve("tokens.yaml");
    String viewer = token(tokens, "lab-viewer", "viewer");
    String admin = token(tokens, "lab-admin", "admin");
    Path auditFile = dir.resolve("audit.jsonl");
    HttpClient http = HttpClient.newHttpClient();
    try (ServeProcess p =
        ServeProcess.start(
            dir,
            "--tokens-file",
            tokens.toString(),
            "--audit-log",
            auditFile.toString(),
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "0",
            "--policy",
            "hold",
            "--recordings",
            dir.resolve("rec").toString())) {
      assertTrue(p.port > 0, p.stderr());
      String url = dashboardUrl(p);
      assertTrue(url.startsWith("http://127.0.0.1:"), url);

      HttpResponse<String> estop =
          post(http, url + "api/estop", viewer, "{\"reason\":\"viewer saw a hand\"}");
      assertEquals(200, estop.statusCode(), estop.body());
      HttpResponse<String> reset = post(http, url + "api/reset", viewer, "{}");
      assertEquals(403, reset.statusCode(), "a viewer cannot clear the e-stop: " + reset.body());
      assertTrue(reset.body().contains("needs role admin"), reset.body());
      HttpResponse<String> jog = post(http, url + "api/jog", viewer, "{\"velocities\":[0.3,0,0]}");
      assertEquals(403, jog.statusCode(), jog.body());
      JsonNode state =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(url + "api/state"))
                          .header("Authorization", "Bearer " + viewer)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertTrue(state.get("estopped").asBoolean(), "still latched");
      assertEquals(200, post(http, url + "api/reset", admin, "{}").statusCode());

      HttpResponse<String> anonymous =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "api/state")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(
          401,
          anonymous.statusCode(),
          "with the server's tokens the dashboard is not open, even on loopback: "
              + anonymous.body());
      assertTrue(
          p.stdout().contains("the dashboard asks for one of the server's tokens"), p.stdout());
    }
    String text = Files.readString(auditFile, StandardCharsets.UTF_8);
    assertFalse(text.contains(viewer) || text.contains(admin), "no token in the audit log");
    List<JsonNode> lines = audit(auditFile);
    JsonNode estop =
        lines.stream()
            .filter(n -> n.get("event").asText().equals("ESTOP"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ESTOP line:\n" + text));
    assertEquals("lab-viewer", estop.get("principal").asText());
    assertEquals("viewer", estop.get("role").asText());
    assertEquals("viewer saw a hand", estop.get("detail").asText());
    assertTrue(estop.get("peer").asText().startsWith("127.0.0.1:"), estop.toString());
    JsonNode resetLine =
        lines.stream()
            .filter(n -> n.get("event").asText().equals("RESET"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no RESET line:\n" + text));
    assertEquals("lab-admin", resetLine.get("principal").asText());
    assertTrue(
        lines.stream()
            .anyMatch(
                n ->
                    n.get("event").asText().equals("AUTH_DENIED")
                        && n.path("principal").asText().equals("lab-viewer")
                        && n.get("detail")
                            .asText()
                            .startsWith("PERMISSION_DENIED POST /api/reset")),
        text);
  }

  @Test
  void withTheServersTlsFilesTheDashboardServesHttpsOnEveryInterface() throws Exception {
    TestCertificates certs = TestCertificates.create(dir.resolve("pki"));
    Path tokens = dir.resolve("tokens.yaml");
    String operator = token(tokens, "lab-operator", "operator");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.ca)) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
    try (ServeProcess p =
        ServeProcess.start(
            dir,
            "--tls-cert",
            certs.server.cert().toString(),
            "--tls-key",
            certs.server.key().toString(),
            "--tokens-file",
            tokens.toString(),
            "--dashboard-host",
            "0.0.0.0",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "0",
            "--policy",
            "hold",
            "--recordings",
            dir.resolve("rec").toString())) {
      assertTrue(p.port > 0, p.stderr());
      String url = dashboardUrl(p);
      assertTrue(url.startsWith("https://"), url);
      assertFalse(p.stderr().contains("WARNING"), p.stderr());
      String port = url.substring(url.lastIndexOf(':') + 1, url.length() - 1);
      HttpResponse<String> r =
          post(
              https,
              "https://127.0.0.1:" + port + "/api/jog",
              operator,
              "{\"velocities\":[0.3,0,0]}");
      assertEquals(200, r.statusCode(), r.body());
    }
  }

  @Test
  void offLoopbackOverPlainHttpTheDashboardIsRefusedBeforeAnythingLoads() {
    CliRun r =
        CliRun.of(
            "serve",
            "--dashboard-host",
            "0.0.0.0",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(
        r.err()
            .contains(
                "refusing to serve the teleop dashboard on every network interface (0.0.0.0) over "
                    + "plain HTTP"),
        r.err());
    assertTrue(r.err().contains("--tls-cert") && r.err().contains("--insecure"), r.err());
    assertFalse(
        r.err().contains("cannot load policy bundle"),
        "refused before the policy loads: " + r.err());
  }

  @Test
  void demoRefusesAPlainHttpDashboardOffLoopbackWithoutInsecureToo() {
    CliRun r = CliRun.of("demo", "--dashboard", "--dashboard-host", "0.0.0.0", "--episodes", "1");
    assertEquals(2, r.code(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "mantis demo: refusing to serve the teleop dashboard on every network interface"),
        r.err());
    assertFalse(r.out().contains("Demo:"), "refused before any episode ran: " + r.out());
  }

  @Test
  void aDashboardTokenNextToTheServersTokensIsAUsageError() {
    Path tokens = dir.resolve("tokens.yaml");
    token(tokens, "lab-viewer", "viewer");
    CliRun r =
        CliRun.of(
            "serve",
            "--tokens-file",
            tokens.toString(),
            "--dashboard-token",
            "shared",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--policy",
            "bundle:" + dir.resolve("never-loaded"));
    assertEquals(2, r.code(), r.err());
    assertTrue(
        r.err().contains("--dashboard-token cannot be used together with the server's tokens"),
        r.err());
    assertFalse(r.err().contains("cannot load policy bundle"), r.err());
  }
}
