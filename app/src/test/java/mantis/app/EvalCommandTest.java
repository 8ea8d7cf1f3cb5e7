package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mantis eval} end to end: three policies, three families, two seeds each. */
class EvalCommandTest {
  @TempDir Path dir;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** policy -> "family-seed" -> success, from the JSON report. */
  private static Map<String, Map<String, Boolean>> perSeed(JsonNode root) {
    Map<String, Map<String, Boolean>> out = new LinkedHashMap<>();
    for (JsonNode p : root.get("policies")) {
      Map<String, Boolean> m = new LinkedHashMap<>();
      for (JsonNode e : p.get("episodes")) {
        m.put(
            e.get("family").asText() + "-" + e.get("seed").asLong(), e.get("success").asBoolean());
      }
      out.put(p.get("policy").asText(), m);
    }
    return out;
  }

  @Test
  void threePoliciesGetOneRowEachAndTheSameSuccessesPerSeedWithOneOrTwoStreams() throws Exception {
    Path md = dir.resolve("out/eval.md");
    Path json2 = dir.resolve("two.json");
    CliRun two =
        CliRun.of(
            "eval",
            "--policies",
            "expert,random,visual-servo",
            "--episodes",
            "2",
            "--first-seed",
            "1000000",
            "--streams",
            "2",
            "--markdown",
            md.toString(),
            "--json",
            json2.toString());
    assertEquals(0, two.code(), two.err());
    for (String p : new String[] {"expert", "random", "visual-servo"}) {
      assertTrue(
          two.out().lines().anyMatch(l -> l.startsWith(p + " ")),
          p + " row missing:\n" + two.out());
    }
    assertTrue(two.out().contains("mean over families"), two.out());
    assertTrue(two.err().contains("6/6 episodes"), two.err());

    JsonNode root = MAPPER.readTree(Files.readString(json2));
    assertEquals(2, root.get("streams").asInt());
    assertEquals(1000001, root.get("lastSeed").asLong());
    assertEquals(3, root.get("families").size());
    Map<String, JsonNode> byPolicy = new LinkedHashMap<>();
    root.get("policies").forEach(p -> byPolicy.put(p.get("policy").asText(), p));
    JsonNode expert = byPolicy.get("expert").get("meanOverFamilies");
    JsonNode random = byPolicy.get("random").get("meanOverFamilies");
    JsonNode servo = byPolicy.get("visual-servo");
    assertEquals(6, expert.get("episodes").asInt());
    assertTrue(expert.get("successes").asInt() >= 5, expert.toString());
    assertTrue(random.get("successes").asInt() <= 1, random.toString());
    assertTrue(random.get("groundingAccuracy").isNull(), "random draws no traces: " + random);
    assertTrue(random.get("latencyP50Ms").asDouble() > 0, random.toString());
    assertTrue(expert.get("latencyP50Ms").isNull(), "the expert makes no calls: " + expert);
    // The baseline grounds on marks and plans traces; its numbers are real fractions.
    JsonNode servoMean = servo.get("meanOverFamilies");
    assertTrue(servoMean.get("groundedChunks").asInt() > 0, servoMean.toString());
    double g = servoMean.get("groundingAccuracy").asDouble();
    assertTrue(g > 0.5 && g <= 1.0, servoMean.toString());
    assertEquals(2, servo.get("families").get("push_to_target").get("episodes").asInt());
    double lo = servoMean.get("ciLow").asDouble();
    double hi = servoMean.get("ciHigh").asDouble();
    double[] wilson = Stats.wilson(servoMean.get("successes").asInt(), 6);
    assertEquals(wilson[0], lo, 1e-12);
    assertEquals(wilson[1], hi, 1e-12);

    String markdown = Files.readString(md);
    assertTrue(markdown.startsWith("## Closed-loop evaluation"), markdown);
    assertTrue(
        markdown.contains("mantis eval --policies expert,random,visual-servo --episodes 2"),
        markdown);
    assertTrue(markdown.contains("1000000..1000001"), markdown);
    assertTrue(markdown.contains("nproc"), markdown);
    assertTrue(markdown.contains("| visual-servo | "), markdown);
    assertTrue(markdown.contains("| random | "), markdown);
    assertTrue(markdown.contains("| expert | "), markdown);

    Path json1 = dir.resolve("one.json");
    CliRun one =
        CliRun.of(
            "eval",
            "--policies",
            "expert,random,visual-servo",
            "--episodes",
            "2",
            "--first-seed",
            "1000000",
            "--streams",
            "1",
            "--json",
            json1.toString());
    assertEquals(0, one.code(), one.err());
    assertEquals(perSeed(root), perSeed(MAPPER.readTree(Files.readString(json1))));
  }

  @Test
  void badInputFailsWithAClearMessageAndExitCodeTwo() {
    CliRun unknown = CliRun.of("eval", "--policies", "expert,telepathy", "--episodes", "1");
    assertEquals(2, unknown.code());
    assertTrue(
        unknown.err().contains("telepathy") && unknown.err().contains("visual-servo"),
        unknown.err());

    CliRun noEpisodes = CliRun.of("eval", "--episodes", "0");
    assertEquals(2, noEpisodes.code());
    assertTrue(noEpisodes.err().contains("--episodes must be >= 1"), noEpisodes.err());

    CliRun noStreams = CliRun.of("eval", "--streams", "0");
    assertEquals(2, noStreams.code());
    assertTrue(noStreams.err().contains("--streams must be >= 1"), noStreams.err());

    CliRun family = CliRun.of("eval", "--family", "juggle");
    assertEquals(2, family.code());
    assertTrue(family.err().contains("unknown family 'juggle'"), family.err());

    CliRun ensemble = CliRun.of("eval", "--temporal-ensemble", "-1");
    assertEquals(2, ensemble.code());
    assertTrue(ensemble.err().contains("--temporal-ensemble must be"), ensemble.err());
  }

  @Test
  void temporalEnsemblingIsReportedAndChangesWhatTheArmExecutes() throws Exception {
    Path off = dir.resolve("off.json");
    Path on = dir.resolve("on.json");
    for (Path out : new Path[] {off, on}) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of(
                  "eval",
                  "--policies",
                  "visual-servo",
                  "--family",
                  "push_direction",
                  "--episodes",
                  "3",
                  "--first-seed",
                  "1000000",
                  "--json",
                  out.toString()));
      if (out == on) {
        args.addAll(List.of("--temporal-ensemble", "0"));
      }
      CliRun r = CliRun.of(args.toArray(new String[0]));
      assertEquals(0, r.code(), r.err());
      assertEquals(out == on, r.out().contains("temporal ensembling bias 0.00/s"), r.out());
    }
    JsonNode a = MAPPER.readTree(Files.readString(off));
    JsonNode b = MAPPER.readTree(Files.readString(on));
    assertTrue(a.get("temporalEnsembleBiasPerS") == null, a.toString());
    assertEquals(0.0, b.get("temporalEnsembleBiasPerS").asDouble());
    // The same seeds, other executed targets: the episodes last other numbers of chunks (with the
    // same targets the sim is deterministic and the counts would be equal).
    assertNotEquals(
        a.get("policies").get(0).get("meanOverFamilies").get("groundedChunks").asInt(),
        b.get("policies").get(0).get("meanOverFamilies").get("groundedChunks").asInt(),
        "ensembling had no effect");
  }
}
