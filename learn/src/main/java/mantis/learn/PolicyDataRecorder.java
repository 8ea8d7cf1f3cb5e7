package mantis.learn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionModel;
import mantis.learn.eval.SomAccuracy;
import mantis.marks.MarkProposer;
import mantis.marks.MarkTracker;
import mantis.marks.Proposal;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.model.policy.PolicyLabels;
import mantis.server.FrameResizer;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TargetZone;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;
import mantis.sim.record.EpisodeMetadata;
import mantis.sim.record.EpisodeReader;
import mantis.sim.record.ObjectPose;
import mantis.sim.record.StepRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records policy training examples from scripted-expert episodes in the simulator (domain
 * randomisation on).
 *
 * <p>Episode k uses seed {@code firstSeed + k} and family {@code TaskFamily.values()[k % 3]}. A
 * frame is captured every {@code captureEverySteps} physics steps at the network's input size; the
 * Set-of-Mark proposer and a mark tracker (ids stable through the episode) give its marks. Labels:
 *
 * <ul>
 *   <li>latent tokens: the latent action model on (frame t, frame t + its horizon) at its own frame
 *       size, when a model is given (only on the 10 Hz grid; the horizon is 0.6 s);
 *   <li>trace (Trace-of-Mark): the tracked centroid of the object's mark at the next K chunk
 *       periods;
 *   <li>grounding: the mark nearest the instruction's object (and, for "onto a target", the target
 *       zone), from the simulator's annotation of the scene (its true centres projected through the
 *       render camera); the effector's mark is the one the proposer flags;
 *   <li>actions (only with {@code withActions}, arm only): the expert's joint targets at the H
 *       chunk times.
 * </ul>
 *
 * Video-only examples (the hand, or {@code withActions == false}) carry no joint state and no
 * actions.
 */
public final class PolicyDataRecorder {
  /** Latent action model frame rate and horizon: 10 frames/s, 6 frames (0.6 s). */
  public static final int LATENT_EVERY_STEPS = 5;

  static final int LATENT_HORIZON_FRAMES = 6;
  private static final double ARM_EFFECTOR_Z_M = 0.035;
  private static final Logger LOG = LoggerFactory.getLogger(PolicyDataRecorder.class);

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
   * Noise injection while recording labelled episodes (DART): the executed joint targets are the
   * expert's plus a smooth random offset per joint (an Ornstein-Uhlenbeck process with this
   * stationary standard deviation and a 0.5 s correlation time, seeded by the episode), so the
   * episodes visit states off the expert's path; the labels stay the expert's own targets, which
   * show how to recover. 0 (the default) turns it off.
   */
  public PolicyDataRecorder withActionNoise(double stdRad) {
    if (!(stdRad >= 0) || !Double.isFinite(stdRad)) {
      throw new IllegalArgumentException("action noise must be finite and >= 0, got " + stdRad);
    }
    this.actionNoiseRad = stdRad;
    return this;
  }

  /** One recorded frame before labelling. */
  private record Capture(
      int step,
      byte[] rgb,
      Frame small,
      List<Mark> marks,
      double[] motion,
      int effectorIndex,
      int objectIndex,
      int goalIndex,
      double[] q,
      double[] v) {}

  /**
   * Records {@code episodes} episodes.
   *
   * @param captureEverySteps physics steps between captured frames (5 = 10 Hz)
   * @param withActions keep the joint state and the expert's targets (arm only)
   * @param onEpisode called after each episode with the number of examples so far
   */
  public List<PolicyExample> record(
      Embodiment embodiment,
      long firstSeed,
      int episodes,
      int captureEverySteps,
      boolean withActions,
      IntConsumer onEpisode) {
    if (episodes < 0 || captureEverySteps < 1) {
      throw new IllegalArgumentException("episodes must be >= 0 and captureEverySteps >= 1");
    }
    if (withActions && embodiment != Embodiment.ARM) {
      throw new IllegalArgumentException("actions exist only for the arm");
    }
    TabletopSim sim =
        TabletopSim.create(
            SimConfig.builder().optDomainRandomization(true).optEmbodiment(embodiment).build());
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

  private void recordEpisode(
      TabletopSim sim,
      MarkProposer proposer,
      int every,
      boolean withActions,
      List<PolicyExample> out) {
    ScriptedExpert expert = new ScriptedExpert();
    Capturer capturer = new Capturer(proposer);
    int smallPx = latent == null ? 0 : latent.config().inputSizePx();
    boolean hand = sim.config().embodiment() == Embodiment.HAND;
    List<Capture> caps = new ArrayList<>();
    List<double[]> commands = new ArrayList<>();
    String instruction = sim.instruction();
    java.util.SplittableRandom noiseRng =
        new java.util.SplittableRandom(sim.seed() * 0x9E3779B97F4A7C15L + 17);
    double[] noise = new double[config.joints()];
    double dt = 1.0 / sim.config().physicsHz();
    double theta = 2.0;
    int step = 0;
    while (true) {
      if (step % every == 0 || step % LATENT_EVERY_STEPS == 0) {
        caps.add(
            captureLive(capturer, sim, step, step % LATENT_EVERY_STEPS == 0 ? smallPx : 0, !hand));
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
          noise[j] +=
              -theta * noise[j] * dt
                  + actionNoiseRad * Math.sqrt(2 * theta * dt) * gaussian(noiseRng);
          noisy[j] += noise[j];
        }
        sim.step(noisy);
      } else {
        sim.step(act);
      }
      step++;
    }
    int periodSteps = (int) Math.round(config.chunkPeriodMs() / 1000.0 * sim.config().physicsHz());
    label(caps, commands, periodSteps, every, withActions, instruction, out);
  }

  /**
   * One live frame at the network's input size with its marks and grounding (from the simulator's
   * ground truth), the frame at {@code smallPx} for the latent model when it is &gt; 0, and the
   * joint state when {@code joints}.
   */
  private Capture captureLive(
      Capturer capturer, TabletopSim sim, int step, int smallPx, boolean joints) {
    int s = config.inputSizePx();
    Frame frame = sim.render(s, s);
    WorldState truth = sim.groundTruth();
    ObjectState obj = truth.taskObject();
    Optional<TargetZone> target = truth.task().targetName().map(n -> truth.target(n).orElseThrow());
    Frame small = smallPx > 0 ? sim.render(smallPx, smallPx) : null;
    JointState js = joints ? sim.jointState() : null;
    return capturer.capture(
        step,
        frame,
        small,
        sim.renderCamera(s, s),
        obj.xM(),
        obj.yM(),
        obj.heightM(),
        obj.halfSizeM(),
        target,
        js == null ? null : js.positionsRad(),
        js == null ? null : velocities(js));
  }

  /**
   * Examples from a recorded arm episode (a directory written by {@link
   * mantis.sim.record.EpisodeRecorder}: a teleop recording or a recorded expert episode), labelled
   * exactly as a live episode: each step line with a frame is one example. The frame is resized to
   * the network's input size when it was recorded at another size (and to the latent model's size
   * for its tokens); marks come from the Set-of-Mark proposer and a mark tracker as live; the
   * object and target grounding from the step's object poses and the recorded render camera; the
   * joint state from the step; the action targets from the recorded actions (each line's action
   * holds for the {@code stepEvery} physics steps until the next line). Latent tokens are labelled
   * only when the frames fall on the latent model's 10 Hz grid (frames every 1 or 5 physics steps).
   *
   * @param episodeDir the episode directory (with {@code episode.json}, {@code steps.jsonl} and
   *     {@code frames/})
   * @throws IllegalArgumentException for a hand episode, an episode without frames, a joint count
   *     other than the network's, or steps out of order
   * @throws java.io.UncheckedIOException when the episode cannot be read
   */
  public List<PolicyExample> fromRecording(Path episodeDir) {
    Objects.requireNonNull(episodeDir, "episodeDir");
    if (!Files.isRegularFile(episodeDir.resolve("episode.json"))) {
      throw new IllegalArgumentException(
          episodeDir + " is not a recorded episode (no episode.json)");
    }
    EpisodeReader reader = EpisodeReader.open(episodeDir);
    EpisodeMetadata meta = reader.metadata();
    if (meta.embodiment() != Embodiment.ARM) {
      throw new IllegalArgumentException(
          "episode "
              + episodeDir
              + " is a "
              + meta.embodiment().name().toLowerCase(java.util.Locale.ROOT)
              + " episode; only arm episodes have joint actions to learn from");
    }
    if (meta.frameEvery() == 0 || meta.renderCamera().isEmpty()) {
      throw new IllegalArgumentException("episode " + episodeDir + " was recorded without frames");
    }
    if (meta.robot().jointCount() != config.joints()) {
      throw new IllegalArgumentException(
          "episode "
              + episodeDir
              + " has "
              + meta.robot().jointCount()
              + " joints but the policy has "
              + config.joints());
    }
    ObjectState obj =
        meta.objects().stream()
            .filter(o -> o.name().equals(meta.task().objectName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "episode "
                            + episodeDir
                            + " has no task object "
                            + meta.task().objectName()));
    Optional<TargetZone> target =
        meta.task()
            .targetName()
            .map(
                n ->
                    meta.targets().stream()
                        .filter(t -> t.name().equals(n))
                        .findFirst()
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "episode " + episodeDir + " has no target " + n)));
    int s = config.inputSizePx();
    CameraModel cam = meta.renderCamera().get().scaledTo(s, s);
    int smallPx = latent == null ? 0 : latent.config().inputSizePx();
    int frameSpacing = meta.stepEvery() * meta.frameEvery();
    boolean tokens = smallPx > 0 && LATENT_EVERY_STEPS % frameSpacing == 0;
    if (smallPx > 0 && !tokens) {
      LOG.warn(
          "episode {}: frames every {} physics steps are off the latent model's grid of {}; no latent tokens",
          episodeDir,
          frameSpacing,
          LATENT_EVERY_STEPS);
    }
    Capturer capturer = new Capturer(MarkProposer.defaults());
    List<Capture> caps = new ArrayList<>();
    List<double[]> commands = new ArrayList<>();
    long first = -1;
    long prev = -1;
    double[] held = null;
    try (Stream<StepRecord> steps = reader.steps()) {
      for (StepRecord r : (Iterable<StepRecord>) steps::iterator) {
        if (first < 0) {
          first = r.step();
        } else if (r.step() <= prev) {
          throw new IllegalArgumentException(
              "episode " + episodeDir + ": step " + r.step() + " follows step " + prev);
        }
        int step = Math.toIntExact(r.step() - first);
        while (held != null && commands.size() < step) {
          commands.add(held);
        }
        prev = r.step();
        double[] q = r.jointPositionsRad();
        if (q.length != config.joints() || (!r.isFinal() && r.action().length != config.joints())) {
          throw new IllegalArgumentException(
              "episode "
                  + episodeDir
                  + ", step "
                  + r.step()
                  + ": "
                  + q.length
                  + " joint positions and "
                  + r.action().length
                  + " action values, the policy has "
                  + config.joints()
                  + " joints");
        }
        if (!r.isFinal()) {
          held = r.action();
        }
        if (r.frame().isEmpty()) {
          continue;
        }
        Frame frame = FrameResizer.resize(reader.frame(r), s, s);
        Frame small =
            tokens && step % LATENT_EVERY_STEPS == 0
                ? FrameResizer.resize(frame, smallPx, smallPx)
                : null;
        ObjectPose pose =
            r.objects().stream()
                .filter(o -> o.name().equals(obj.name()))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "episode "
                                + episodeDir
                                + ", step "
                                + r.step()
                                + ": no pose of "
                                + obj.name()));
        double[] v = r.jointVelocitiesRadPerS();
        caps.add(
            capturer.capture(
                step,
                frame,
                small,
                cam,
                pose.xM(),
                pose.yM(),
                obj.heightM(),
                obj.halfSizeM(),
                target,
                q,
                v.length == q.length ? v : new double[q.length]));
      }
    }
    int periodSteps = (int) Math.round(config.chunkPeriodMs() / 1000.0 * meta.physicsHz());
    List<PolicyExample> out = new ArrayList<>();
    label(caps, commands, periodSteps, meta.stepEvery(), true, meta.instruction(), out);
    LOG.debug("{} examples from recorded episode {}", out.size(), episodeDir);
    return out;
  }

  /**
   * Marks and grounding of one frame: the Set-of-Mark proposer and the episode's mark tracker, the
   * mark nearest the task object and target as the camera sees them, and each mark's motion since
   * it was first seen.
   */
  private static final class Capturer {
    private final MarkProposer proposer;
    private final MarkTracker tracker = MarkTracker.create();
    private final java.util.Map<Integer, PixelPoint> firstSeen = new java.util.HashMap<>();

    Capturer(MarkProposer proposer) {
      this.proposer = proposer;
    }

    Capture capture(
        int step,
        Frame frame,
        Frame small,
        CameraModel cam,
        double objXM,
        double objYM,
        double objHeightM,
        double objHalfSizeM,
        Optional<TargetZone> target,
        double[] q,
        double[] v) {
      int s = frame.widthPx();
      Proposal proposal = proposer.analyse(frame);
      List<Mark> marks = tracker.update(proposal, s);
      int eff = indexOfId(marks, tracker.effectorMarkId());
      int objIdx =
          nearest(
              marks,
              cam.project(new Vec3(objXM, objYM, objHeightM)),
              Math.max(4.0, objHalfSizeM * SomAccuracy.pixelsPerMetre(cam) * 1.5));
      int goalIdx = -1;
      if (target.isPresent()) {
        TargetZone t = target.get();
        goalIdx =
            nearest(
                marks,
                cam.project(new Vec3(t.xM(), t.yM(), 0)),
                Math.max(4.0, t.halfSizeM() * SomAccuracy.pixelsPerMetre(cam) * 1.5));
      }
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
      return new Capture(step, frame.rgbUnsafe(), small, marks, motion, eff, objIdx, goalIdx, q, v);
    }
  }

  /**
   * Labels an episode's captures (live or recorded) into examples, one per capture on the {@code
   * every} grid.
   *
   * @param commands the joint targets in force at each physics step since the first capture
   * @param periodSteps physics steps per chunk period
   */
  private void label(
      List<Capture> caps,
      List<double[]> commands,
      int periodSteps,
      int every,
      boolean withActions,
      String instruction,
      List<PolicyExample> out) {
    label(caps, commands, null, periodSteps, every, withActions, instruction, out);
  }

  /**
   * Like {@link #label(List, List, int, int, boolean, String, List)}; with {@code expert} (one flag
   * per command: the expert's own target) a capture gets action targets and an effector trace only
   * when every command of its chunk window came from the expert. The others keep their grounding
   * and object trace: what the policy did is never learned as an action or a plan.
   */
  private void label(
      List<Capture> caps,
      List<double[]> commands,
      boolean[] expert,
      int periodSteps,
      int every,
      boolean withActions,
      String instruction,
      List<PolicyExample> out) {
    int[] tokens = latentTokens(caps);
    for (int i = 0; i < caps.size(); i++) {
      Capture c = caps.get(i);
      if (c.step % every != 0) {
        continue;
      }
      double[] trace = trace(caps, i, periodSteps, c.objectIndex, false);
      double[] effTrace = trace(caps, i, periodSteps, c.effectorIndex, true);
      double[] targets = null;
      boolean byExpert = expert == null || expertWindow(expert, c.step, periodSteps);
      if (!byExpert) {
        effTrace = null;
      }
      if (withActions && !commands.isEmpty() && byExpert) {
        targets = new double[config.chunkLength() * config.joints()];
        for (int k = 0; k < config.chunkLength(); k++) {
          int at = Math.min(commands.size() - 1, c.step + (k + 1) * periodSteps - 1);
          System.arraycopy(commands.get(at), 0, targets, k * config.joints(), config.joints());
        }
      }
      int[] tok =
          tokens == null || c.step % LATENT_EVERY_STEPS != 0 ? null : tokenFor(caps, tokens, i);
      PolicyLabels labels =
          new PolicyLabels(
              tok, c.objectIndex, c.goalIndex, c.effectorIndex, trace, effTrace, targets);
      boolean joints = withActions && c.q != null;
      out.add(
          new PolicyExample(
              c.rgb,
              instruction,
              c.marks,
              joints ? c.q : null,
              joints ? c.v : null,
              labels,
              c.motion));
    }
  }

  /** Whether every command from {@code step} to the end of its chunk window was the expert's. */
  private boolean expertWindow(boolean[] expert, int step, int periodSteps) {
    if (expert.length == 0) {
      return false;
    }
    int end = Math.min(expert.length - 1, step + config.chunkLength() * periodSteps - 1);
    for (int t = Math.min(step, expert.length - 1); t <= end; t++) {
      if (!expert[t]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A human-gated DAgger recording (HG-DAgger, with the scripted expert as the human): an episode
   * listener for a {@link mantis.sim.client.SimClient} driven by a learned policy. A shadow expert
   * follows the episode; when the policy's target for the pusher tip is more than {@code gateM}
   * from the expert's, the expert takes the arm over for {@code takeoverS} seconds and gives it
   * back (the policy is not judged again for {@code cooldownS}). Frames are captured as in {@link
   * #record}; only frames whose whole chunk window was driven by the expert get action targets, so
   * the policy learns the corrections from the states it reaches itself. Planar 3-joint arm only.
   * One episode at a time (one listener per stream); {@link #examples()} collects every episode's.
   *
   * @param captureEverySteps physics steps between captured frames
   * @param gateM tip disagreement that makes the expert take over, metres (&gt; 0)
   * @param takeoverS how long each takeover lasts, seconds (&gt; 0)
   * @param cooldownS policy time after a takeover before the gate may fire again, seconds (&ge; 0)
   */
  public GatedRecording gatedRecording(
      int captureEverySteps, double gateM, double takeoverS, double cooldownS) {
    if (captureEverySteps < 1 || !(gateM > 0) || !(takeoverS > 0) || !(cooldownS >= 0)) {
      throw new IllegalArgumentException(
          "need captureEverySteps >= 1, gate > 0 m, takeover > 0 s and cooldown >= 0 s");
    }
    if (config.joints() != 3) {
      throw new IllegalArgumentException(
          "gated recording drives the planar 3-joint arm; the policy has " + config.joints());
    }
    return new GatedRecording(captureEverySteps, gateM, takeoverS, cooldownS);
  }

  /** See {@link #gatedRecording}. */
  public final class GatedRecording implements mantis.sim.client.EpisodeListener {
    private final mantis.calibration.PlanarArmKinematics fk =
        mantis.calibration.PlanarArmKinematics.mantisPlanar3();
    private final int every;
    private final double gateM;
    private final double takeoverS;
    private final double cooldownS;
    private final List<PolicyExample> examples = new ArrayList<>();
    private ScriptedExpert expert;
    private Capturer capturer;
    private List<Capture> caps;
    private List<double[]> commands;
    private List<Boolean> byExpert;
    private int step;
    private int takeoverLeft;
    private int cooldownLeft;
    private int takeoverSteps;
    private int cooldownSteps;
    private long interventions;
    private long expertSteps;
    private long totalSteps;
    private int episodes;

    private GatedRecording(int every, double gateM, double takeoverS, double cooldownS) {
      this.every = every;
      this.gateM = gateM;
      this.takeoverS = takeoverS;
      this.cooldownS = cooldownS;
    }

    @Override
    public void onReset(TabletopSim sim) {
      if (sim.config().embodiment() != Embodiment.ARM
          || sim.jointState().positionsRad().length != 3) {
        throw new IllegalArgumentException("gated recording needs the planar 3-joint arm");
      }
      expert = new ScriptedExpert();
      capturer = new Capturer(MarkProposer.defaults());
      caps = new ArrayList<>();
      commands = new ArrayList<>();
      byExpert = new ArrayList<>();
      step = 0;
      takeoverLeft = 0;
      cooldownLeft = 0;
      takeoverSteps = Math.max(1, (int) Math.round(takeoverS * sim.config().physicsHz()));
      cooldownSteps = (int) Math.round(cooldownS * sim.config().physicsHz());
    }

    @Override
    public double[] onCommand(TabletopSim sim, double[] policyTargetsRad) {
      if (step % every == 0) {
        caps.add(captureLive(capturer, sim, step, 0, true));
      }
      double[] shadow = expert.act(sim);
      boolean takeover;
      if (takeoverLeft > 0) {
        takeoverLeft--;
        takeover = true;
        if (takeoverLeft == 0) {
          cooldownLeft = cooldownSteps;
        }
      } else if (cooldownLeft > 0) {
        cooldownLeft--;
        takeover = false;
      } else {
        var p = fk.forward(policyTargetsRad);
        var e = fk.forward(shadow);
        takeover = Math.hypot(p.xM() - e.xM(), p.yM() - e.yM()) > gateM;
        if (takeover) {
          interventions++;
          takeoverLeft = takeoverSteps - 1;
          if (takeoverLeft == 0) {
            cooldownLeft = cooldownSteps;
          }
        }
      }
      double[] chosen = takeover ? shadow : policyTargetsRad;
      commands.add(chosen.clone());
      byExpert.add(takeover);
      step++;
      totalSteps++;
      if (takeover) {
        expertSteps++;
      }
      return chosen;
    }

    @Override
    public void onEnd(TabletopSim sim, mantis.sim.client.EpisodeResult result) {
      boolean[] mask = new boolean[byExpert.size()];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = byExpert.get(i);
      }
      int periodSteps =
          (int) Math.round(config.chunkPeriodMs() / 1000.0 * sim.config().physicsHz());
      label(caps, commands, mask, periodSteps, every, true, sim.instruction(), examples);
      episodes++;
      caps = null;
      commands = null;
      byExpert = null;
    }

    /** Every finished episode's examples (those without action targets included). */
    public List<PolicyExample> examples() {
      return examples;
    }

    /** Examples with action targets (frames whose chunk window the expert drove). */
    public long labelledExamples() {
      return examples.stream().filter(e -> e.labels().targetsRad() != null).count();
    }

    /** Finished episodes. */
    public int episodes() {
      return episodes;
    }

    /** Takeovers so far. */
    public long interventions() {
      return interventions;
    }

    /** Share of physics steps the expert drove, in [0, 1]. */
    public double expertShare() {
      return totalSteps == 0 ? 0 : (double) expertSteps / totalSteps;
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

  /**
   * Tokens per capture index on the latent grid (pairs t, t + horizon), in one batch; null without
   * a model.
   */
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
   * A mark's tracked centroid at the next K chunk periods (the last seen position when it
   * vanishes): the mark with the same stream id, or for the effector the mark the proposer flags in
   * each frame.
   */
  private double[] trace(
      List<Capture> caps, int i, int periodSteps, int markIndex, boolean effector) {
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
      double d =
          Math.hypot(
              marks.get(i).centroid().xPx() - p.get().xPx(),
              marks.get(i).centroid().yPx() - p.get().yPx());
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }
}
