package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DashboardApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeTeleop teleop;
  private DashboardServer dash;

  @BeforeEach
  void start() {
    teleop = new FakeTeleop();
    dash = DashboardServer.builder().setTeleop(teleop).optPort(0).build().start();
  }

  @AfterEach
  void stop() {
    dash.close();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(dash.url() + path.substring(1))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String json)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(dash.url() + path.substring(1)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void stateIsJsonWithNanFiguresAsNull() throws Exception {
    post("/api/jog", "{\"velocities\":[0.1,0,0],\"hold_ms\":100}");
    HttpResponse<String> r = get("/api/state");
    assertEquals(200, r.statusCode());
    JsonNode s = JSON.readTree(r.body());
    assertEquals("TELEOP", s.get("mode").asText());
    assertEquals(3, s.get("jointNames").size());
    assertTrue(s.get("episodeAgreement").get("groundedMarkAgreementPct").isNull(), r.body());
    assertEquals(75.0, s.get("episodeAgreement").get("directionAgreementPct").asDouble());
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
  }

  @Test
  void servesThePageTheScriptAndChartJsFromItsWebjar() throws Exception {
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("id=\"estop\""));
    assertEquals(200, get("/app.js").statusCode());
    HttpResponse<String> chart = get("/webjars/chart.js/4.4.7/dist/chart.umd.js");
    assertEquals(200, chart.statusCode());
    assertTrue(chart.body().contains("Chart"), "chart.js body");
  }

  @Test
  void framesArePngsThatAreNotCached() throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create(dash.url() + "api/frame.png")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
    assertEquals((byte) 0x89, r.body()[0]);
    assertEquals('P', r.body()[1]);
  }

  @Test
  void commandsReachTheTeleop() throws Exception {
    assertEquals(
        200, post("/api/jog", "{\"velocities\":[0.5,-0.5,0],\"hold_ms\":200}").statusCode());
    assertEquals(200, post("/api/mode", "{\"mode\":\"policy\"}").statusCode());
    assertEquals(200, post("/api/estop", "{}").statusCode());
    assertEquals(200, post("/api/reset", "").statusCode());
    assertEquals(
        200, post("/api/episode", "{\"family\":\"push_direction\",\"seed\":42}").statusCode());
    assertEquals(
        java.util.List.of(
            "jog [0.5, -0.5, 0.0] 200",
            "mode POLICY",
            "estop dashboard e-stop button",
            "reset",
            "episode PUSH_DIRECTION 42"),
        teleop.calls);
  }

  @Test
  void badInputAnswers400NamingTheProblem() throws Exception {
    HttpResponse<String> r = post("/api/jog", "{\"velocities\":[0.5],\"hold_ms\":200}");
    assertEquals(400, r.statusCode());
    assertTrue(JSON.readTree(r.body()).get("error").asText().contains("3 joints"), r.body());
    r = post("/api/jog", "{\"velocities\":[0,0,0],\"hold_ms\":100000}");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("hold_ms"), r.body());
    r = post("/api/jog", "{\"velocities\":[0,\"x\",0]}");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("velocities[1]"), r.body());
    r = post("/api/mode", "{\"mode\":\"AUTOPILOT\"}");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("AUTOPILOT"), r.body());
    r = post("/api/episode", "{\"family\":\"juggle\",\"seed\":1}");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("juggle"), r.body());
    r = post("/api/episode", "not json");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("not valid JSON"), r.body());
    r = post("/api/recordings/stop", "{}");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("no recording"), r.body());
    assertEquals(404, get("/api/recordings/nothing.zip").statusCode());
    assertEquals(400, get("/api/recordings/a%20b.zip").statusCode());
    assertTrue(teleop.calls.isEmpty(), "no bad request reached the teleop: " + teleop.calls);
  }

  @Test
  void postsWithoutJsonContentTypeAreRefused() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(dash.url() + "api/estop"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(415, r.statusCode());
    assertFalse(teleop.state().estopped());
  }

  @Test
  void recordingsAreListedAndDownloadAsZips() throws Exception {
    String name = JSON.readTree(post("/api/recordings/start", "{}").body()).get("name").asText();
    assertTrue(JSON.readTree(get("/api/state").body()).get("recording").asBoolean());
    JsonNode info = JSON.readTree(post("/api/recordings/stop", "{}").body());
    assertEquals(name, info.get("name").asText());
    JsonNode list = JSON.readTree(get("/api/recordings").body());
    assertEquals(name, list.get(0).get("name").asText());
    HttpResponse<byte[]> zip =
        http.send(
            HttpRequest.newBuilder(URI.create(dash.url() + "api/recordings/" + name + ".zip"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, zip.statusCode());
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
      assertNotNull(in.getNextEntry());
    }
  }

  @Test
  void builderRejectsBadSettings() {
    assertThrows(NullPointerException.class, () -> DashboardServer.builder().build());
    assertThrows(
        IllegalArgumentException.class,
        () -> DashboardServer.builder().setTeleop(teleop).optPort(70000).build());
  }
}
