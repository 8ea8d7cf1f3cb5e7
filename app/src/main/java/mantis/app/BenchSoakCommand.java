package mantis.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mantis bench-soak}: the server under N real-time sim robots for a long time; leaks show as
 * drift.
 */
@Command(
    name = "bench-soak",
    mixinStandardHelpOptions = true,
    description =
        "Soak benchmark: starts the server (Netty on loopback, --policy, default settings) and drives it "
            + "with --streams simulated robots in real time, each a Control stream per episode sending rendered sim "
            + "frames at --rate-hz and executing the chunks. Prints a row every --report-every-min: chunks, errors, "
            + "stale chunks, held chunks, watchdog holds, call latency p50/p99, and the process's RSS, heap after GC, "
            + "threads and open file descriptors; then the drift of RSS and heap. Traffic stays on 127.0.0.1.")
final class BenchSoakCommand implements Callable<Integer> {
  static final String[] HEADER = {
    "elapsed min",
    "chunks",
    "errors",
    "stale",
    "held",
    "watchdog holds",
    "p50 ms",
    "p99 ms",
    "RSS MB",
    "heap after GC MB",
    "threads",
    "open fds"
  };

  @Option(
      names = "--minutes",
      defaultValue = "60",
      description = "How long to run (default ${DEFAULT-VALUE}).")
  double minutes;

  @Option(
      names = "--streams",
      defaultValue = "8",
      description =
          "Concurrent simulated robots, one Control stream " + "each (default ${DEFAULT-VALUE}).")
  int streams;

  @Option(
      names = "--report-every-min",
      defaultValue = "5",
      description = "Minutes between rows (default " + "${DEFAULT-VALUE}).")
  double reportEveryMin;

  @Option(
      names = "--policy",
      defaultValue = "mantis",
      description =
          "The served policy, as 'serve --policy' "
              + "(default ${DEFAULT-VALUE}, the bundled model).")
  String policy;

  @Option(
      names = "--rate-hz",
      defaultValue = "20",
      description = "Observations per second per stream (default " + "${DEFAULT-VALUE}).")
  double rateHz;

  @Option(
      names = "--size",
      defaultValue = "128",
      description =
          "Rendered frame side, pixels, sent as raw RGB8 " + "(default ${DEFAULT-VALUE}).")
  int sizePx;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Also write the table, the drift and the command " + "as Markdown.")
  Path out;

  @Mixin TorchThreadsOption torch;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String problem = check();
    if (problem != null) {
      System.err.println("mantis bench-soak: " + problem);
      return 2;
    }
    torch.apply(spec);
    PrintStream stdout = System.out;
    List<SoakBench.Row> rows = new ArrayList<>();
    int[] width = widths();
    stdout.println(line(HEADER, width));
    stdout.println(rule(width));
    SoakBench.Settings s =
        new SoakBench.Settings(policy, streams, minutes, reportEveryMin, rateHz, sizePx);
    SoakBench.run(
        s,
        r -> {
          rows.add(r);
          stdout.println(line(cells(r), width));
          stdout.flush();
        },
        note -> System.err.println("bench-soak: " + note));
    String drift = drift(rows);
    stdout.println();
    stdout.println(drift);
    if (out != null) {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      StringBuilder md = new StringBuilder();
      md.append("Soak: `mantis bench-soak --minutes ")
          .append(fmt(minutes))
          .append(" --streams ")
          .append(streams)
          .append(" --report-every-min ")
          .append(fmt(reportEveryMin))
          .append(" --policy ")
          .append(policy)
          .append(" --rate-hz ")
          .append(fmt(rateHz))
          .append(" --size ")
          .append(sizePx)
          .append("` (")
          .append(java.time.LocalDate.now())
          .append("; Java ")
          .append(System.getProperty("java.version"))
          .append(", ")
          .append(Runtime.getRuntime().availableProcessors())
          .append(" processors, ")
          .append(System.getProperty("os.name"))
          .append(' ')
          .append(System.getProperty("os.arch"))
          .append(")\n\n");
      md.append(line(HEADER, width)).append('\n').append(rule(width)).append('\n');
      for (SoakBench.Row r : rows) {
        md.append(line(cells(r), width)).append('\n');
      }
      md.append('\n').append(drift).append('\n');
      Files.writeString(out, md.toString());
      System.err.println("bench-soak: wrote " + out);
    }
    return 0;
  }

  /** The problem with the options, or null. */
  String check() {
    if (!(minutes > 0 && minutes <= 24 * 60)) {
      return "--minutes must be in (0, 1440], got " + minutes;
    }
    if (streams < 1 || streams > 256) {
      return "--streams must be in [1, 256], got " + streams;
    }
    if (!(reportEveryMin > 0 && reportEveryMin <= minutes)) {
      return "--report-every-min must be in (0, --minutes], got " + reportEveryMin;
    }
    if (!(rateHz > 0 && rateHz <= 1000)) {
      return "--rate-hz must be in (0, 1000], got " + rateHz;
    }
    if (sizePx < 16 || sizePx > 1024) {
      return "--size must be in [16, 1024], got " + sizePx;
    }
    return null;
  }

  /**
   * The closing line: how RSS and heap moved from the first report to the last (and from the
   * start).
   */
  static String drift(List<SoakBench.Row> rows) {
    if (rows.size() < 2) {
      return "drift: no report was taken";
    }
    SoakBench.Row start = rows.get(0);
    SoakBench.Row first = rows.get(1);
    SoakBench.Row last = rows.get(rows.size() - 1);
    double hours = (last.elapsedMin() - first.elapsedMin()) / 60;
    double rss = mb(last.process().rssBytes()) - mb(first.process().rssBytes());
    double heap = mb(last.process().heapAfterGcBytes()) - mb(first.process().heapAfterGcBytes());
    long chunks = 0;
    long errors = 0;
    long stale = 0;
    for (SoakBench.Row r : rows) {
      chunks += r.chunks();
      errors += r.errors();
      stale += r.stale();
    }
    return String.format(
        Locale.ROOT,
        "drift: RSS %+.1f MB from the first report to the last (%s), %+.1f MB from the "
            + "start; heap after GC %+.1f MB; threads %d -> %d, open fds %d -> %d; %d chunks, %d errors, %d stale",
        rss,
        hours > 0 ? String.format(Locale.ROOT, "%+.1f MB/h", rss / hours) : "one report",
        mb(last.process().rssBytes()) - mb(start.process().rssBytes()),
        heap,
        first.process().threads(),
        last.process().threads(),
        first.process().openFds(),
        last.process().openFds(),
        chunks,
        errors,
        stale);
  }

  static String[] cells(SoakBench.Row r) {
    boolean start = r.elapsedMin() == 0;
    return new String[] {
      start ? "0 (start)" : String.format(Locale.ROOT, "%.1f", r.elapsedMin()),
      start ? "" : Long.toString(r.chunks()),
      start ? "" : Long.toString(r.errors()),
      start ? "" : Long.toString(r.stale()),
      start ? "" : Long.toString(r.held()),
      start ? "" : Long.toString(r.watchdogHolds()),
      Double.isNaN(r.p50Ms()) ? "" : String.format(Locale.ROOT, "%.1f", r.p50Ms()),
      Double.isNaN(r.p99Ms()) ? "" : String.format(Locale.ROOT, "%.1f", r.p99Ms()),
      String.format(Locale.ROOT, "%.0f", mb(r.process().rssBytes())),
      String.format(Locale.ROOT, "%.0f", mb(r.process().heapAfterGcBytes())),
      Integer.toString(r.process().threads()),
      Long.toString(r.process().openFds())
    };
  }

  private static int[] widths() {
    int[] w = new int[HEADER.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(HEADER[i].length(), 9);
    }
    return w;
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      sb.append(' ').append(String.format("%" + width[i] + "s", cells[i])).append(" |");
    }
    return sb.toString();
  }

  private static String rule(int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int w : width) {
      sb.append("-".repeat(w + 1)).append(":|");
    }
    return sb.toString();
  }

  private static double mb(long bytes) {
    return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
