package mantis.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.spi.PolicyRequest;
import mantis.model.serve.LearnedPolicies;
import mantis.server.policy.Policies;
import mantis.sim.TaskFamily;
import mantis.sim.client.SimClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mantis eval}: closed-loop success of several policies on the same held-out seeds. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Closed-loop evaluation: every policy (except the privileged scripted expert) is served in-process "
            + "and driven through gRPC by concurrent simulated clients on the same seeded episodes; prints success "
            + "per family with Wilson 95%% intervals, grounding accuracy and Trace-of-Mark error.")
final class EvalCommand implements Callable<Integer> {
  /** Input size every served policy is made for, pixels. */
  static final int POLICY_INPUT_PX = PolicyRequest.DEFAULT_INPUT_PX;

  /**
   * Prefix of a policy spec naming a model bundle that is always served through the
   * embodiment-neutral path, even on the robot it was trained on.
   */
  static final String NEUTRAL_PREFIX = "neutral:";

  /**
   * Policy spec prefix: a bundle through the neutral path from its joint targets, not its trace.
   */
  static final String NEUTRAL_JOINTS_PREFIX = "neutral-joints:";

  @Option(
      names = "--policies",
      split = ",",
      defaultValue = "mantis,visual-servo,expert,random",
      description =
          "Comma-separated policy specs: expert (scripted, privileged), neutral:DIR (a model bundle"
              + " always driven through the embodiment-neutral path: effector trace, camera, the"
              + " robot's inverse kinematics) or any name the server knows (default ${DEFAULT-VALUE}).")
  List<String> policies;

  @Option(
      names = "--robot",
      defaultValue = RobotModels.PLANAR3,
      description =
          "The simulated arm: planar3 (default) or ur5e (the UR5e-like 6-joint arm); every policy is"
              + " made for it (a learned bundle trained on another arm drives it through the"
              + " embodiment-neutral path).")
  String robot;

  @Option(
      names = "--family",
      defaultValue = "all",
      converter = Families.class,
      description = "all (default), reach, push_direction or push_to_target.")
  List<TaskFamily> families;

  @Option(
      names = "--episodes",
      defaultValue = "200",
      description = "Episodes per family (default ${DEFAULT-VALUE}).")
  int episodes;

  @Option(
      names = "--first-seed",
      defaultValue = "1000000",
      description =
          "Seed of the first episode of every family (default ${DEFAULT-VALUE}, held out from training).")
  long firstSeed;

  @Option(
      names = "--streams",
      defaultValue = "4",
      description =
          "Concurrent simulated clients per policy (default ${DEFAULT-VALUE}); results do not depend on it.")
  int streams;

  @Option(
      names = "--size",
      defaultValue = "128",
      description = "Frame size sent, square pixels (default ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--replan-s",
      defaultValue = "0.3",
      description = "Sim seconds per chunk (default ${DEFAULT-VALUE}).")
  double replanS;

  @Option(
      names = "--temporal-ensemble",
      paramLabel = "BIAS",
      description =
          "Execute the weighted mean of every overlapping chunk's targets (ACT temporal ensembling); "
              + "a chunk a seconds older than the newest weighs exp(-BIAS x a), 0 weighs all alike. Off by "
              + "default.")
  Double ensembleBias;

  @Option(
      names = "--markdown",
      paramLabel = "FILE",
      description = "Also write the results as a Markdown section.")
  Path markdown;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String bad = validate();
    if (bad != null) {
      System.err.println("mantis eval: " + bad);
      return 2;
    }
    String robotName = canonicalRobot(robot);
    ClosedLoopEval.Settings settings =
        new ClosedLoopEval.Settings(
            families,
            episodes,
            firstSeed,
            streams,
            size,
            replanS,
            robotName,
            ensembleBias == null ? Double.NaN : ensembleBias);
    RobotSpec robotSpec = RobotModels.forName(robotName).spec();
    Map<String, Policy> made = new LinkedHashMap<>();
    try {
      for (String p : policies) {
        if (!p.equals("expert") && !made.containsKey(p)) {
          try {
            made.put(p, create(p, robotSpec));
          } catch (IllegalArgumentException e) {
            System.err.println("mantis eval: policy '" + p + "': " + e.getMessage());
            return 2;
          }
        }
      }
      List<ClosedLoopEval.PolicyRun> runs = new ArrayList<>();
      for (String p : policies.stream().distinct().toList()) {
        System.err.printf(
            "mantis eval: %s on %s, %d episode(s) per family, seeds %d..%d%n",
            p, robotName, episodes, firstSeed, firstSeed + episodes - 1);
        runs.add(
            p.equals("expert")
                ? ClosedLoopEval.expert(settings, System.err)
                : ClosedLoopEval.served(p, made.remove(p), settings, System.err));
      }
      Report report = new Report(commandLine(), settings, runs);
      report.print(System.out);
      if (markdown != null) {
        write(markdown, report.markdown());
      }
      if (json != null) {
        write(json, report.json());
      }
      return 0;
    } catch (SimClientException e) {
      System.err.println("mantis eval: " + SimCommand.firstLine(e.getMessage(), 240));
      return 1;
    } finally {
      made.values().forEach(Policy::close);
    }
  }

  /** The policy {@code spec} for {@code robot}. */
  private static Policy create(String spec, RobotSpec robot) {
    if (spec.startsWith(NEUTRAL_JOINTS_PREFIX)) {
      String dir = spec.substring(NEUTRAL_JOINTS_PREFIX.length());
      if (dir.isBlank()) {
        throw new IllegalArgumentException(NEUTRAL_JOINTS_PREFIX + " needs a bundle directory");
      }
      return LearnedPolicies.openNeutral(
          Path.of(dir), robot, MonotonicClock.system(), PolicyRequest.Serving.DEFAULT, true);
    }
    if (spec.startsWith(NEUTRAL_PREFIX)) {
      String dir = spec.substring(NEUTRAL_PREFIX.length());
      if (dir.isBlank()) {
        throw new IllegalArgumentException(NEUTRAL_PREFIX + " needs a bundle directory");
      }
      return LearnedPolicies.openNeutral(
          Path.of(dir), robot, MonotonicClock.system(), PolicyRequest.Serving.DEFAULT);
    }
    return Policies.create(spec, robot, POLICY_INPUT_PX, MonotonicClock.system());
  }

  /** The short name ({@link RobotModels#names()}) of the robot {@code name} names. */
  static String canonicalRobot(String name) {
    var model = RobotModels.forName(name);
    for (String n : RobotModels.names()) {
      if (RobotModels.forName(n) == model) {
        return n;
      }
    }
    return model.name();
  }

  private String validate() {
    try {
      RobotModels.forName(robot);
    } catch (IllegalArgumentException e) {
      return "--robot: " + e.getMessage();
    }
    if (episodes < 1) {
      return "--episodes must be >= 1, got " + episodes;
    }
    if (streams < 1) {
      return "--streams must be >= 1, got " + streams;
    }
    if (size < 16 || size > 4096) {
      return "--size must be 16..4096, got " + size;
    }
    if (ensembleBias != null && !(ensembleBias >= 0 && Double.isFinite(ensembleBias))) {
      return "--temporal-ensemble must be a finite bias >= 0, got " + ensembleBias;
    }
    if (!(replanS > 0) || !Double.isFinite(replanS)) {
      return "--replan-s must be > 0, got " + replanS;
    }
    if (policies.isEmpty() || policies.stream().anyMatch(String::isBlank)) {
      return "--policies needs at least one policy name, got '" + String.join(",", policies) + "'";
    }
    return null;
  }

  private String commandLine() {
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    return "mantis " + String.join(" ", args);
  }

  private static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /**
   * One row: a policy on one family, or on all of them ("mean over families": the pooled count,
   * which with the same number of episodes per family is the mean of the family rates; its interval
   * is the pooled Wilson interval).
   */
  record Row(
      String family,
      int episodes,
      int successes,
      double ciLow,
      double ciHigh,
      double p50Ms,
      double p99Ms,
      int expiredChunks,
      int groundedChunks,
      int groundedCorrect,
      int tracePoints,
      double traceMeanPx,
      double traceMedianPx) {
    static Row of(String family, List<ClosedLoopEval.Episode> eps) {
      int n = eps.size();
      int ok = (int) eps.stream().filter(ClosedLoopEval.Episode::success).count();
      double[] ci = Stats.wilson(ok, n);
      long[] lat = eps.stream().flatMapToLong(e -> Arrays.stream(e.latenciesNanos())).toArray();
      double[] err = eps.stream().flatMapToDouble(e -> Arrays.stream(e.traceErrorsPx())).toArray();
      return new Row(
          family,
          n,
          ok,
          ci[0],
          ci[1],
          Stats.percentile(lat, 50) / 1e6,
          Stats.percentile(lat, 99) / 1e6,
          eps.stream().mapToInt(ClosedLoopEval.Episode::expiredChunks).sum(),
          eps.stream().mapToInt(ClosedLoopEval.Episode::groundedChunks).sum(),
          eps.stream().mapToInt(ClosedLoopEval.Episode::groundedCorrect).sum(),
          err.length,
          err.length == 0 ? Double.NaN : Arrays.stream(err).average().orElse(Double.NaN),
          err.length == 0 ? Double.NaN : Stats.median(err));
    }

    double rate() {
      return episodes == 0 ? 0 : (double) successes / episodes;
    }

    /** Grounding accuracy, NaN when the policy produced no traces. */
    double grounding() {
      return groundedChunks == 0 ? Double.NaN : (double) groundedCorrect / groundedChunks;
    }

    String rateWithCi() {
      return String.format(
          Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * rate(), 100 * ciLow, 100 * ciHigh);
    }
  }

  /** The numbers of one evaluation and their text, Markdown and JSON forms. */
  static final class Report {
    private final String commandLine;
    private final ClosedLoopEval.Settings settings;
    private final List<ClosedLoopEval.PolicyRun> runs;
    private final Map<String, List<Row>> rows = new LinkedHashMap<>();
    private final ZonedDateTime date = ZonedDateTime.now();

    Report(
        String commandLine, ClosedLoopEval.Settings settings, List<ClosedLoopEval.PolicyRun> runs) {
      this.commandLine = commandLine;
      this.settings = settings;
      this.runs = List.copyOf(runs);
      for (ClosedLoopEval.PolicyRun run : runs) {
        List<Row> r = new ArrayList<>();
        List<ClosedLoopEval.Episode> all = new ArrayList<>();
        for (Map.Entry<TaskFamily, List<ClosedLoopEval.Episode>> e : run.byFamily().entrySet()) {
          r.add(Row.of(name(e.getKey()), e.getValue()));
          all.addAll(e.getValue());
        }
        r.add(Row.of("mean", all));
        rows.put(run.policy(), r);
      }
    }

    /** Rows of one policy: one per family, then "mean". */
    List<Row> rows(String policy) {
      return rows.get(policy);
    }

    List<ClosedLoopEval.PolicyRun> runs() {
      return runs;
    }

    static String name(TaskFamily f) {
      return f.name().toLowerCase(Locale.ROOT);
    }

    private String seeds() {
      return settings.firstSeed() + ".." + (settings.firstSeed() + settings.episodes() - 1);
    }

    private static String machine() {
      return Runtime.getRuntime().availableProcessors()
          + " CPUs (nproc), "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.version")
          + " "
          + System.getProperty("os.arch")
          + ", Java "
          + System.getProperty("java.version");
    }

    private static String px(double v) {
      return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(double v) {
      return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String ms(double v) {
      return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    void print(PrintStream out) {
      out.println();
      out.printf(
          "Closed-loop evaluation on %s: %d episodes per family, seeds %s, %dx%d frames, replan %.2f s%s, %d stream(s)%n",
          settings.robot(),
          settings.episodes(),
          seeds(),
          settings.sizePx(),
          settings.sizePx(),
          settings.replanS(),
          Double.isNaN(settings.ensembleBiasPerS())
              ? ""
              : String.format(
                  Locale.ROOT, ", temporal ensembling bias %.2f/s", settings.ensembleBiasPerS()),
          settings.streams());
      StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-16s", "policy"));
      for (TaskFamily f : settings.families()) {
        head.append(String.format(Locale.ROOT, " %-24s", name(f)));
      }
      head.append(
          String.format(
              Locale.ROOT,
              " %-24s %9s %9s %9s",
              "mean over families",
              "grounding",
              "ToM mean",
              "ToM med"));
      out.println(head);
      for (Map.Entry<String, List<Row>> e : rows.entrySet()) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", e.getKey()));
        for (Row r : e.getValue()) {
          line.append(String.format(Locale.ROOT, " %-24s", r.rateWithCi()));
        }
        Row mean = e.getValue().get(e.getValue().size() - 1);
        line.append(
            String.format(
                Locale.ROOT,
                " %9s %9s %9s",
                pct(mean.grounding()),
                px(mean.traceMeanPx()),
                px(mean.traceMedianPx())));
        out.println(line);
      }
      out.println();
      out.printf(
          "%-16s %-16s %8s %8s %8s %17s %9s %9s %8s %9s %9s %9s%n",
          "policy",
          "family",
          "episodes",
          "success",
          "rate",
          "95% CI (Wilson)",
          "p50 ms",
          "p99 ms",
          "expired",
          "grounding",
          "ToM mean",
          "ToM med");
      for (Map.Entry<String, List<Row>> e : rows.entrySet()) {
        for (Row r : e.getValue()) {
          out.printf(
              Locale.ROOT,
              "%-16s %-16s %8d %8d %7.1f%% %7.1f%% - %5.1f%% %9s %9s %8d %9s %9s %9s%n",
              e.getKey(),
              r.family(),
              r.episodes(),
              r.successes(),
              100 * r.rate(),
              100 * r.ciLow(),
              100 * r.ciHigh(),
              ms(r.p50Ms()),
              ms(r.p99Ms()),
              r.expiredChunks(),
              pct(r.grounding()),
              px(r.traceMeanPx()),
              px(r.traceMedianPx()));
        }
      }
      for (ClosedLoopEval.PolicyRun run : runs) {
        if (!run.note().isEmpty()) {
          out.println(run.policy() + ": " + run.note());
        }
      }
      out.println(
          "grounding: share of traced chunks whose grounded mark lies on the instruction's object; ToM: trace "
              + "error in pixels at "
              + POLICY_INPUT_PX
              + " px over the executed replan window; n/a: no traces.");
    }

    String markdown() {
      StringBuilder md = new StringBuilder();
      md.append("## Closed-loop evaluation\n\n");
      md.append("- date: ")
          .append(date.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
          .append('\n');
      md.append("- machine: ").append(machine()).append('\n');
      md.append("- robot: ").append(settings.robot()).append('\n');
      md.append("- command: `").append(commandLine).append("`\n");
      md.append("- seeds: ")
          .append(seeds())
          .append(" for each family (")
          .append(settings.episodes())
          .append(" episodes per family), ")
          .append(settings.sizePx())
          .append("x")
          .append(settings.sizePx())
          .append(" frames, replan ")
          .append(settings.replanS())
          .append(" s, ")
          .append(
              Double.isNaN(settings.ensembleBiasPerS())
                  ? ""
                  : "temporal ensembling (bias " + settings.ensembleBiasPerS() + " /s), ")
          .append(settings.streams())
          .append(" concurrent stream(s)\n");
      md.append(
          "- success: rate with Wilson 95% interval; mean over families pools the episodes. The expert is the "
              + "simulator's scripted expert with privileged state; every other policy is served in-process over gRPC.\n");
      md.append(
          "- grounding: share of chunks with traces whose grounded mark (first trace) lies within max(3 px, half "
              + "the object's projected side) of the instruction's object's true centre; ToM error: pixel distance at "
              + POLICY_INPUT_PX
              + " px between trace point k and the true object centre k x 0.1 s later, within the "
              + "executed replan window; n/a when the policy produces no traces.\n\n");
      md.append("| policy |");
      for (TaskFamily f : settings.families()) {
        md.append(' ').append(name(f)).append(" |");
      }
      md.append(
          " mean over families | grounding | ToM error mean px | ToM error median px |\n|---|");
      md.append("---|".repeat(settings.families().size() + 4)).append('\n');
      for (Map.Entry<String, List<Row>> e : rows.entrySet()) {
        md.append("| ").append(e.getKey()).append(" |");
        for (Row r : e.getValue()) {
          md.append(' ').append(r.rateWithCi()).append(" |");
        }
        Row mean = e.getValue().get(e.getValue().size() - 1);
        md.append(' ')
            .append(pct(mean.grounding()))
            .append(" | ")
            .append(px(mean.traceMeanPx()))
            .append(" | ")
            .append(px(mean.traceMedianPx()))
            .append(" |\n");
      }
      md.append(
          "\n| policy | family | episodes | successes | p50 ms | p99 ms | expired chunks | grounding | "
              + "ToM mean px | ToM median px |\n|---|---|---|---|---|---|---|---|---|---|\n");
      for (Map.Entry<String, List<Row>> e : rows.entrySet()) {
        for (Row r : e.getValue()) {
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %d | %d | %s | %s | %d | %s | %s | %s |%n",
                  e.getKey(),
                  r.family(),
                  r.episodes(),
                  r.successes(),
                  ms(r.p50Ms()),
                  ms(r.p99Ms()),
                  r.expiredChunks(),
                  pct(r.grounding()),
                  px(r.traceMeanPx()),
                  px(r.traceMedianPx())));
        }
      }
      for (ClosedLoopEval.PolicyRun run : runs) {
        if (!run.note().isEmpty()) {
          md.append("\n- ").append(run.policy()).append(": ").append(run.note()).append('\n');
        }
      }
      return md.toString();
    }

    String json() throws IOException {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = mapper.createObjectNode();
      root.put("date", date.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      root.put("machine", machine());
      root.put("nproc", Runtime.getRuntime().availableProcessors());
      root.put("command", commandLine);
      root.put("robot", settings.robot());
      root.put("episodesPerFamily", settings.episodes());
      root.put("firstSeed", settings.firstSeed());
      root.put("lastSeed", settings.firstSeed() + settings.episodes() - 1);
      root.put("sizePx", settings.sizePx());
      root.put("replanS", settings.replanS());
      if (!Double.isNaN(settings.ensembleBiasPerS())) {
        root.put("temporalEnsembleBiasPerS", settings.ensembleBiasPerS());
      }
      root.put("streams", settings.streams());
      ArrayNode fams = root.putArray("families");
      settings.families().forEach(f -> fams.add(name(f)));
      ArrayNode pols = root.putArray("policies");
      for (ClosedLoopEval.PolicyRun run : runs) {
        ObjectNode p = pols.addObject();
        p.put("policy", run.policy());
        p.put("servedOverGrpc", run.served());
        if (!run.note().isEmpty()) {
          p.put("note", run.note());
        }
        ObjectNode byFamily = p.putObject("families");
        List<Row> r = rows.get(run.policy());
        for (Row row : r) {
          ObjectNode n =
              row.family().equals("mean")
                  ? p.putObject("meanOverFamilies")
                  : byFamily.putObject(row.family());
          n.put("episodes", row.episodes());
          n.put("successes", row.successes());
          n.put("rate", row.rate());
          n.put("ciLow", row.ciLow());
          n.put("ciHigh", row.ciHigh());
          number(n, "latencyP50Ms", row.p50Ms());
          number(n, "latencyP99Ms", row.p99Ms());
          n.put("expiredChunks", row.expiredChunks());
          n.put("groundedChunks", row.groundedChunks());
          number(n, "groundingAccuracy", row.grounding());
          n.put("tracePoints", row.tracePoints());
          number(n, "traceErrorMeanPx", row.traceMeanPx());
          number(n, "traceErrorMedianPx", row.traceMedianPx());
        }
        ArrayNode eps = p.putArray("episodes");
        for (List<ClosedLoopEval.Episode> list : run.byFamily().values()) {
          for (ClosedLoopEval.Episode e : list) {
            eps.addObject()
                .put("family", name(e.family()))
                .put("seed", e.seed())
                .put("success", e.success());
          }
        }
      }
      return mapper.writeValueAsString(root) + "\n";
    }

    private static void number(ObjectNode n, String key, double v) {
      if (Double.isNaN(v)) {
        n.putNull(key);
      } else {
        n.put(key, v);
      }
    }
  }
}
