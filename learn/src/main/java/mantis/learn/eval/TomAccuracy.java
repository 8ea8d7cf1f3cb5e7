package mantis.learn.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import mantis.calibration.CameraModel;
import mantis.core.Frame;
import mantis.core.PixelPoint;
import mantis.marks.tom.TomLabels;
import mantis.marks.tom.TomTrack;
import mantis.marks.tom.TraceExtractor;
import mantis.sim.Embodiment;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.SurfacePoint;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;

/**
 * Trace-of-Mark accuracy against the simulator's ground truth.
 *
 * <p>Clip {@code i} uses seed {@code firstSeed + i}; even clips run the ARM, odd ones the HAND, and
 * the task family cycles REACH, PUSH_DIRECTION, PUSH_TO_TARGET every two clips. The scene has
 * domain randomisation (lighting, texture, clutter, camera jitter) and per-frame camera shake
 * (scale 1: up to 4 mm and 0.4° per axis). The scripted expert drives the episode; the clip (H + 1
 * consecutive frames, one per physics step, at {@code sizePx} x {@code sizePx}) starts at a random
 * step of the expert's episode drawn from the seed.
 *
 * <p>Ground truth for each mark: the material point under the mark's first-frame pixel ({@link
 * TabletopSim#surfaceAt}: table, object top or side, object shadow, arm link or hand), carried
 * rigidly with that surface ({@link SurfacePoint#locate}) through the clip's world states and
 * projected with the FIRST frame's camera (camera motion removed, as the labels are). Shadow points
 * move with their object: a tracker of appearance cannot tell a shadow from the table under it.
 * Trace error: distance between the label's point and the true point in frames 1..H (frame 0 is
 * exact by construction and left out), for the float coordinates and for the 256-grid quantised
 * ones (bin centres). Moving/static truth: the true point gets further from its start than the
 * extractor's moving threshold ({@link TraceExtractor#movingMinDisplacementPx}) at some frame of
 * the clip.
 */
public final class TomAccuracy {
  private TomAccuracy() {}

  /** Camera shake used by the evaluation (see {@link SimConfig.Builder#optCameraShake}). */
  public static final double CAMERA_SHAKE = 1.0;

  /**
   * What {@link #run} measured.
   *
   * @param clips clips evaluated
   * @param firstSeed seed of the first clip
   * @param sizePx frame side
   * @param horizon H
   * @param marks marks evaluated (all clips)
   * @param movingMarks of which the extractor called moving
   * @param trueMovingMarks of which the ground truth says moving
   * @param correctMovingMarks marks the extractor called moving that the ground truth says moving
   * @param emptyClips clips that gave no mark
   * @param tracePoints (mark, frame) pairs in the trace error
   * @param medianErrorPx median trace error, float coordinates
   * @param p95ErrorPx 95th percentile trace error, float coordinates
   * @param medianQuantizedErrorPx median trace error of the 256-grid coordinates (in pixels)
   * @param p95QuantizedErrorPx 95th percentile of the same
   * @param movingMedianErrorPx median error over moving marks only
   * @param movingP95ErrorPx 95th percentile over moving marks only
   * @param splitAccuracy fraction of marks whose moving/static label matches the truth
   * @param extractionClipsPerS extraction throughput, one thread (frames in memory; rendering
   *     excluded)
   * @param extractionMedianMs median extraction time per clip
   */
  public record Report(
      int clips,
      long firstSeed,
      int sizePx,
      int horizon,
      int marks,
      int movingMarks,
      int trueMovingMarks,
      int correctMovingMarks,
      int emptyClips,
      long tracePoints,
      double medianErrorPx,
      double p95ErrorPx,
      double medianQuantizedErrorPx,
      double p95QuantizedErrorPx,
      double movingMedianErrorPx,
      double movingP95ErrorPx,
      double splitAccuracy,
      double extractionClipsPerS,
      double extractionMedianMs) {

    /** Whether the targets hold: median ≤ 1 px, p95 ≤ 3 px, split ≥ 95%. */
    public boolean meetsTargets() {
      return medianErrorPx <= 1.0 && p95ErrorPx <= 3.0 && splitAccuracy >= 0.95;
    }

    /** Of the marks called moving, the fraction that truly move (1 when none was called moving). */
    public double movingPrecision() {
      return movingMarks == 0 ? 1.0 : (double) correctMovingMarks / movingMarks;
    }

    /** Of the marks that truly move, the fraction called moving (1 when none truly moves). */
    public double movingRecall() {
      return trueMovingMarks == 0 ? 1.0 : (double) correctMovingMarks / trueMovingMarks;
    }

    /**
     * Whether the moving-mark targets (the policy's training labels) hold: precision and recall of
     * moving marks ≥ 90%, moving-mark trace error p95 ≤ 3 px.
     */
    public boolean meetsMovingTargets() {
      return movingPrecision() >= 0.90 && movingRecall() >= 0.90 && movingP95ErrorPx <= 3.0;
    }

    /** A few lines for people. */
    public String format() {
      return String.format(
          Locale.ROOT,
          "ToM accuracy: %d clips (seeds %d..%d, ARM/HAND alternating, all families), %dx%d, H=%d, camera jitter + shake%n"
              + "  marks %d (moving %d, truly moving %d), clips without marks %d, trace points %d%n"
              + "  trace error (px, first-frame coords): median %.3f  p95 %.3f   [target median <= 1, p95 <= 3]%n"
              + "  trace error, 256-grid quantised:      median %.3f  p95 %.3f%n"
              + "  trace error, moving marks only:       median %.3f  p95 %.3f   [target p95 <= 3]%n"
              + "  moving/static split correct: %.2f%%   [target >= 95%%]%n"
              + "  moving marks: precision %.2f%% (%d of %d called moving truly move), recall %.2f%% (%d of %d truly"
              + " moving)   [targets >= 90%%]%n"
              + "  extraction: %.1f clips/s on one thread (median %.2f ms per clip)%n"
              + "  targets %s, moving-mark targets %s",
          clips,
          firstSeed,
          firstSeed + clips - 1,
          sizePx,
          sizePx,
          horizon,
          marks,
          movingMarks,
          trueMovingMarks,
          emptyClips,
          tracePoints,
          medianErrorPx,
          p95ErrorPx,
          medianQuantizedErrorPx,
          p95QuantizedErrorPx,
          movingMedianErrorPx,
          movingP95ErrorPx,
          100 * splitAccuracy,
          100 * movingPrecision(),
          correctMovingMarks,
          movingMarks,
          100 * movingRecall(),
          correctMovingMarks,
          trueMovingMarks,
          extractionClipsPerS,
          extractionMedianMs,
          meetsTargets() ? "MET" : "NOT MET",
          meetsMovingTargets() ? "MET" : "NOT MET");
    }
  }

  /**
   * Runs {@code clips} clips from {@code firstSeed} at {@code sizePx} with the default extractor.
   */
  public static Report run(int clips, long firstSeed, int sizePx) {
    return run(clips, firstSeed, sizePx, TraceExtractor.builder().build(), CAMERA_SHAKE);
  }

  /** Like {@link #run(int, long, int)} with a given extractor and camera shake scale. */
  public static Report run(
      int clips, long firstSeed, int sizePx, TraceExtractor extractor, double cameraShake) {
    return run(clips, firstSeed, sizePx, List.of(extractor), cameraShake).get(0);
  }

  /**
   * Evaluates several extractors (of one horizon) on the same clips, each clip rendered once: one
   * report per extractor, in order. For comparing settings.
   */
  public static List<Report> run(
      int clips, long firstSeed, int sizePx, List<TraceExtractor> extractors, double cameraShake) {
    if (clips < 1) {
      throw new IllegalArgumentException("clips must be >= 1, got " + clips);
    }
    if (extractors.isEmpty()) {
      throw new IllegalArgumentException("no extractor");
    }
    int horizon = extractors.get(0).horizon();
    for (TraceExtractor x : extractors) {
      if (x.horizon() != horizon) {
        throw new IllegalArgumentException("all extractors need one horizon");
      }
    }
    Tally[] tallies = new Tally[extractors.size()];
    for (int j = 0; j < tallies.length; j++) {
      tallies[j] = new Tally(clips);
    }
    for (int i = 0; i < clips; i++) {
      long seed = firstSeed + i;
      Embodiment embodiment = (i % 2 == 0) ? Embodiment.ARM : Embodiment.HAND;
      TaskFamily family = TaskFamily.values()[(i / 2) % TaskFamily.values().length];
      TabletopSim sim =
          TabletopSim.create(
              SimConfig.builder()
                  .optEmbodiment(embodiment)
                  .optDomainRandomization(true)
                  .optCameraShake(cameraShake)
                  .build());
      int length = episodeLength(sim, seed, family);
      SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
      int offset = rng.nextInt(Math.max(1, length - horizon));
      ScriptedExpert expert = replay(sim, seed, family, offset);
      List<Frame> frames = new ArrayList<>(horizon + 1);
      List<WorldState> states = new ArrayList<>(horizon + 1);
      for (int t = 0; t <= horizon; t++) {
        frames.add(sim.render(sizePx, sizePx));
        states.add(sim.groundTruth());
        if (t < horizon) {
          step(sim, expert);
        }
      }
      replay(sim, seed, family, offset);
      CameraModel first = sim.renderCamera(sizePx, sizePx);
      for (int j = 0; j < extractors.size(); j++) {
        TraceExtractor extractor = extractors.get(j);
        Tally tally = tallies[j];
        long t0 = System.nanoTime();
        TomLabels labels = extractor.extract(frames, seed);
        long dt = System.nanoTime() - t0;
        tally.extractNanos += dt;
        tally.extractMs[i] = dt / 1e6;
        if (labels.isEmpty()) {
          tally.empty++;
          continue;
        }
        tally.add(labels, sim, first, states, sizePx, horizon, extractor.movingMinDisplacementPx());
      }
    }
    List<Report> out = new ArrayList<>(tallies.length);
    for (Tally t : tallies) {
      out.add(t.report(clips, firstSeed, sizePx, horizon));
    }
    return out;
  }

  /** Running sums of one extractor's evaluation. */
  private static final class Tally {
    final List<Double> errors = new ArrayList<>();
    final List<Double> qErrors = new ArrayList<>();
    final List<Double> movingErrors = new ArrayList<>();
    final double[] extractMs;
    long extractNanos;
    int marks;
    int moving;
    int trueMoving;
    int correctMoving;
    int correct;
    int empty;

    Tally(int clips) {
      extractMs = new double[clips];
    }

    void add(
        TomLabels labels,
        TabletopSim sim,
        CameraModel first,
        List<WorldState> states,
        int sizePx,
        int horizon,
        double threshold) {
      for (TomTrack track : labels.all()) {
        PixelPoint start = track.pointsPx().get(0);
        Optional<SurfacePoint> surface = sim.surfaceAt(sizePx, sizePx, start);
        if (surface.isEmpty()) {
          continue;
        }
        double trueReach = 0;
        List<Double> trackErrors = new ArrayList<>();
        for (int t = 1; t <= horizon; t++) {
          PixelPoint truth = first.project(surface.get().locate(states.get(t))).orElseThrow();
          trueReach =
              Math.max(trueReach, Math.hypot(truth.xPx() - start.xPx(), truth.yPx() - start.yPx()));
          PixelPoint est = track.pointsPx().get(t);
          double e = Math.hypot(est.xPx() - truth.xPx(), est.yPx() - truth.yPx());
          trackErrors.add(e);
          int[] q = track.quantized()[t];
          qErrors.add(
              Math.hypot(
                  TomLabels.dequantize(q[0], sizePx) - truth.xPx(),
                  TomLabels.dequantize(q[1], sizePx) - truth.yPx()));
        }
        errors.addAll(trackErrors);
        boolean isMoving = trueReach > threshold;
        if (track.moving()) {
          movingErrors.addAll(trackErrors);
          moving++;
          if (isMoving) {
            correctMoving++;
          }
        }
        if (isMoving) {
          trueMoving++;
        }
        if (isMoving == track.moving()) {
          correct++;
        }
        marks++;
      }
    }

    Report report(int clips, long firstSeed, int sizePx, int horizon) {
      double[] e = sorted(errors);
      double[] q = sorted(qErrors);
      double[] me = sorted(movingErrors);
      double[] ms = extractMs.clone();
      Arrays.sort(ms);
      return new Report(
          clips,
          firstSeed,
          sizePx,
          horizon,
          marks,
          moving,
          trueMoving,
          correctMoving,
          empty,
          e.length,
          quantile(e, 0.5),
          quantile(e, 0.95),
          quantile(q, 0.5),
          quantile(q, 0.95),
          quantile(me, 0.5),
          quantile(me, 0.95),
          marks == 0 ? 0 : (double) correct / marks,
          clips / (extractNanos / 1e9),
          ms[ms.length / 2]);
    }
  }

  private static int episodeLength(TabletopSim sim, long seed, TaskFamily family) {
    sim.reset(seed, family);
    ScriptedExpert expert = new ScriptedExpert();
    int n = 0;
    while (!sim.done()) {
      step(sim, expert);
      n++;
    }
    return n;
  }

  private static ScriptedExpert replay(TabletopSim sim, long seed, TaskFamily family, int steps) {
    sim.reset(seed, family);
    ScriptedExpert expert = new ScriptedExpert();
    for (int s = 0; s < steps; s++) {
      step(sim, expert);
    }
    return expert;
  }

  private static void step(TabletopSim sim, ScriptedExpert expert) {
    double[] a = expert.act(sim);
    if (sim.embodiment() == Embodiment.ARM) {
      sim.step(a);
    } else {
      sim.stepHand(a[0], a[1]);
    }
  }

  private static double[] sorted(List<Double> values) {
    double[] a = new double[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    Arrays.sort(a);
    return a;
  }

  private static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** {@code TomAccuracy [clips] [firstSeed] [sizePx]}: prints the report. */
  public static void main(String[] args) {
    int clips = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    long firstSeed = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    System.out.println(run(clips, firstSeed, size).format());
  }
}
