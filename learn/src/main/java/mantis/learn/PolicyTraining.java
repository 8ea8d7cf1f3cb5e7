package mantis.learn;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import mantis.core.RobotSpec;
import mantis.model.policy.ActionStats;
import mantis.model.policy.PolicyExample;
import mantis.model.policy.PolicyLearner;
import mantis.model.text.Vocabulary;

/**
 * A training run of the policy: shuffled batches for a fixed number of steps, held-out measurements
 * at intervals, a CSV and a PNG of the curves, and the bundle at the end.
 */
public final class PolicyTraining {
  /** Receives progress (from the training thread). */
  public interface Listener {
    void onStep(PolicyLearner.StepLosses losses, long totalSteps);

    default void onEvaluation(long step, PolicyLearner.Metrics heldOut) {}
  }

  /**
   * What a run produced.
   *
   * @param steps steps taken
   * @param seconds wall time of the training loop
   * @param last the last step's losses
   * @param heldOut the final held-out measurement
   */
  public record Result(
      long steps, double seconds, PolicyLearner.StepLosses last, PolicyLearner.Metrics heldOut) {}

  private PolicyTraining() {}

  /** Name of the checkpoint bundle a run keeps inside its output directory while it trains. */
  public static final String CHECKPOINT = "checkpoint";

  /**
   * {@link #run(PolicyLearner, PolicyLearner.Phase, List, List, int, int, double, long, int, Path,
   * RobotSpec, Listener)} without checkpoints.
   */
  public static Result run(
      PolicyLearner learner,
      PolicyLearner.Phase phase,
      List<PolicyExample> train,
      List<PolicyExample> heldOut,
      int steps,
      int batchSize,
      double learningRate,
      long shuffleSeed,
      int evalEvery,
      Path outDir,
      Listener listener)
      throws IOException {
    return run(
        learner,
        phase,
        train,
        heldOut,
        steps,
        batchSize,
        learningRate,
        shuffleSeed,
        evalEvery,
        outDir,
        null,
        listener);
  }

  /**
   * Trains {@code learner} for {@code steps} steps on {@code train}, measuring on {@code heldOut}
   * every {@code evalEvery} steps (and at the end), writing {@code <phase>-curves.csv} and {@code
   * .png} into {@code outDir}. With a robot, every {@code evalEvery} steps the weights so far are
   * also written as a bundle in {@code outDir/checkpoint} (a run that is interrupted leaves a
   * loadable bundle there); it is deleted when the run completes, since the caller then writes the
   * final bundle.
   */
  public static Result run(
      PolicyLearner learner,
      PolicyLearner.Phase phase,
      List<PolicyExample> train,
      List<PolicyExample> heldOut,
      int steps,
      int batchSize,
      double learningRate,
      long shuffleSeed,
      int evalEvery,
      Path outDir,
      RobotSpec checkpointRobot,
      Listener listener)
      throws IOException {
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    if (steps < 1 || batchSize < 1) {
      throw new IllegalArgumentException("steps and batch size must be >= 1");
    }
    Files.createDirectories(outDir);
    Random rnd = new Random(shuffleSeed);
    List<PolicyExample> order = new ArrayList<>(train);
    Collections.shuffle(order, rnd);
    int pos = 0;
    List<double[]> rows = new ArrayList<>();
    PolicyLearner.StepLosses last = null;
    PolicyLearner.Metrics metrics = null;
    long start = System.nanoTime();
    String prefix = phase.name().toLowerCase(Locale.ROOT);
    try (PrintWriter csv =
        new PrintWriter(
            Files.newBufferedWriter(
                outDir.resolve(prefix + "-curves.csv"), StandardCharsets.UTF_8))) {
      csv.println(
          "step,seconds,total,tokens,grounding,trace,action,heldout_token_acc,heldout_object_acc,"
              + "heldout_goal_acc,heldout_effector_acc,heldout_trace_px,heldout_effector_trace_px,heldout_action_rad");
      for (int s = 1; s <= steps; s++) {
        if (pos + batchSize > order.size()) {
          Collections.shuffle(order, rnd);
          pos = 0;
        }
        List<PolicyExample> batch = order.subList(pos, Math.min(order.size(), pos + batchSize));
        pos += batchSize;
        double lr =
            s > 0.8 * steps ? learningRate * 0.2 : learningRate; // a step decay for the last fifth
        last = learner.trainStep(batch, phase, lr);
        if (listener != null) {
          listener.onStep(last, steps);
        }
        boolean eval = !heldOut.isEmpty() && (s % evalEvery == 0 || s == steps);
        PolicyLearner.Metrics m = eval ? learner.evaluate(heldOut) : null;
        if (m != null) {
          metrics = m;
          if (listener != null) {
            listener.onEvaluation(s, m);
          }
        }
        if (checkpointRobot != null && s % evalEvery == 0 && s < steps) {
          learner.saveBundle(
              outDir.resolve(CHECKPOINT),
              checkpointRobot,
              digest(phase + " checkpoint at step " + s),
              evaluation(phase.name().toLowerCase(Locale.ROOT), metrics));
        }
        if (s % 10 == 0 || s == steps || m != null) {
          double[] row = {
            s,
            (System.nanoTime() - start) / 1e9,
            last.total(),
            last.tokens(),
            last.grounding(),
            last.trace(),
            last.action(),
            m == null ? Double.NaN : m.tokenAccuracy(),
            m == null ? Double.NaN : m.objectAccuracy(),
            m == null ? Double.NaN : m.goalAccuracy(),
            m == null ? Double.NaN : m.effectorAccuracy(),
            m == null ? Double.NaN : m.traceErrorPx(),
            m == null ? Double.NaN : m.effectorTraceErrorPx(),
            m == null ? Double.NaN : m.actionErrorRad()
          };
          rows.add(row);
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < row.length; i++) {
            sb.append(i == 0 ? "" : ",")
                .append(Double.isNaN(row[i]) ? "" : String.format(Locale.ROOT, "%.6g", row[i]));
          }
          csv.println(sb);
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    deleteCheckpoint(outDir.resolve(CHECKPOINT));
    plot(outDir.resolve(prefix + "-curves.png"), prefix, rows);
    return new Result(steps, seconds, last, metrics);
  }

  private static void deleteCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  private static void plot(Path png, String phase, List<double[]> rows) throws IOException {
    double[] x = new double[rows.size()];
    String[] names = {"total", "tokens", "grounding", "trace", "action"};
    List<double[]> series = new ArrayList<>();
    for (int k = 0; k < names.length; k++) {
      series.add(new double[rows.size()]);
    }
    for (int i = 0; i < rows.size(); i++) {
      x[i] = rows.get(i)[0];
      for (int k = 0; k < names.length; k++) {
        series.get(k)[i] = rows.get(i)[2 + k];
      }
    }
    List<String> keep = new ArrayList<>();
    List<double[]> keptSeries = new ArrayList<>();
    for (int k = 0; k < names.length; k++) {
      boolean any = false;
      for (double v : series.get(k)) {
        any |= Double.isFinite(v);
      }
      if (any) {
        keep.add(names[k]);
        keptSeries.add(series.get(k));
      }
    }
    CurvePlot.write(png, phase + " training loss", x, keep, keptSeries);
  }

  /** The held-out figures as a model card's evaluation map (finite values only). */
  public static Map<String, Double> evaluation(String prefix, PolicyLearner.Metrics m) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (m == null) {
      return out;
    }
    put(out, prefix + ".heldOutExamples", m.examples());
    put(out, prefix + ".tokenAccuracy", m.tokenAccuracy());
    put(out, prefix + ".objectGroundingAccuracy", m.objectAccuracy());
    put(out, prefix + ".goalGroundingAccuracy", m.goalAccuracy());
    put(out, prefix + ".effectorAccuracy", m.effectorAccuracy());
    put(out, prefix + ".traceErrorPx", m.traceErrorPx());
    put(out, prefix + ".effectorTraceErrorPx", m.effectorTraceErrorPx());
    put(out, prefix + ".actionErrorRad", m.actionErrorRad());
    return out;
  }

  private static void put(Map<String, Double> m, String k, double v) {
    if (Double.isFinite(v)) {
      m.put(k, v);
    }
  }

  /** SHA-256 (hex) of a text, for the card's training data digest. */
  public static String digest(String description) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(description.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A vocabulary of the examples' instructions. */
  public static Vocabulary vocabulary(List<PolicyExample> examples) {
    Vocabulary.Builder b = Vocabulary.builder();
    for (PolicyExample e : examples) {
      b.add(e.instruction());
    }
    return b.build();
  }

  /** Action statistics of the examples for {@code learner}'s sizes. */
  public static ActionStats stats(PolicyLearner learner, List<PolicyExample> examples) {
    return ActionStats.of(examples, learner.config().chunkLength(), learner.config().joints());
  }

  /** Writes the bundle. */
  public static void save(
      PolicyLearner learner,
      Path dir,
      RobotSpec robot,
      String description,
      Map<String, Double> evaluation)
      throws IOException {
    learner.saveBundle(dir, robot, digest(description), evaluation);
    Files.writeString(
        dir.resolve("TRAINING.txt"), description + System.lineSeparator(), StandardCharsets.UTF_8);
  }
}
