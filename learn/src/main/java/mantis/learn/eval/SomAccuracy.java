package mantis.learn.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.marks.MarkProposer;
import mantis.marks.Proposal;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TargetZone;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;

/**
 * Measures {@link MarkProposer} against the simulator's ground truth.
 *
 * <p>For seed {@code s} in {@code firstSeed .. firstSeed + frames - 1}: the arm sim with domain
 * randomisation and camera jitter on is reset to (s, family {@code s mod 3}); for odd seeds the
 * scripted expert first runs a random number of steps (0..250, drawn from the seed) so the arm is
 * in view and objects have moved. One frame is rendered at {@code sizePx} x {@code sizePx} and
 * proposed on. Every object's true centre is projected through the episode's jittered render camera
 * at the object's top-face height; it counts as marked when a mark centroid lies within 3 px. The
 * effector's truth is the pusher tip projected at the pusher's top (0.035 m). A mark is false when
 * its centroid lies on no object (footprint plus 2 px), no target zone (square plus 2 px) and not
 * within the effector's radius plus 3 px of the tip.
 *
 * <p>The same evaluation runs on the floating {@link Embodiment#HAND} (the sim's action-free video
 * embodiment; the scripted expert drives the hand): there the effector's truth is the palm centre
 * projected at the hand's height (0.05 m), and its radius is the palm's. {@link #main} prints both.
 *
 * <p>The default proposer was tuned on seeds 0..499; report on held-out seeds (100000..100499).
 */
public final class SomAccuracy {
  /** Distance within which a mark counts as on an object's centre, pixels. */
  public static final double TOLERANCE_PX = 3.0;

  /** Height of the arm pusher's top face, metres (the sim's renderer draws it there). */
  static final double PUSHER_TOP_Z_M = 0.035;

  /** Height of the floating hand's palm, metres (the sim's renderer draws it there). */
  static final double HAND_Z_M = 0.05;

  private static final double MARGIN_PX = 2.0;

  private SomAccuracy() {}

  /** Runs the evaluation on the arm with the default proposer. */
  public static SomReport run(int frames, long firstSeed, int sizePx) {
    return run(frames, firstSeed, sizePx, MarkProposer.defaults());
  }

  /** Runs the evaluation on the arm with {@code proposer}. */
  public static SomReport run(int frames, long firstSeed, int sizePx, MarkProposer proposer) {
    return run(frames, firstSeed, sizePx, proposer, Embodiment.ARM);
  }

  /** Runs the evaluation on {@code embodiment} with {@code proposer}. */
  public static SomReport run(
      int frames, long firstSeed, int sizePx, MarkProposer proposer, Embodiment embodiment) {
    if (frames < 1 || sizePx < 16) {
      throw new IllegalArgumentException("need frames >= 1 and sizePx >= 16");
    }
    boolean hand = embodiment == Embodiment.HAND;
    TabletopSim sim =
        TabletopSim.create(
            SimConfig.builder().optDomainRandomization(true).optEmbodiment(embodiment).build());
    ScriptedExpert expert = new ScriptedExpert();
    TaskFamily[] families = TaskFamily.values();
    int objects = 0;
    int objectsMarked = 0;
    int marks = 0;
    int falseMarks = 0;
    int targets = 0;
    int targetsMarked = 0;
    int effectorFrames = 0;
    int effectorMarked = 0;
    int effectorFlagged = 0;
    int mid = 0;
    List<Double> objectErrors = new ArrayList<>();
    List<Double> effectorErrors = new ArrayList<>();
    for (int k = 0; k < frames; k++) {
      long seed = firstSeed + k;
      sim.reset(seed, families[(int) Math.floorMod(seed, families.length)]);
      if ((seed & 1) == 1) {
        mid++;
        int steps = new SplittableRandom(seed * 31 + 7).nextInt(251);
        for (int i = 0; i < steps && !sim.done(); i++) {
          double[] act = expert.act(sim);
          if (hand) {
            sim.stepHand(act[0], act[1]);
          } else {
            sim.step(act);
          }
        }
      }
      Frame frame = sim.render(sizePx, sizePx);
      CameraModel cam = sim.renderCamera(sizePx, sizePx);
      WorldState truth = sim.groundTruth();
      Proposal proposal = proposer.analyse(frame);
      List<Mark> found = proposal.marks();
      marks += found.size();
      boolean[] explained = new boolean[found.size()];
      double pxPerM = pixelsPerMetre(cam);
      for (ObjectState o : truth.objects()) {
        Optional<PixelPoint> c = cam.project(new Vec3(o.xM(), o.yM(), o.heightM()));
        if (c.isEmpty() || !inside(c.get(), sizePx)) {
          continue;
        }
        objects++;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < found.size(); i++) {
          double d = distance(found.get(i).centroid(), c.get());
          best = Math.min(best, d);
          if (d <= o.halfSizeM() * pxPerM * Math.sqrt(2) + MARGIN_PX) {
            explained[i] = true;
          }
        }
        if (best <= TOLERANCE_PX) {
          objectsMarked++;
          objectErrors.add(best);
        }
      }
      for (TargetZone t : truth.targets()) {
        Optional<PixelPoint> c = cam.project(new Vec3(t.xM(), t.yM(), 0));
        if (c.isEmpty() || !inside(c.get(), sizePx)) {
          continue;
        }
        targets++;
        double half = t.halfSizeM() * pxPerM + MARGIN_PX;
        boolean any = false;
        for (int i = 0; i < found.size(); i++) {
          PixelPoint m = found.get(i).centroid();
          if (Math.abs(m.xPx() - c.get().xPx()) <= half
              && Math.abs(m.yPx() - c.get().yPx()) <= half) {
            explained[i] = true;
            any = true;
          }
        }
        if (any) {
          targetsMarked++;
        }
      }
      Optional<PixelPoint> tip =
          cam.project(
              new Vec3(truth.effectorXM(), truth.effectorYM(), hand ? HAND_Z_M : PUSHER_TOP_Z_M));
      if (tip.isPresent() && inside(tip.get(), sizePx)) {
        effectorFrames++;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < found.size(); i++) {
          double d = distance(found.get(i).centroid(), tip.get());
          best = Math.min(best, d);
          if (d <= truth.effectorRadiusM() * pxPerM + TOLERANCE_PX) {
            explained[i] = true;
          }
          if (found.get(i).id() == proposal.effectorMarkId()) {
            effectorErrors.add(d);
            if (d <= TOLERANCE_PX) {
              effectorFlagged++;
            }
          }
        }
        if (best <= TOLERANCE_PX) {
          effectorMarked++;
        }
      }
      for (boolean e : explained) {
        if (!e) {
          falseMarks++;
        }
      }
    }
    return new SomReport(
        frames,
        firstSeed,
        sizePx,
        embodiment,
        mid,
        objects,
        objectsMarked,
        TOLERANCE_PX,
        marks,
        falseMarks,
        targets,
        targetsMarked,
        effectorFrames,
        effectorMarked,
        effectorFlagged,
        percentile(effectorErrors, 0.5),
        percentile(objectErrors, 0.5),
        percentile(objectErrors, 0.95));
  }

  /**
   * Image scale of the table plane near the middle of the workspace (y = 0.36 m), pixels per metre.
   */
  public static double pixelsPerMetre(CameraModel cam) {
    PixelPoint a = cam.project(new Vec3(0, 0.36, 0)).orElseThrow();
    PixelPoint b = cam.project(new Vec3(0.1, 0.36, 0)).orElseThrow();
    return distance(a, b) / 0.1;
  }

  private static boolean inside(PixelPoint p, int size) {
    return p.xPx() >= 0 && p.yPx() >= 0 && p.xPx() <= size - 1 && p.yPx() <= size - 1;
  }

  private static double distance(PixelPoint a, PixelPoint b) {
    return Math.hypot(a.xPx() - b.xPx(), a.yPx() - b.yPx());
  }

  private static double percentile(List<Double> values, double q) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v[Math.min(v.length - 1, (int) Math.floor(q * (v.length - 1) + 0.5))];
  }

  /**
   * Prints the reports for the arm and the hand. Arguments: {@code [frames=500] [firstSeed=100000]
   * [sizePx=128]}.
   */
  public static void main(String[] args) {
    int frames = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    long first = args.length > 1 ? Long.parseLong(args[1]) : 100_000L;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    MarkProposer proposer = MarkProposer.defaults();
    System.out.println(run(frames, first, size, proposer, Embodiment.ARM).summary());
    System.out.println(run(frames, first, size, proposer, Embodiment.HAND).summary());
  }
}
