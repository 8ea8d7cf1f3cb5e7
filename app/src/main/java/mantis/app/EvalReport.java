package mantis.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mantis.sim.TaskFamily;
import mantis.sim.client.EpisodeResult;

/** Success per task family with Wilson 95% intervals, and call latency percentiles. */
final class EvalReport {
  private final Map<TaskFamily, List<EpisodeResult>> byFamily = new LinkedHashMap<>();

  void add(EpisodeResult r) {
    byFamily.computeIfAbsent(r.family(), f -> new ArrayList<>()).add(r);
  }

  int successes() {
    return byFamily.values().stream()
        .mapToInt(l -> (int) l.stream().filter(EpisodeResult::success).count())
        .sum();
  }

  int episodes() {
    return byFamily.values().stream().mapToInt(List::size).sum();
  }

  void print(PrintStream out, String title) {
    out.println();
    out.println(title);
    out.printf(
        "%-16s %8s %8s %9s %17s %9s %9s %9s %8s %8s%n",
        "family",
        "episodes",
        "success",
        "rate",
        "95% CI (Wilson)",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "expired",
        "held");
    List<EpisodeResult> all = new ArrayList<>();
    for (Map.Entry<TaskFamily, List<EpisodeResult>> e : byFamily.entrySet()) {
      row(out, e.getKey().name().toLowerCase(java.util.Locale.ROOT), e.getValue());
      all.addAll(e.getValue());
    }
    if (byFamily.size() > 1) {
      row(out, "all", all);
    }
  }

  private static void row(PrintStream out, String name, List<EpisodeResult> results) {
    int n = results.size();
    int ok = (int) results.stream().filter(EpisodeResult::success).count();
    double[] ci = Stats.wilson(ok, n);
    long[] lat =
        results.stream().flatMapToLong(r -> java.util.Arrays.stream(r.latenciesNanos())).toArray();
    int expired = results.stream().mapToInt(EpisodeResult::expiredChunks).sum();
    int held = results.stream().mapToInt(EpisodeResult::heldChunks).sum();
    out.printf(
        "%-16s %8d %8d %8.1f%% %7.1f%% - %5.1f%% %9.2f %9.2f %9.2f %8d %8d%n",
        name,
        n,
        ok,
        n == 0 ? 0 : 100.0 * ok / n,
        100 * ci[0],
        100 * ci[1],
        Stats.percentile(lat, 50) / 1e6,
        Stats.percentile(lat, 90) / 1e6,
        Stats.percentile(lat, 99) / 1e6,
        expired,
        held);
  }
}
