package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTableTest {
  @Test
  void columnsAreAsWideAsTheirWidestCellAndEveryLineIsAsLong() {
    String table =
        BenchTable.format(
            List.of(
                new String[] {"short", "a much longer result cell", ""},
                new String[] {"a rather long benchmark name", "r", "p50 <= 10 ms: met"}));
    List<String> lines = table.lines().toList();
    assertEquals(4, lines.size(), table);
    assertEquals(
        "| benchmark                    | result                    | goal              |",
        lines.get(0));
    assertEquals(
        "|------------------------------|---------------------------|-------------------|",
        lines.get(1));
    assertEquals(
        "| short                        | a much longer result cell |                   |",
        lines.get(2));
    assertEquals(
        "| a rather long benchmark name | r                         | p50 <= 10 ms: met |",
        lines.get(3));
  }

  @Test
  void aPipeInACellIsEscapedSoTheMarkdownKeepsThreeColumns() {
    String table = BenchTable.format(List.<String[]>of(new String[] {"a|b", "x", "y"}));
    assertTrue(table.contains("| a\\|b      |"), table);
  }

  @Test
  void aRowWithoutThreeCellsIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BenchTable.format(List.<String[]>of(new String[] {"only", "two"})));
    assertTrue(e.getMessage().contains("3 cells, got 2"), e.getMessage());
  }
}
