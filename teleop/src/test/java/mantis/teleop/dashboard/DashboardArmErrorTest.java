package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mantis.security.Principal;
import mantis.teleop.ControlMode;
import mantis.teleop.RecordingInfo;
import mantis.teleop.Teleop;
import mantis.teleop.TeleopState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A bridged arm whose ArmService is down, or refuses the dashboard's arm token: the teleop
 * session's e-stop and reset throw {@link io.grpc.StatusRuntimeException}. Before this change each
 * click answered 500 ("internal error: StatusRuntimeException") and logged a WARN with the stack
 * trace.
 */
class DashboardArmErrorTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong nanos = new AtomicLong(7);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(DashboardServer.class);
  private ArmDown teleop;
  private DashboardServer dash;

  /**
   * A {@link FakeTeleop} whose arm answers e-stop and reset with {@link #status}, as {@code
   * TeleopLoop} does when the ArmService fails: the e-stop is latched in the session first (no more
   * jogs), then the error is thrown.
   */
  static final class ArmDown implements Teleop {
    final FakeTeleop session = new FakeTeleop();
    volatile Status status =
        Status.UNAVAILABLE.withDescription("io exception: Connection refused: /127.0.0.1:50061");

    @Override
    public TeleopState state() {
      return session.state();
    }

    @Override
    public byte[] framePng() {
      return session.framePng();
    }

    @Override
    public boolean jog(List<Double> velocitiesRadPerS, long holdMillis, Principal by) {
      return session.jog(velocitiesRadPerS, holdMillis, by);
    }

    @Override
    public void setMode(ControlMode mode, Principal by) {
      session.setMode(mode, by);
    }

    @Override
    public void estop(String reason, Principal by) {
      session.estop(reason, by);
      throw status.asRuntimeException();
    }

    @Override
    public void reset(Principal by) {
      throw status.asRuntimeException();
    }

    @Override
    public List<String> tasks() {
      return session.tasks();
    }

    @Override
    public void newEpisode(String task, long seed, Principal by) {
      session.newEpisode(task, seed, by);
    }

    @Override
    public String startRecording(Principal by) {
      return session.startRecording(by);
    }

    @Override
    public RecordingInfo stopRecording(Principal by) {
      return session.stopRecording(by);
    }

    @Override
    public List<RecordingInfo> recordings() {
      return session.recordings();
    }

    @Override
    public void writeRecordingZip(String name, OutputStream out) throws IOException {
      session.writeRecordingZip(name, out);
    }

    @Override
    public void close() {}
  }

  @BeforeEach
  void start() {
    logs.start();
    logger.addAppender(logs);
    teleop = new ArmDown();
    dash =
        DashboardServer.builder().setTeleop(teleop).optPort(0).optClock(nanos::get).build().start();
  }

  @AfterEach
  void stop() {
    dash.close();
    logger.detachAppender(logs);
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(dash.url() + path.substring(1)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anEStopTheArmCannotConfirmAnswers503WithTheGrpcStatusAndNoStackTrace() throws Exception {
    HttpResponse<String> r = post("/api/estop");
    assertEquals(503, r.statusCode(), r.body());
    JsonNode body = json.readTree(r.body());
    assertEquals("UNAVAILABLE", body.get("grpc_status").asText());
    String error = body.get("error").asText();
    assertTrue(
        error.contains("NOT confirmed")
            && error.contains("UNAVAILABLE")
            && error.contains("Connection refused: /127.0.0.1:50061"),
        error);
    assertTrue(teleop.state().estopped(), "latched in the session all the same");

    HttpResponse<String> reset = post("/api/reset");
    assertEquals(503, reset.statusCode(), reset.body());
    assertTrue(reset.body().contains("POST /api/reset did not reach the arm"), reset.body());

    List<ILoggingEvent> warnings =
        logs.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).toList();
    assertEquals(1, warnings.size(), "one line per 10 s, not one per click: " + warnings);
    assertNull(warnings.get(0).getThrowableProxy(), "no stack trace");
    assertTrue(
        warnings.get(0).getFormattedMessage().contains("UNAVAILABLE"),
        warnings.get(0).getFormattedMessage());
  }

  @Test
  void anArmThatRefusesTheDashboardsTokenAnswers502() throws Exception {
    teleop.status =
        Status.PERMISSION_DENIED.withDescription(
            "mantis.v1.ArmService/Reset needs role admin; token 'dashboard-arm' has role operator");
    HttpResponse<String> r = post("/api/reset");
    assertEquals(502, r.statusCode(), r.body());
    assertTrue(
        r.body().contains("PERMISSION_DENIED") && r.body().contains("needs role admin"), r.body());
    assertEquals(502, post("/api/estop").statusCode());
  }

  @Test
  void theArmErrorLogIsRateLimitedWithTheCountHeldBack() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertEquals(503, post("/api/estop").statusCode());
    }
    nanos.addAndGet(DashboardServer.ARM_ERROR_LOG_INTERVAL_NANOS);
    assertEquals(503, post("/api/reset").statusCode());
    List<String> warnings =
        logs.list.stream()
            .filter(e -> e.getLevel().toString().equals("WARN"))
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(1).contains("19 more"), warnings.get(1));
  }
}
