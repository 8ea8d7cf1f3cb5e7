package mantis.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private List<JsonNode> lines(Path f) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(f)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void eachEventIsOneJsonLineWithTheDocumentedFieldsInOrder() throws Exception {
    Path f = dir.resolve("audit.jsonl");
    Clock clock = Clock.fixed(Instant.parse("2025-06-01T09:30:12.345678Z"), ZoneOffset.UTC);
    try (JsonLinesAuditLog audit = JsonLinesAuditLog.open(f, clock)) {
      audit.record(
          AuditEvent.of(AuditEvent.ESTOP)
              .principal(new Principal("lab-viewer", Role.VIEWER, "10.0.0.7:51234"))
              .robot("arm-1")
              .detail("hand in the\ncell \"now\"")
              .field("latched", true)
              .field("tick", 42));
      audit.record(
          AuditEvent.of(AuditEvent.SERVER_START).detail("0.0.0.0:50051").field("tls", false));
    }
    List<String> raw = Files.readAllLines(f);
    assertEquals(2, raw.size(), "a newline inside a field stays escaped");
    assertEquals(
        "{\"time\":\"2025-06-01T09:30:12.345Z\",\"event\":\"ESTOP\",\"principal\":\"lab-viewer\","
            + "\"role\":\"viewer\",\"peer\":\"10.0.0.7:51234\",\"robot_id\":\"arm-1\","
            + "\"detail\":\"hand in the\\ncell \\\"now\\\"\",\"latched\":true,\"tick\":42}",
        raw.get(0));
    JsonNode start = lines(f).get(1);
    assertEquals("SERVER_START", start.get("event").asText());
    assertFalse(start.has("principal"), "unknown fields are left out");
    assertFalse(start.get("tls").asBoolean());
  }

  @Test
  void theFileIsOwnerOnlyAppendedToAndWrittenSafelyFromManyThreads() throws Exception {
    Path f = dir.resolve("logs/audit.jsonl");
    try (AuditLog audit = AuditLog.open(f)) {
      audit.record(AuditEvent.of("FIRST"));
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    try (AuditLog audit = AuditLog.open(f)) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    audit.record(
                        AuditEvent.of(AuditEvent.COMMAND_SOURCE)
                            .robot("r" + id)
                            .field("i", i)
                            .detail("x".repeat(500)));
                  }
                });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertEquals(0, audit.failures());
    }
    List<JsonNode> all = lines(f);
    assertEquals(1 + 8 * 200, all.size());
    assertEquals("FIRST", all.get(0).get("event").asText(), "reopening appends");
    Set<String> distinct = new HashSet<>();
    for (JsonNode n : all.subList(1, all.size())) {
      distinct.add(n.get("robot_id").asText() + "/" + n.get("i").asInt());
      assertTrue(n.get("time").asText().endsWith("Z"));
    }
    assertEquals(1600, distinct.size(), "no line lost or interleaved");
  }

  @Test
  void eventsAfterCloseAreCountedAsFailuresAndNeverThrow() throws Exception {
    AuditLog audit = AuditLog.open(dir.resolve("a.jsonl"));
    audit.close();
    audit.record(AuditEvent.of(AuditEvent.ESTOP));
    assertEquals(1, audit.failures());
    AuditLog.none().record(AuditEvent.of(AuditEvent.ESTOP));
  }

  @Test
  void anAuditLogThatCannotBeOpenedNamesTheFile() throws Exception {
    Path folder = dir.resolve("folder");
    Files.createDirectories(folder);
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> AuditLog.open(folder));
    assertTrue(e.getMessage().startsWith("audit log " + folder + ": "), e.getMessage());
  }

  @Test
  void eventsValidateNamesAndCutLongText() {
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.of("estop"));
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.of("E STOP"));
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.of("X").field("robot_id", "a"));
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.of("X").field("Bad", "a"));
    AuditEvent e = AuditEvent.of("X").detail("y".repeat(5000)).field("n", null);
    assertEquals(AuditEvent.MAX_TEXT_CHARS + 3, e.detail().length());
    assertTrue(e.fields().isEmpty());
    AuditEvent p =
        AuditEvent.of("X")
            .peer("explicit")
            .principal(new Principal("a", Role.ADMIN, "from-principal"));
    assertEquals("explicit", p.peer(), "an explicit peer is kept");
    assertEquals(
        "from-principal",
        AuditEvent.of("X").principal(new Principal("a", Role.ADMIN, "from-principal")).peer());
  }
}
