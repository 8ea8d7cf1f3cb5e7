package mantis.sim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SimBenchmarkTest {

  @Test
  void benchmarkReportsAPositiveRatePerResolution() {
    List<String[]> rows = SimBenchmark.run(0.05);
    assertEquals(3, rows.size());
    assertEquals("64x64", rows.get(0)[0]);
    assertEquals("128x128", rows.get(1)[0]);
    assertEquals("640x480", rows.get(2)[0]);
    for (String[] r : rows) {
      assertEquals(SimBenchmark.COLUMNS.size(), r.length);
      for (int i = 1; i < r.length; i++) {
        assertTrue(Double.parseDouble(r[i]) > 0, String.join(",", r));
      }
    }
    // Smaller frames render faster.
    assertTrue(Double.parseDouble(rows.get(0)[2]) > Double.parseDouble(rows.get(2)[2]));
  }
}
