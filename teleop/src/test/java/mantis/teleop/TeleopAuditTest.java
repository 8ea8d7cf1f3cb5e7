package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mantis.core.MonotonicClock;
import mantis.security.AuditLog;
import mantis.security.Principal;
import mantis.security.Role;
import mantis.server.MantisServer;
import mantis.server.policy.Policies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a teleop session writes to the audit log (the server's {@code --audit-log} file, read back
 * as JSON lines): who took over, who drove the arm, e-stops and resets with who and why,
 * recordings; each once per change, never per control tick or per jog request.
 */
class TeleopAuditTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MantisServer server;
  private static ManagedChannel channel;

  @TempDir Path dir;

  private final Principal alice = new Principal("alice", Role.OPERATOR, "10.0.0.7:50123");
  private final Principal bob = new Principal("bob", Role.OPERATOR, "10.0.0.8:40222");
  private final Principal carol = new Principal("carol", Role.VIEWER, "10.0.0.9:41000");
  private final Principal dave = new Principal("dave", Role.ADMIN, "10.0.0.10:42000");

  @BeforeAll
  static void startServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        MantisServer.builder()
            .setPolicy(
                Policies.create("visual-servo", SimTeleopTest.ROBOT, 128, MonotonicClock.system()))
            .setRobot(SimTeleopTest.ROBOT)
            .optWarmupPredictions(1)
            .optServerBuilder(InProcessServerBuilder.forName(name))
            .build()
            .start();
    assertTrue(server.awaitServing(20, TimeUnit.SECONDS));
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterAll
  static void stopServer() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line)); // every line parses as one JSON object
    }
    return out;
  }

  private static List<JsonNode> events(List<JsonNode> all, String event) {
    return all.stream().filter(n -> n.path("event").asText().equals(event)).toList();
  }

  @Test
  void takeoversEStopsResetsCommandSourcesAndRecordingsAreAuditedOnceEachWithWho()
      throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AtomicLong skewNanos = new AtomicLong();
    MonotonicClock clock = () -> System.nanoTime() + skewNanos.get();
    try (AuditLog audit = AuditLog.open(file);
        SimTeleop teleop =
            SimTeleop.builder()
                .setPolicyChannel(channel)
                .optRecordingsDir(dir.resolve("rec"))
                .optClock(clock)
                .optSeed(3)
                .optAuditLog(audit)
                .build()) {
      teleop.start();

      // A held key: the page renews the jog every 150 ms; one COMMAND_SOURCE line, not one per
      // request.
      for (int i = 0; i < 20; i++) {
        assertTrue(teleop.jog(List.of(0.3, 0.0, 0.0), 350, alice));
      }
      assertTrue(teleop.jog(List.of(0.0, 0.0, 0.0), 1, alice)); // key up: a stop, not a new source
      assertTrue(teleop.jog(List.of(0.0, -0.3, 0.0), 350, bob)); // another person takes the arm
      assertTrue(teleop.jog(List.of(0.0, -0.3, 0.0), 350, bob));

      teleop.setMode(ControlMode.POLICY, alice);
      teleop.setMode(ControlMode.POLICY, alice); // no change: no line
      assertFalse(teleop.jog(List.of(0.3, 0.0, 0.0), 350, bob), "refused while the policy drives");
      teleop.setMode(ControlMode.TELEOP, bob);
      assertTrue(teleop.jog(List.of(0.3, 0.0, 0.0), 350, bob));
      assertTrue(teleop.jog(List.of(0.3, 0.0, 0.0), 350, bob));
      skewNanos.addAndGet(
          TeleopLoop.DRIVER_IDLE_NANOS + 1_000_000_000L); // the arm stands idle a while
      assertTrue(teleop.jog(List.of(0.3, 0.0, 0.0), 350, bob));

      teleop.estop("hand in the cell", carol);
      assertFalse(teleop.jog(List.of(0.3, 0.0, 0.0), 350, alice), "refused under e-stop");
      teleop.reset(dave);
      assertTrue(teleop.jog(List.of(0.3, 0.0, 0.0), 350, alice));

      String name = teleop.startRecording(alice);
      RecordingInfo info = teleop.stopRecording(bob);
      assertEquals(name, info.name());
    }

    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<JsonNode> all = lines(file);

    List<JsonNode> sources = events(all, "COMMAND_SOURCE");
    assertEquals(
        List.of("alice", "bob", "bob", "bob", "alice"),
        sources.stream().map(n -> n.path("principal").asText()).toList(),
        text);
    assertEquals(
        List.of("idle", "person 'alice'", "idle", "idle", "idle"),
        sources.stream().map(n -> n.path("previous").asText()).toList(),
        text);
    for (JsonNode n : sources) {
      assertEquals("operator", n.path("role").asText());
      assertEquals("teleop", n.path("robot_id").asText());
      assertEquals("teleop dashboard", n.path("via").asText());
      assertTrue(
          n.path("detail").asText().startsWith("a person drives the arm (jog)"), n.toString());
    }
    assertEquals("10.0.0.7:50123", sources.get(0).path("peer").asText());

    List<JsonNode> takeovers = events(all, "TAKEOVER");
    assertEquals(2, takeovers.size(), text);
    assertEquals("alice", takeovers.get(0).path("principal").asText());
    assertEquals("TELEOP", takeovers.get(0).path("from").asText());
    assertEquals("POLICY", takeovers.get(0).path("to").asText());
    assertTrue(takeovers.get(0).path("detail").asText().contains("hand to policy"));
    assertEquals("bob", takeovers.get(1).path("principal").asText());
    assertEquals("TELEOP", takeovers.get(1).path("to").asText());
    assertTrue(takeovers.get(1).path("detail").asText().contains("take over"));

    List<JsonNode> estops = events(all, "ESTOP");
    assertEquals(1, estops.size(), text);
    assertEquals("carol", estops.get(0).path("principal").asText());
    assertEquals("viewer", estops.get(0).path("role").asText());
    assertEquals("hand in the cell", estops.get(0).path("detail").asText());
    assertTrue(estops.get(0).path("arm_estopped").asBoolean(), "the arm confirmed the latch");

    List<JsonNode> resets = events(all, "RESET");
    assertEquals(1, resets.size(), text);
    assertEquals("dave", resets.get(0).path("principal").asText());
    assertEquals("admin", resets.get(0).path("role").asText());

    List<JsonNode> recStart = events(all, "RECORDING_START");
    List<JsonNode> recStop = events(all, "RECORDING_STOP");
    assertEquals(1, recStart.size(), text);
    assertEquals(1, recStop.size(), text);
    assertEquals("alice", recStart.get(0).path("principal").asText());
    assertEquals("bob", recStop.get(0).path("principal").asText());
    assertEquals(recStart.get(0).path("detail").asText(), recStop.get(0).path("detail").asText());

    // In order: the e-stop before the reset before the jog after it.
    List<String> order = all.stream().map(n -> n.path("event").asText()).toList();
    assertTrue(order.indexOf("ESTOP") < order.indexOf("RESET"), order.toString());
    assertEquals("COMMAND_SOURCE", order.get(order.indexOf("RESET") + 1), order.toString());
  }
}
