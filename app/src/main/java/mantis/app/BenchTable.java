package mantis.app;

import java.util.List;

/**
 * The {@code mantis bench} table: a Markdown table whose columns are as wide as their widest cell.
 */
final class BenchTable {
  static final String[] HEADER = {"benchmark", "result", "goal"};

  private BenchTable() {}

  /**
   * Rows of three cells {benchmark, result, goal} under {@link #HEADER}, each column padded to its
   * widest cell; a {@code |} inside a cell is escaped.
   *
   * @throws IllegalArgumentException when a row does not have three cells
   */
  static String format(List<String[]> rows) {
    int[] width = new int[HEADER.length];
    for (int i = 0; i < HEADER.length; i++) {
      width[i] = HEADER[i].length();
    }
    for (String[] r : rows) {
      if (r.length != HEADER.length) {
        throw new IllegalArgumentException(
            "a bench row needs " + HEADER.length + " cells, got " + r.length);
      }
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], cell(r[i]).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, HEADER, width);
    sb.append('|');
    for (int w : width) {
      sb.append("-".repeat(w + 2)).append('|');
    }
    sb.append(System.lineSeparator());
    for (String[] r : rows) {
      line(sb, r, width);
    }
    return sb.toString();
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|");
  }

  private static void line(StringBuilder sb, String[] cells, int[] width) {
    sb.append('|');
    for (int i = 0; i < cells.length; i++) {
      String c = cell(cells[i]);
      sb.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
    }
    sb.append(System.lineSeparator());
  }
}
