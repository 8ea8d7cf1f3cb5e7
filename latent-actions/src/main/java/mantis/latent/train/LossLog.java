package mantis.latent.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code loss.csv} of a training run: one row per logged step. Opening it for a run that resumes at
 * step k drops the rows after k (written after the last checkpoint by a run that was killed), so
 * the file never holds a step twice. Not thread-safe.
 */
final class LossLog implements AutoCloseable {
  static final String HEADER =
      "step,total,recon,codebook,commitment,perplexity,replaced_codes,elapsed_s";

  /** One row of the log. */
  record Row(
      long step,
      float total,
      float recon,
      float codebook,
      float commitment,
      float perplexity,
      int replacedCodes,
      double elapsedS) {
    String toCsv() {
      return step
          + ","
          + total
          + ","
          + recon
          + ","
          + codebook
          + ","
          + commitment
          + ","
          + perplexity
          + ","
          + replacedCodes
          + ","
          + String.format(Locale.ROOT, "%.3f", elapsedS);
    }

    static Row parse(String line, Path file, int lineNo) throws IOException {
      String[] f = line.split(",", -1);
      if (f.length != 8) {
        throw new IOException(file + ":" + lineNo + ": expected 8 fields, got " + f.length);
      }
      try {
        return new Row(
            Long.parseLong(f[0]),
            Float.parseFloat(f[1]),
            Float.parseFloat(f[2]),
            Float.parseFloat(f[3]),
            Float.parseFloat(f[4]),
            Float.parseFloat(f[5]),
            Integer.parseInt(f[6]),
            Double.parseDouble(f[7]));
      } catch (NumberFormatException e) {
        throw new IOException(file + ":" + lineNo + ": bad number: " + e.getMessage(), e);
      }
    }
  }

  private final Path file;
  private final List<Row> rows;
  private final BufferedWriter writer;

  private LossLog(Path file, List<Row> rows, BufferedWriter writer) {
    this.file = file;
    this.rows = rows;
    this.writer = writer;
  }

  /**
   * Opens {@code file} for appending after step {@code keepUpToStep}: rows with a larger step are
   * removed (the file is rewritten atomically); a missing file is created with its header.
   */
  static LossLog open(Path file, long keepUpToStep) throws IOException {
    List<Row> kept = new ArrayList<>();
    if (Files.exists(file)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
        throw new IOException(
            file
                + " is not a loss log of this trainer (header '"
                + (lines.isEmpty() ? "" : lines.get(0))
                + "', expected '"
                + HEADER
                + "')");
      }
      long last = -1;
      for (int i = 1; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        Row r;
        try {
          r = Row.parse(line, file, i + 1);
        } catch (IOException e) {
          if (i == lines.size() - 1) {
            break; // a last line cut short by a kill
          }
          throw e;
        }
        if (r.step() > keepUpToStep) {
          break;
        }
        if (r.step() <= last) {
          throw new IOException(
              file + ":" + (i + 1) + ": step " + r.step() + " after step " + last);
        }
        last = r.step();
        kept.add(r);
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.newLine();
      for (Row r : kept) {
        w.write(r.toCsv());
        w.newLine();
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    BufferedWriter writer =
        Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    return new LossLog(file, kept, writer);
  }

  void append(Row row) throws IOException {
    if (!rows.isEmpty() && row.step() <= rows.get(rows.size() - 1).step()) {
      throw new IllegalArgumentException(
          "step "
              + row.step()
              + " is not after the last logged step "
              + rows.get(rows.size() - 1).step());
    }
    rows.add(row);
    writer.write(row.toCsv());
    writer.newLine();
  }

  void flush() throws IOException {
    writer.flush();
  }

  /** Every row so far, those kept from earlier runs included (live view). */
  List<Row> rows() {
    return rows;
  }

  /** Elapsed training seconds of the last row (0 when empty): a resumed run continues the count. */
  double lastElapsedS() {
    return rows.isEmpty() ? 0 : rows.get(rows.size() - 1).elapsedS();
  }

  Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
