package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mantis marks} end to end on a tiny dataset. */
class MarksCommandTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void recordThenExtractWritesOneLabelLinePerClipWithAProgressBar() throws Exception {
    Path data = dir.resolve("data");
    CliRun rec =
        run(
            "marks",
            "record",
            "--out",
            data.toString(),
            "--episodes",
            "2",
            "--first-seed",
            "5",
            "--size",
            "64",
            "--max-seconds",
            "0.5",
            "--camera-shake",
            "1");
    assertEquals(0, rec.code(), rec.err());
    assertTrue(Files.isRegularFile(data.resolve("000000/episode.json")));
    assertTrue(Files.isRegularFile(data.resolve("000001/episode.json")));

    CliRun ex =
        run("marks", "extract", "--dataset", data.toString(), "--horizon", "8", "--stride", "6");
    assertEquals(0, ex.code(), ex.err());
    assertTrue(
        ex.err().contains("2/2 episodes")
            && ex.err().contains("clips/s")
            && ex.err().contains("ETA"),
        ex.err());
    ObjectMapper mapper = new ObjectMapper();
    for (String ep : List.of("000000", "000001")) {
      List<String> lines = Files.readAllLines(data.resolve(ep).resolve("tom.jsonl"));
      // 0.5 s at 50 Hz: 26 frames (25 steps + the end state); clips start at 0, 6, 12 (12 + 8 <
      // 26).
      assertEquals(3, lines.size(), ep);
      long previous = -1;
      for (String line : lines) {
        JsonNode n = mapper.readTree(line);
        assertEquals(ep, n.get("episode").asText());
        assertEquals(8, n.get("horizon").asInt());
        assertEquals(64, n.get("widthPx").asInt());
        assertEquals(256, n.get("grid").asInt());
        assertTrue(n.get("startStep").asLong() > previous);
        previous = n.get("startStep").asLong();
        assertEquals(n.get("startStep").asLong() + 8, n.get("endStep").asLong());
        int marks = 0;
        for (String kind : List.of("moving", "static")) {
          for (JsonNode m : n.get(kind)) {
            marks++;
            assertEquals(9, m.get("trace256").size());
            assertEquals(9, m.get("tracePx").size());
            for (JsonNode q : m.get("trace256")) {
              assertTrue(
                  q.get(0).asInt() >= 0
                      && q.get(0).asInt() <= 255
                      && q.get(1).asInt() >= 0
                      && q.get(1).asInt() <= 255);
            }
          }
        }
        assertTrue(marks > 0, "a textured sim scene gives marks: " + line);
      }
    }
    assertTrue(ex.out().contains("2 episodes, 6 clips"), ex.out());

    // --out writes elsewhere, --size resizes.
    Path out = dir.resolve("labels");
    CliRun ex2 =
        run(
            "marks",
            "extract",
            "--dataset",
            data.resolve("000000").toString(),
            "--horizon",
            "4",
            "--stride",
            "10",
            "--size",
            "48",
            "--out",
            out.toString());
    assertEquals(0, ex2.code(), ex2.err());
    JsonNode first = mapper.readTree(Files.readAllLines(out.resolve("000000/tom.jsonl")).get(0));
    assertEquals(48, first.get("widthPx").asInt());
  }

  @Test
  void extractRejectsADirectoryWithoutEpisodes() {
    CliRun r = run("marks", "extract", "--dataset", dir.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no episode"), r.err());
  }

  @Test
  void evalPrintsSomAndTomAccuracy() {
    CliRun r = run("marks", "eval", "--clips", "4", "--frames", "4", "--first-seed", "7");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("SoM accuracy, 4 frames 128x128 (seeds 7..10"), r.out());
    assertTrue(r.out().contains("objects marked within 3 px"), r.out());
    assertTrue(r.out().contains("ToM accuracy: 4 clips (seeds 7..10"), r.out());
    assertTrue(r.out().contains("clips/s on one thread"), r.out());
  }
}
