package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSoakCommandTest {
  @Test
  void outOfRangeOptionsAreRefusedWithTheReason() {
    CliRun r = CliRun.of("bench-soak", "--streams", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--streams must be in [1, 256], got 0"), r.err());
    r = CliRun.of("bench-soak", "--minutes", "1", "--report-every-min", "2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--report-every-min must be in (0, --minutes]"), r.err());
  }

  @Tag("slow")
  @Test
  void aShortSoakPrintsAStartRowOneRowPerReportAndTheDrift(@TempDir Path dir) throws Exception {
    Path md = dir.resolve("soak.md");
    CliRun r =
        CliRun.of(
            "bench-soak",
            "--minutes",
            "0.1",
            "--report-every-min",
            "0.05",
            "--streams",
            "2",
            "--policy",
            "hold",
            "--out",
            md.toString());
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().filter(l -> l.startsWith("|")).toList();
    assertTrue(lines.get(0).contains("p99 ms") && lines.get(0).contains("open fds"), lines.get(0));
    assertTrue(lines.get(2).contains("0 (start)"), lines.get(2));
    assertEquals(2 + 1 + 2, lines.size(), "header, rule, start and two reports: " + r.out());
    for (String row : lines.subList(3, lines.size())) {
      String[] cells = row.split("\\|");
      assertTrue(Long.parseLong(cells[2].trim()) > 0, "chunks arrived: " + row);
      assertEquals(0, Long.parseLong(cells[3].trim()), "no errors: " + row);
    }
    assertTrue(r.out().contains("drift: RSS "), r.out());
    String page = Files.readString(md);
    assertTrue(
        page.contains("mantis bench-soak --minutes 0.1 --streams 2")
            && page.contains("drift: RSS "),
        page);
  }

  @Test
  void theDriftComparesTheLastReportWithTheFirst() {
    ProcessStats a = new ProcessStats(100L << 20, 40L << 20, 30, 50);
    ProcessStats b = new ProcessStats(110L << 20, 41L << 20, 32, 52);
    ProcessStats c = new ProcessStats(130L << 20, 42L << 20, 32, 52);
    List<SoakBench.Row> rows =
        List.of(
            new SoakBench.Row(0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, a),
            new SoakBench.Row(5, 100, 0, 0, 1, 0, 3, 9, b),
            new SoakBench.Row(65, 1200, 1, 2, 3, 0, 3, 9, c));
    String d = BenchSoakCommand.drift(rows);
    assertTrue(
        d.contains(
            "RSS +20.0 MB from the first report to the last (+20.0 MB/h), +30.0 MB from the start"),
        d);
    assertTrue(d.contains("1300 chunks, 1 errors, 2 stale"), d);
  }
}
