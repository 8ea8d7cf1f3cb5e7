package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mantis.ros.peers.RequireRos;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchRosCommandTest {
  @TempDir Path tmp;

  @Tag("ros")
  @Tag("slow")
  @Test
  void oneRunMeasuresRospyAndMantisPublishersSideBySideWithPacedCountsAndWritesTheTable()
      throws Exception {
    RequireRos.installation();
    Path out = tmp.resolve("ros-bench.md");
    CliRun run =
        CliRun.of(
            "bench-ros",
            "--seconds",
            "1",
            "--joint-state-hz",
            "200",
            "--image-hz",
            "10",
            "--warmup-seconds",
            "0.5",
            "--out",
            out.toString());
    assertEquals(0, run.code(), run.err());
    List<String> rows =
        run.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| case")).toList();
    assertEquals(4, rows.size(), run.out());
    String[][] expected = {
      {"JointState, 6 joints", "rospy"},
      {"JointState, 6 joints", "Mantis RosNode"},
      {"Image 640x480 rgb8", "rospy"},
      {"Image 640x480 rgb8", "Mantis RosNode"}
    };
    for (int i = 0; i < 4; i++) {
      String[] c = rows.get(i).split("\\|");
      assertEquals(expected[i][0], c[1].trim(), rows.get(i));
      assertEquals(expected[i][1], c[2].trim(), rows.get(i));
      long sent = Long.parseLong(c[4].trim());
      long received = Long.parseLong(c[5].trim());
      assertEquals(i < 2 ? 200 : 10, sent, rows.get(i));
      // Generous for a shared CI machine; the goal (zero drops at full rate) is checked by hand.
      assertTrue(
          received >= sent * 9 / 10, "received " + received + " of " + sent + ": " + rows.get(i));
      double p50 = Double.parseDouble(c[7].trim());
      assertTrue(p50 >= 0 && p50 < 1000, rows.get(i));
    }
    String page = Files.readString(out);
    assertTrue(page.contains("| case") && page.contains("Mantis RosNode"), page);
  }

  @Test
  void badOptionsAreUsageErrors() {
    CliRun run = CliRun.of("bench-ros", "--publishers", "roscpp");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("roscpp"), run.err());
  }
}
