package mantis.server.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionModel;
import mantis.marks.MarkProposer;
import mantis.marks.MarkTracker;
import mantis.marks.Proposal;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.model.policy.PolicyLabels;
import mantis.server.eval.SomAccuracy;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TargetZone;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;

/**
 * Records policy training examples from scripted-expert episodes in the simulator (domain randomisation on).
 *
 * <p>Episode k uses seed {@code firstSeed + k} and family {@code TaskFamily.values()[k % 3]}. A frame is
 * captured every {@code captureEverySteps} physics steps at the network's input size; the Set-of-Mark
 * proposer and a mark tracker (ids stable through the episode) give its marks. Labels:
 *
 * <ul>
 *   <li>latent tokens: the latent action model on (frame t, frame t + its horizon) at its own frame size, when a
 *       model is given (only on the 10 Hz grid; the horizon is 0.6 s);
 *   <li>trace (Trace-of-Mark): the tracked centroid of the object's mark at the next K chunk periods;
 *   <li>grounding: the mark nearest the instruction's object (and, for "onto a target", the target zone), from
 *       the simulator's annotation of the scene (its true centres projected through the render camera); the
 *       effector's mark is the one the proposer flags;
 *   <li>actions (only with {@code withActions}, arm only): the expert's joint targets at the H chunk times.
 * </ul>
 *
 * Video-only examples (the hand, or {@code withActions == false}) carry no joint state and no actions.
 */
public final class PolicyDataRecorder {
  /** Latent action model frame rate and horizon: 10 frames/s, 6 frames (0.6 s). */
  public static final int LATENT_EVERY_STEPS = 5;
  static final int LATENT_HORIZON_FRAMES = 6;
  private static final double ARM_EFFECTOR_Z_M = 0.035;

  private final PolicyConfig config;
  private final LatentActionModel latent;
  private double actionNoiseRad;

  /**
   * @param config the network's sizes (input size, K, H, chunk period)
   * @param latent labels latent tokens; null for none
   */
  public PolicyDataRecorder(PolicyConfig config, LatentActionModel latent) {
    this.config = Objects.requireNonNull(config, "config");
    this.latent = latent;
  }

  /**
   * Noise injection while recording labelled episodes (DART): the executed joint targets are the expert's plus a
   * smooth random offset per joint (an Ornstein-Uhlenbeck process with this stationary standard deviation and a
   * 0.5 s correlation time, seeded by the episode), so the episodes visit states off the expert's path; the labels
   * stay the expert's own targets, which show how to recover. 0 (the default) turns it off.
   */
  public PolicyDataRecorder withActionNoise(double stdRad) {
    if (!(stdRad >= 0) || !Double.isFinite(stdRad)) {
      throw new IllegalArgumentException("action noise must be finite and >= 0, got " + stdRad);
    }
    this.actionNoiseRad = stdRad;
    return this;
  }

  /** One recorded frame before labelling. */
  private record Capture(int step, byte[] rgb, Frame small, List<Mark> marks, double[] motion, int effectorIndex,
      int objectIndex, int goalIndex, double[] q, double[] v) {}

  /**
   * Records {@code episodes} episodes.
   *
   * @param captureEverySteps physics steps between captured frames (5 = 10 Hz)
   * @param withActions keep the joint state and the expert's targets (arm only)
   * @param onEpisode called after each episode with the number of examples so far
   */
  public List<PolicyExample> record(Embodiment embodiment, long firstSeed, int episodes, int captureEverySteps,
      boolean withActions, IntConsumer onEpisode) {
    if (episodes < 0 || captureEverySteps < 1) {
      throw new IllegalArgumentException("episodes must be >= 0 and captureEverySteps >= 1");
    }
    if (withActions && embodiment != Embodiment.ARM) {
      throw new IllegalArgumentException("actions exist only for the arm");
    }
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true)
        .optEmbodiment(embodiment).build());
    MarkProposer proposer = MarkProposer.defaults();
    List<PolicyExample> out = new ArrayList<>();
    TaskFamily[] families = TaskFamily.values();
    for (int k = 0; k < episodes; k++) {
      long seed = firstSeed + k;
      sim.reset(seed, families[k % families.length]);
      recordEpisode(sim, proposer, captureEverySteps, withActions, out);
      if (onEpisode != null) {
        onEpisode.accept(out.size());
      }
    }
    return out;
  }

  private void recordEpisode(TabletopSim sim, MarkProposer proposer, int every, boolean withActions,
      List<PolicyExample> out) {
    ScriptedExpert expert = new ScriptedExpert();
    MarkTracker tracker = MarkTracker.create();
    int s = config.inputSizePx();
    int smallPx = latent == null ? 0 : latent.config().inputSizePx();
    boolean hand = sim.config().embodiment() == Embodiment.HAND;
    List<Capture> caps = new ArrayList<>();
    java.util.Map<Integer, PixelPoint> firstSeen = new java.util.HashMap<>();
    List<double[]> commands = new ArrayList<>();
    String instruction = sim.instruction();
    java.util.SplittableRandom noiseRng = new java.util.SplittableRandom(sim.seed() * 0x9E3779B97F4A7C15L + 17);
    double[] noise = new double[config.joints()];
    double dt = 1.0 / sim.config().physicsHz();
    double theta = 2.0;
    int step = 0;
    while (true) {
      if (step % every == 0 || step % LATENT_EVERY_STEPS == 0) {
        Frame frame = sim.render(s, s);
        Proposal proposal = proposer.analyse(frame);
        List<Mark> marks = tracker.update(proposal, s);
        int eff = indexOfId(marks, tracker.effectorMarkId());
        WorldState truth = sim.groundTruth();
        CameraModel cam = sim.renderCamera(s, s);
        ObjectState obj = truth.taskObject();
        int objIdx = nearest(marks, cam.project(new Vec3(obj.xM(), obj.yM(), obj.heightM())),
            Math.max(4.0, obj.halfSizeM() * SomAccuracy.pixelsPerMetre(cam) * 1.5));
        int goalIdx = -1;
        if (truth.task().targetName().isPresent()) {
          TargetZone t = truth.target(truth.task().targetName().get()).orElseThrow();
          goalIdx = nearest(marks, cam.project(new Vec3(t.xM(), t.yM(), 0)),
              Math.max(4.0, t.halfSizeM() * SomAccuracy.pixelsPerMetre(cam) * 1.5));
        }
        Frame small = smallPx > 0 && step % LATENT_EVERY_STEPS == 0 ? sim.render(smallPx, smallPx) : null;
        JointState js = hand ? null : sim.jointState();
        double[] motion = new double[2 * marks.size()];
        for (int i = 0; i < marks.size(); i++) {
          PixelPoint c0 = firstSeen.get(marks.get(i).id());
          PixelPoint now = marks.get(i).centroid();
          if (c0 == null) {
            firstSeen.put(marks.get(i).id(), now);
          } else {
            motion[2 * i] = now.xPx() - c0.xPx();
            motion[2 * i + 1] = now.yPx() - c0.yPx();
          }
        }
        caps.add(new Capture(step, frame.rgbUnsafe(), small, marks, motion, eff, objIdx, goalIdx,
            js == null ? null : js.positionsRad(), js == null ? null : velocities(js)));
      }
      if (sim.done()) {
        break;
      }
      double[] act = expert.act(sim);
      commands.add(act.clone());
      if (hand) {
        sim.stepHand(act[0], act[1]);
      } else if (withActions && actionNoiseRad > 0) {
        double[] noisy = act.clone();
        for (int j = 0; j < noise.length && j < noisy.length; j++) {
          noise[j] += -theta * noise[j] * dt + actionNoiseRad * Math.sqrt(2 * theta * dt) * gaussian(noiseRng);
          noisy[j] += noise[j];
        }
        sim.step(noisy);
      } else {
        sim.step(act);
      }
      step++;
    }
    int periodSteps = (int) Math.round(config.chunkPeriodMs() / 1000.0 * sim.config().physicsHz());
    int[] tokens = latentTokens(caps);
    for (int i = 0; i < caps.size(); i++) {
      Capture c = caps.get(i);
      if (c.step % every != 0) {
        continue;
      }
      double[] trace = trace(caps, i, periodSteps, c.objectIndex, false);
      double[] effTrace = trace(caps, i, periodSteps, c.effectorIndex, true);
      double[] targets = null;
      if (withActions && !commands.isEmpty()) {
        targets = new double[config.chunkLength() * config.joints()];
        for (int k = 0; k < config.chunkLength(); k++) {
          int at = Math.min(commands.size() - 1, c.step + (k + 1) * periodSteps - 1);
          System.arraycopy(commands.get(at), 0, targets, k * config.joints(), config.joints());
        }
      }
      int[] tok = tokens == null || c.step % LATENT_EVERY_STEPS != 0 ? null : tokenFor(caps, tokens, i);
      PolicyLabels labels = new PolicyLabels(tok, c.objectIndex, c.goalIndex, c.effectorIndex, trace, effTrace,
          targets);
      boolean joints = withActions && c.q != null;
      out.add(new PolicyExample(c.rgb, instruction, c.marks, joints ? c.q : null, joints ? c.v : null, labels,
          c.motion));
    }
  }

  private static double gaussian(java.util.SplittableRandom r) {
    double u = Math.max(1e-12, r.nextDouble());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static double[] velocities(JointState js) {
    double[] v = js.velocitiesRadPerS();
    return v.length == js.positionsRad().length ? v : new double[js.positionsRad().length];
  }

  /** Tokens per capture index on the latent grid (pairs t, t + horizon), in one batch; null without a model. */
  private int[] latentTokens(List<Capture> caps) {
    if (latent == null) {
      return null;
    }
    List<Integer> grid = new ArrayList<>();
    for (int i = 0; i < caps.size(); i++) {
      if (caps.get(i).small != null) {
        grid.add(i);
      }
    }
    List<Frame> a = new ArrayList<>();
    List<Frame> b = new ArrayList<>();
    for (int g = 0; g + LATENT_HORIZON_FRAMES < grid.size(); g++) {
      a.add(caps.get(grid.get(g)).small);
      b.add(caps.get(grid.get(g + LATENT_HORIZON_FRAMES)).small);
    }
    int t = latent.config().tokens();
    int[] flat = new int[caps.size() * t];
    java.util.Arrays.fill(flat, -1);
    for (int from = 0; from < a.size(); from += 256) {
      int to = Math.min(a.size(), from + 256);
      int[][] codes = latent.encode(new FramePairs(a.subList(from, to), b.subList(from, to)));
      for (int p = 0; p < codes.length; p++) {
        System.arraycopy(codes[p], 0, flat, grid.get(from + p) * t, t);
      }
    }
    return flat;
  }

  private int[] tokenFor(List<Capture> caps, int[] tokens, int i) {
    int t = latent.config().tokens();
    if (tokens[i * t] < 0) {
      return null;
    }
    return java.util.Arrays.copyOfRange(tokens, i * t, (i + 1) * t);
  }

  /**
   * A mark's tracked centroid at the next K chunk periods (the last seen position when it vanishes): the mark
   * with the same stream id, or for the effector the mark the proposer flags in each frame.
   */
  private double[] trace(List<Capture> caps, int i, int periodSteps, int markIndex, boolean effector) {
    Capture c = caps.get(i);
    if (markIndex < 0) {
      return null;
    }
    int id = c.marks.get(markIndex).id();
    PixelPoint last = c.marks.get(markIndex).centroid();
    double[] out = new double[config.traceLength() * 2];
    int j = i;
    for (int k = 0; k < config.traceLength(); k++) {
      int wantStep = c.step + (k + 1) * periodSteps;
      while (j + 1 < caps.size() && caps.get(j).step < wantStep) {
        j++;
      }
      Capture f = caps.get(j);
      if (f.step >= wantStep || j == caps.size() - 1) {
        int idx = effector ? f.effectorIndex : indexOfId(f.marks, id);
        if (idx >= 0 && f.step <= wantStep) {
          last = f.marks.get(idx).centroid();
        }
      }
      out[2 * k] = last.xPx();
      out[2 * k + 1] = last.yPx();
    }
    return out;
  }

  private static int indexOfId(List<Mark> marks, int id) {
    for (int i = 0; i < marks.size(); i++) {
      if (marks.get(i).id() == id) {
        return i;
      }
    }
    return -1;
  }

  private static int nearest(List<Mark> marks, Optional<PixelPoint> p, double maxPx) {
    if (p.isEmpty()) {
      return -1;
    }
    int best = -1;
    double bestD = maxPx;
    for (int i = 0; i < marks.size(); i++) {
      double d = Math.hypot(marks.get(i).centroid().xPx() - p.get().xPx(), marks.get(i).centroid().yPx()
          - p.get().yPx());
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }
}
