package mantis.app;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for work counted in units (training steps, labelled pairs):
 * done/total, a caller-supplied detail (rates, losses) and the ETA from the rate since the bar was
 * made. Redrawn at most every 200 ms, and always at the end. Thread-safe.
 */
final class StepProgress {
  private final PrintStream err;
  private final long first;
  private final long total;
  private final String unit;
  private final long startNanos = System.nanoTime();
  private long lastPrintNanos;
  private boolean printed;

  /**
   * @param first units already done when the bar starts (e.g. the step a resumed run starts from)
   * @param total units when finished
   * @param unit the unit's plural name, e.g. {@code steps}
   */
  StepProgress(PrintStream err, long first, long total, String unit) {
    this.err = err;
    this.first = first;
    this.total = total;
    this.unit = unit;
  }

  synchronized void update(long done, String detail) {
    long now = System.nanoTime();
    if (done < total && now - lastPrintNanos < 200_000_000L) {
      return;
    }
    lastPrintNanos = now;
    printed = true;
    double s = (now - startNanos) / 1e9;
    int width = 30;
    int filled = total <= 0 ? width : (int) Math.min(width, (long) width * done / total);
    long progressed = done - first;
    String eta = progressed <= 0 ? "--:--" : clock(s / progressed * (total - done));
    err.printf(
        Locale.ROOT,
        "\r[%s%s] %d/%d %s  %s  ETA %s ",
        "#".repeat(filled),
        ".".repeat(width - filled),
        done,
        total,
        unit,
        detail,
        eta);
    err.flush();
  }

  /** Ends the line (if anything was drawn). */
  synchronized void finish() {
    if (printed) {
      err.println();
      printed = false;
    }
  }

  static String clock(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "--:--";
    }
    long t = Math.round(seconds);
    return t >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
        : String.format(Locale.ROOT, "%02d:%02d", t / 60, t % 60);
  }
}
