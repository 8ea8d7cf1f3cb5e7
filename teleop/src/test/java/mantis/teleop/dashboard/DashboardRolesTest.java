package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mantis.security.AuditLog;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles on the dashboard, from the same token store as the gRPC services: a viewer may watch and
 * e-stop, an operator may also move the arm, only an admin may reset an e-stop. On 1d41b63 the
 * dashboard had one token with every right, and no audit log.
 */
class DashboardRolesTest {
  static final String VIEWER = TokenStore.newToken();
  static final String OPERATOR = TokenStore.newToken();
  static final String ADMIN = TokenStore.newToken();
  static final TokenStore TOKENS =
      TokenStore.of(
          List.of(
              TokenEntry.forToken("lab-viewer", Role.VIEWER, VIEWER),
              TokenEntry.forToken("lab-operator", Role.OPERATOR, OPERATOR),
              TokenEntry.forToken("lab-admin", Role.ADMIN, ADMIN)));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> MOVES =
      List.of(
          "/api/jog", "/api/mode", "/api/episode", "/api/recordings/start", "/api/recordings/stop");

  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private FakeTeleop teleop;
  private AuditLog audit;
  private Path auditFile;
  private DashboardServer dash;
  private String base;

  @BeforeEach
  void start() throws Exception {
    teleop = new FakeTeleop();
    auditFile = dir.resolve("audit.jsonl");
    audit = AuditLog.open(auditFile);
    dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optPort(0)
            .optClock(nanos::get)
            .optSecurity(ServerSecurity.builder().optTokens(TOKENS).optAuditLog(audit).build())
            .build()
            .start();
    base = "http://127.0.0.1:" + dash.port();
  }

  @AfterEach
  void stop() {
    dash.close();
    audit.close();
  }

  private static String body(String path) {
    return switch (path) {
      case "/api/jog" -> "{\"velocities\":[0.5,0,0],\"hold_ms\":200}";
      case "/api/mode" -> "{\"mode\":\"POLICY\"}";
      case "/api/episode" -> "{\"family\":\"reach\",\"seed\":4}";
      case "/api/estop" -> "{\"reason\":\"hand in the cell\"}";
      default -> "{}";
    };
  }

  private HttpResponse<String> post(String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(path)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String token, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<JsonNode> audit() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(auditFile, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void aViewerCannotResetAnEStopItLatchedButAnAdminCan() throws Exception {
    assertEquals(
        200,
        post(VIEWER, "/api/estop").statusCode(),
        "e-stop: any authenticated user, as gRPC EStop");
    assertTrue(teleop.state().estopped());

    HttpResponse<String> reset = post(VIEWER, "/api/reset");
    assertEquals(403, reset.statusCode(), reset.body());
    assertTrue(
        reset.body().contains("needs role admin")
            && reset.body().contains("'lab-viewer' has role viewer"),
        reset.body());
    assertTrue(teleop.state().estopped(), "the latch holds");

    HttpResponse<String> byOperator = post(OPERATOR, "/api/reset");
    assertEquals(403, byOperator.statusCode());
    assertTrue(byOperator.body().contains("needs role admin"), byOperator.body());
    assertTrue(teleop.state().estopped());

    assertEquals(200, post(ADMIN, "/api/reset").statusCode());
    assertFalse(teleop.state().estopped());
    assertEquals(List.of("estop hand in the cell", "reset"), teleop.calls);
    assertEquals(List.of("lab-viewer viewer", "lab-admin admin"), teleop.callers);
  }

  @Test
  void aViewerMayWatchButNotMoveTheArm() throws Exception {
    for (String path : List.of("/api/state", "/api/frame.png", "/api/recordings", "/api/session")) {
      assertEquals(200, get(VIEWER, path).statusCode(), path);
    }
    for (String path : MOVES) {
      HttpResponse<String> r = post(VIEWER, path);
      assertEquals(403, r.statusCode(), path + ": " + r.body());
      assertTrue(
          r.body().contains("needs role operator or higher") && r.body().contains("POST " + path),
          r.body());
    }
    assertTrue(teleop.calls.isEmpty(), "nothing reached the arm: " + teleop.calls);
  }

  @Test
  void anOperatorMovesTheArmAndAScriptUsesTheSameBearerTokens() throws Exception {
    for (String path : MOVES) {
      HttpResponse<String> r = post(OPERATOR, path);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
    }
    assertEquals(5, teleop.callers.size());
    assertTrue(
        teleop.callers.stream().allMatch(c -> c.equals("lab-operator operator")),
        teleop.callers.toString());
  }

  @Test
  void withTheServersTokensEvenLoopbackNeedsALoginAsGrpcDoes() throws Exception {
    assertTrue(dash.tokenRequired());
    assertTrue(dash.roleTokens());
    assertNull(dash.token(), "no dashboard token of its own");
    assertEquals(401, get(null, "/api/state").statusCode());
    assertEquals(401, get("not-a-token", "/api/state").statusCode());
    HttpResponse<String> page = get(null, "/");
    assertEquals(401, page.statusCode());
    assertTrue(page.body().contains("login-form"), "the login page");
  }

  @Test
  void theLoginCarriesTheTokensNameAndRoleToThePageAndTheApi() throws Exception {
    HttpResponse<String> login =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", base)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "token=" + URLEncoder.encode(VIEWER, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(303, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    String session = cookie.substring(0, cookie.indexOf(';'));

    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", session).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("data-role=\"viewer\""), "the page knows the role");
    assertTrue(page.body().contains("data-may=\"watch estop\""), "and what it may do");
    assertTrue(page.body().contains("lab-viewer · viewer"), "and shows who is logged in");

    JsonNode who =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/session"))
                        .header("Cookie", session)
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertEquals("lab-viewer", who.get("name").asText());
    assertEquals("viewer", who.get("role").asText());
    assertEquals(List.of("watch", "estop"), JSON.convertValue(who.get("may"), List.class));

    HttpResponse<String> jog =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/jog"))
                .header("Cookie", session)
                .header("Origin", base)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("/api/jog")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, jog.statusCode(), "the cookie carries the role too: " + jog.body());

    JsonNode admin = JSON.readTree(get(ADMIN, "/api/session").body());
    assertEquals(
        List.of("watch", "estop", "jog", "mode", "episode", "record", "reset"),
        JSON.convertValue(admin.get("may"), List.class));
  }

  @Test
  void loginsRefusalsAndActionsAreAuditedWithoutTheToken() throws Exception {
    HttpResponse<String> wrong =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString("token=guessed-" + VIEWER.substring(3, 10)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, wrong.statusCode());
    nanos.addAndGet(DashboardServer.DENIAL_AUDIT_INTERVAL_NANOS);
    HttpResponse<String> ok =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + OPERATOR))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(303, ok.statusCode());
    assertEquals(403, post(OPERATOR, "/api/reset").statusCode());
    assertEquals(
        403,
        post(VIEWER, "/api/jog")
            .statusCode()); // within 10 s of the last line: counted, not written
    nanos.addAndGet(DashboardServer.DENIAL_AUDIT_INTERVAL_NANOS);
    assertEquals(403, post(VIEWER, "/api/mode").statusCode());

    String text = Files.readString(auditFile, StandardCharsets.UTF_8);
    for (String token : List.of(VIEWER, OPERATOR, ADMIN, VIEWER.substring(3, 10))) {
      assertFalse(text.contains(token), "no token (nor part of one) in the audit log:\n" + text);
    }
    List<JsonNode> lines = audit();
    List<JsonNode> denied =
        lines.stream().filter(n -> n.get("event").asText().equals("AUTH_DENIED")).toList();
    assertEquals(3, denied.size(), text);
    assertTrue(
        denied
            .get(0)
            .get("detail")
            .asText()
            .startsWith("UNAUTHENTICATED dashboard login form: wrong token"),
        text);
    assertTrue(denied.get(0).has("peer"), text);
    assertEquals("lab-operator", denied.get(1).get("principal").asText());
    assertTrue(
        denied.get(1).get("detail").asText().startsWith("PERMISSION_DENIED POST /api/reset"), text);
    assertEquals(0, denied.get(1).get("suppressed").asLong());
    assertEquals("lab-viewer", denied.get(2).get("principal").asText());
    assertEquals(
        1, denied.get(2).get("suppressed").asLong(), "the jog refusal held back in between");
    List<JsonNode> logins =
        lines.stream().filter(n -> n.get("event").asText().equals("LOGIN")).toList();
    assertEquals(1, logins.size(), text);
    assertEquals("lab-operator", logins.get(0).get("principal").asText());
    assertEquals("operator", logins.get(0).get("role").asText());
  }

  @Test
  void theSingleDashboardTokenCannotBeMixedWithTheServersTokens() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DashboardServer.builder()
                    .setTeleop(new FakeTeleop())
                    .optToken("shared")
                    .optSecurity(ServerSecurity.builder().optTokens(TOKENS).build())
                    .build());
    assertTrue(
        e.getMessage()
            .contains("--dashboard-token cannot be used together with the server's tokens"),
        e.getMessage());
  }

  @Test
  void withoutTheServersTokensTheDashboardTokenIsAnAdminAndOpenLoopbackIsTooAsBefore()
      throws Exception {
    try (DashboardServer shared =
            DashboardServer.builder()
                .setTeleop(teleop)
                .optHost("0.0.0.0")
                .optPort(0)
                .optToken("shared-token-0123")
                .optSecurity(DashboardAccessTest.INSECURE)
                .build()
                .start();
        DashboardServer open =
            DashboardServer.builder().setTeleop(teleop).optPort(0).build().start()) {
      assertFalse(shared.roleTokens());
      JsonNode who =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + shared.port() + "/api/session"))
                          .header("Authorization", "Bearer shared-token-0123")
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertEquals(DashboardServer.SHARED_TOKEN_NAME, who.get("name").asText());
      assertEquals("admin", who.get("role").asText());
      JsonNode local =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(open.url() + "api/session")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertEquals("local (no auth)", local.get("name").asText());
      assertEquals("admin", local.get("role").asText());
      assertFalse(local.get("login").asBoolean());
    }
  }

  @Test
  void anUnknownPostNeedsAdminByDefault() {
    assertEquals(DashboardAction.OTHER, DashboardAction.of("POST", "/api/something-new"));
    assertEquals(Role.ADMIN, DashboardAction.of("POST", "/api/something-new").needed());
    assertEquals(Role.VIEWER, DashboardAction.of("GET", "/api/anything").needed());
    assertEquals(Role.VIEWER, DashboardAction.of("POST", "/api/estop").needed());
  }
}
