package mantis.model.policy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.PixelPoint;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;
import mantis.core.Trace;
import mantis.model.bundle.BundleException;
import mantis.model.bundle.ModelBundle;
import mantis.model.bundle.ModelCard;
import mantis.model.serve.BatchPredictor;
import mantis.model.serve.PolicyModel;
import mantis.model.text.Vocabulary;

/**
 * The Mantis policy loaded from a model bundle, ready to serve: the weights are shared, each {@link
 * #newPredictor()} gets its own native scratch memory.
 *
 * <p>A chunk holds H joint targets at {@code (k + 1) x period} (k = 0..H-1) from the observation,
 * the current joint positions plus the decoder's changes; it is valid for H periods from the moment
 * it is made (server clock). The chunk's latent tokens are the argmax tokens, its first trace the
 * grounded object mark's: the mark's centroid now, then K predicted positions one period apart; the
 * second trace (when the effector was found) is the effector mark's planned path, the same way.
 *
 * <p>Episode memory: the network reads how far each mark has moved since the episode's first
 * observation (pushing "left" means 8 cm from where the object started, which one frame cannot
 * show). The model remembers the first position of every mark id per (robot id, episode id), so it
 * needs mark ids that are stable through an episode, as a {@code Control} stream gives;
 * observations with an empty episode id get no motion. Step 0 starts the episode's memory afresh;
 * at most {@value #MAX_EPISODES} episodes are remembered (least recently used forgotten). The frame
 * must be at the bundle's input size (the server resizes it); other sizes are resized here by
 * nearest neighbour.
 */
public final class MantisPolicyModel implements PolicyModel {
  static final String WEIGHTS = "weights.bin";
  static final String VOCABULARY = "vocabulary.json";
  static final String STATS = "stats.json";

  /** Time step over which the tip's velocity is taken from the joint velocities, seconds. */
  private static final double VELOCITY_PROBE_S = 0.01;

  /** Episodes whose mark start positions are remembered at once. */
  static final int MAX_EPISODES = 4096;

  /** What a bundle holds, read and verified. */
  record Loaded(
      ModelCard card,
      PolicyConfig config,
      Vocabulary vocabulary,
      ActionStats stats,
      byte[] weights,
      GoalFramePlan plan) {
    /** A network with these weights (the caller closes it). */
    PolicyNet network(Path dir) throws BundleException {
      PolicyNet net = new PolicyNet(config, vocabulary.size());
      try {
        net.loadWeights(weights);
        return net;
      } catch (IOException e) {
        net.close();
        throw new BundleException("model bundle " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  private final ModelCard card;
  private final PolicyConfig config;
  private final Vocabulary vocabulary;
  private final ActionStats stats;
  private final PolicyNet net;
  private final MonotonicClock clock;
  private final PolicyInfo info;
  private final GoalFramePlan plan;
  private final CameraModel camera;
  private final RobotModel robotModel;
  private final java.util.LinkedHashMap<String, java.util.Map<Integer, PixelPoint>> memory =
      new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(
            java.util.Map.Entry<String, java.util.Map<Integer, PixelPoint>> e) {
          return size() > MAX_EPISODES;
        }
      };

  private MantisPolicyModel(
      Loaded l, PolicyNet net, MonotonicClock clock, String version, RobotModel robotModel) {
    this.card = l.card();
    this.config = l.config();
    this.vocabulary = l.vocabulary();
    this.stats = l.stats();
    this.net = net;
    this.clock = clock;
    this.plan = l.plan();
    this.robotModel = robotModel;
    this.camera = CameraModel.mantisDefault(config.inputSizePx(), config.inputSizePx());
    this.info =
        new PolicyInfo(
            "mantis",
            version,
            card.jointNames(),
            config.inputSizePx(),
            config.inputSizePx(),
            config.chunkLength(),
            card.toJson());
  }

  static Loaded read(Path dir, RobotSpec robot) throws IOException {
    ModelBundle bundle = ModelBundle.open(dir, robot);
    ModelCard card = bundle.card();
    if (!card.architecture().name().equals(PolicyConfig.ARCHITECTURE)) {
      throw new BundleException(
          "model bundle "
              + dir
              + ": architecture '"
              + card.architecture().name()
              + "' is not "
              + PolicyConfig.ARCHITECTURE);
    }
    for (String f : List.of(WEIGHTS, VOCABULARY, STATS)) {
      if (!card.files().containsKey(f)) {
        throw new BundleException(
            "model bundle " + dir + ": " + ModelCard.FILE_NAME + " does not list " + f);
      }
    }
    try {
      PolicyConfig config = PolicyConfig.fromSizes(card.architecture().sizes());
      if (config.joints() != robot.jointCount()) {
        throw new BundleException(
            "model bundle "
                + dir
                + ": network drives "
                + config.joints()
                + " joints, robot "
                + robot.name()
                + " has "
                + robot.jointCount());
      }
      if (config.chunkLength() != card.chunkLength()
          || config.inputSizePx() != card.inputSizePx()) {
        throw new BundleException(
            "model bundle "
                + dir
                + ": card's chunkLength/inputSizePx disagree with its"
                + " architecture sizes");
      }
      Vocabulary vocab =
          Vocabulary.fromJson(new String(bundle.bytes(VOCABULARY), StandardCharsets.UTF_8));
      ActionStats stats =
          ActionStats.fromJson(new String(bundle.bytes(STATS), StandardCharsets.UTF_8));
      if (stats.chunkLength() != config.chunkLength() || stats.joints() != config.joints()) {
        throw new BundleException(
            "model bundle " + dir + ": " + STATS + " does not match the architecture");
      }
      GoalFramePlan plan = null;
      if (card.files().containsKey(GoalFramePlan.FILE)) {
        try {
          plan = GoalFramePlan.fromBytes(bundle.bytes(GoalFramePlan.FILE));
        } catch (IOException e) {
          throw new BundleException("model bundle " + dir + ": " + e.getMessage(), e);
        }
      }
      return new Loaded(card, config, vocab, stats, bundle.bytes(WEIGHTS), plan);
    } catch (IllegalArgumentException e) {
      throw new BundleException("model bundle " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens and verifies a bundle (hashes, fields, joint names) and loads its weights.
   *
   * @param clock the server's monotonic clock (sets each chunk's validity)
   * @throws BundleException when the bundle is refused, with the reason
   */
  public static MantisPolicyModel open(Path dir, RobotSpec robot, MonotonicClock clock)
      throws IOException {
    Objects.requireNonNull(clock, "clock");
    Loaded l = read(dir, robot);
    PolicyNet net = l.network(dir);
    String version = "mantis-" + l.card().files().get(WEIGHTS).substring(0, 12);
    RobotModel model = null;
    if (l.plan() != null) {
      try {
        model = RobotModels.forName(robot.name());
      } catch (IllegalArgumentException e) {
        net.close();
        throw new BundleException(
            "model bundle "
                + dir
                + " plans the effector's path and needs the kinematics of robot "
                + robot.name()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return new MantisPolicyModel(l, net, clock, version, model);
  }

  @Override
  public PolicyInfo info() {
    return info;
  }

  /** The bundle's card. */
  public ModelCard card() {
    return card;
  }

  /** FLOPs of one forward pass (multiply-adds counted as two), for benchmarks. */
  public long forwardFlops() {
    PolicyConfig c = config;
    long n = (long) c.grid() * c.grid();
    long w = c.width();
    long patchIn = 3L * c.patchPx() * c.patchPx();
    long flops = 2 * n * patchIn * w + 2 * n * w * w;
    flops +=
        2L * c.maxMarks() * n * w + 2L * c.maxMarks() * ((Features.MARK_GEOMETRY + w) * w + w * w);
    flops +=
        2L * c.maxWords() * (vocabulary.size() * c.wordDim() + 3L * c.wordDim() * w + w * 4)
            + 2L * 4 * w * w;
    flops += 3 * 2L * c.maxMarks() * (w * w + w) + 3 * 2L * w * w;
    long trunkIn = 6 * w + 16 + Features.jointFeatures(c.joints());
    long h = c.hidden();
    flops +=
        2 * (trunkIn * h + h * h + h * c.tokens() * c.codebookSize() + 2 * h * c.traceLength() * 2);
    long decIn =
        c.tokens() * c.codebookSize()
            + c.traceLength() * 2
            + 2
            + Features.jointFeatures(c.joints());
    flops += 2 * (decIn * h + h * h + h * (long) c.chunkLength() * c.joints());
    return flops;
  }

  @Override
  public BatchPredictor newPredictor() {
    return new Predictor();
  }

  private final class Predictor implements BatchPredictor {
    private final NDManager manager = NDManager.newBaseManager(PolicyNet.defaultDevice());

    @Override
    public List<ActionChunk> predict(List<Observation> observations, List<List<Mark>> marks) {
      if (observations.size() != marks.size()) {
        throw new IllegalArgumentException(
            observations.size() + " observations but " + marks.size() + " mark lists");
      }
      long start = clock.nanoTime();
      List<PolicyExample> examples = new ArrayList<>(observations.size());
      for (int i = 0; i < observations.size(); i++) {
        examples.add(example(observations.get(i), marks.get(i)));
      }
      Features f = Features.of(examples, config, vocabulary);
      PolicyLearner.Prediction[] preds = PolicyLearner.decode(net, f, config, stats, manager);
      if (plan != null) {
        for (int i = 0; i < preds.length; i++) {
          replan(preds[i], examples.get(i), f.usedMarks.get(i), observations.get(i));
        }
      }
      long made = clock.nanoTime();
      long period = config.chunkPeriodMs() * 1_000_000L;
      List<ActionChunk> out = new ArrayList<>(preds.length);
      for (int i = 0; i < preds.length; i++) {
        PolicyLearner.Prediction p = preds[i];
        List<ActionPoint> points = new ArrayList<>(config.chunkLength());
        for (int k = 0; k < config.chunkLength(); k++) {
          double[] q = new double[config.joints()];
          System.arraycopy(p.targetsRad, k * config.joints(), q, 0, config.joints());
          points.add(new ActionPoint(q, (k + 1) * period));
        }
        List<Trace> traces = List.of();
        List<Mark> used = f.usedMarks.get(i);
        if (p.object >= 0) {
          Mark m = used.get(p.object);
          List<PixelPoint> pts = new ArrayList<>(config.traceLength() + 1);
          pts.add(m.centroid());
          for (int k = 0; k < config.traceLength(); k++) {
            pts.add(new PixelPoint(p.tracePx[2 * k], p.tracePx[2 * k + 1]));
          }
          traces = new ArrayList<>(List.of(new Trace(m.id(), pts)));
        }
        boolean effectorMark = p.effector >= 0 && p.effector != p.object;
        if (effectorMark || (p.effectorOriginPx != null && p.object >= 0)) {
          Mark e = used.get(effectorMark ? p.effector : p.object);
          List<PixelPoint> pts = new ArrayList<>(config.traceLength() + 1);
          pts.add(p.effectorOriginPx != null ? p.effectorOriginPx : e.centroid());
          for (int k = 0; k < config.traceLength(); k++) {
            pts.add(new PixelPoint(p.effectorTracePx[2 * k], p.effectorTracePx[2 * k + 1]));
          }
          traces = new ArrayList<>(traces);
          traces.add(new Trace(e.id(), pts));
        }
        Map<String, Long> stages = new LinkedHashMap<>();
        stages.put("forward", made - start);
        out.add(
            new ActionChunk(
                info.jointNames(),
                points,
                made + config.chunkLength() * period,
                p.tokens,
                marks.get(i),
                traces,
                info.version(),
                stages));
      }
      return out;
    }

    /**
     * Replaces the effector trace by the goal-frame plan's, when it can make one. The plan starts
     * at the arm's tip from its joints (projected at the effector mark's height), and so does the
     * trace.
     */
    private void replan(
        PolicyLearner.Prediction p, PolicyExample e, List<Mark> used, Observation obs) {
      if (p.object < 0 || !e.hasJoints()) {
        return;
      }
      // The target zone as the plan grounds it, learned from video (the network's object grounding
      // is kept: it did better than the plan's in closed loop).
      if (plan.kindOf(e.instruction()) == GoalFramePlan.GoalKind.TARGET) {
        java.util.OptionalInt g =
            plan.ground(GoalFramePlan.Role.GOAL, e.instruction(), used, p.object);
        if (g.isPresent()) {
          p.goal = g.getAsInt();
        }
      }
      double[] q = e.jointPositionsRad();
      Vec3 tip = robotModel.reach().tip(q);
      double[] ahead = q.clone();
      double[] v = e.jointVelocitiesRadPerS();
      for (int j = 0; j < q.length; j++) {
        ahead[j] += v[j] * VELOCITY_PROBE_S;
      }
      Vec3 next = robotModel.reach().tip(ahead);
      double[] velocity = {
        (next.xM() - tip.xM()) / VELOCITY_PROBE_S, (next.yM() - tip.yM()) / VELOCITY_PROBE_S
      };
      Optional<PixelPoint> tipPx =
          camera.project(new Vec3(tip.xM(), tip.yM(), GoalFramePlan.EFFECTOR_Z_M));
      if (tipPx.isEmpty()) {
        return;
      }
      Mark object = used.get(p.object);
      int at = e.marks().indexOf(object);
      PixelPoint start = at >= 0 ? GoalFramePlan.objectStart(e, at) : object.centroid();
      // Where the object started as first seen in the episode: a mark renumbered later (after the
      // arm hid it) would start again where it was seen again, and move the goal of a push.
      plan.plan(
              e.instruction(),
              used,
              p.object,
              p.goal,
              tipPx.get(),
              velocity,
              objectStart(obs, start),
              camera)
          .filter(t -> t.length == p.effectorTracePx.length)
          .ifPresent(
              t -> {
                p.effectorTracePx = t;
                p.effectorOriginPx = tipPx.get();
              });
    }

    private PolicyExample example(Observation o, List<Mark> marks) {
      Frame frame = o.frame();
      int s = config.inputSizePx();
      byte[] rgb =
          frame.widthPx() == s && frame.heightPx() == s ? frame.rgbUnsafe() : nearest(frame, s);
      List<Mark> scaled = marks;
      if (frame.widthPx() != s || frame.heightPx() != s) {
        scaled = new ArrayList<>(marks.size());
        double sx = (double) s / frame.widthPx();
        double sy = (double) s / frame.heightPx();
        for (Mark m : marks) {
          scaled.add(
              new Mark(
                  m.id(),
                  new PixelPoint(m.centroid().xPx() * sx, m.centroid().yPx() * sy),
                  new mantis.core.PixelBox(
                      m.box().xPx() * sx,
                      m.box().yPx() * sy,
                      m.box().widthPx() * sx,
                      m.box().heightPx() * sy),
                  m.areaPx() * sx * sy,
                  m.meanRgb()));
        }
      }
      double[] q = o.jointState().positionsRad();
      double[] v = o.jointState().velocitiesRadPerS();
      if (q.length != config.joints()) {
        throw new IllegalArgumentException(
            "joint state has "
                + q.length
                + " positions, the policy drives "
                + config.joints()
                + " joints");
      }
      if (v.length != q.length) {
        v = new double[q.length];
      }
      return new PolicyExample(
          rgb, o.instruction(), scaled, q, v, PolicyLabels.NONE, motion(o, scaled));
    }

    @Override
    public void close() {
      manager.close();
    }
  }

  /** Episode memory key (mark ids start at 1) of where the plan's object started. */
  private static final int OBJECT_START_KEY = -1;

  /**
   * Where the plan's object started in {@code o}'s episode: {@code now} on the episode's first
   * plan, remembered and returned from then on; {@code now} itself without an episode id.
   */
  PixelPoint objectStart(Observation o, PixelPoint now) {
    if (o.episodeId().isEmpty()) {
      return now;
    }
    String key = o.episodeKey();
    synchronized (memory) {
      return memory
          .computeIfAbsent(key, k -> new java.util.HashMap<>())
          .computeIfAbsent(OBJECT_START_KEY, k -> now);
    }
  }

  /**
   * Each mark's motion since its first observation in this episode (null without an episode id).
   */
  private double[] motion(Observation o, List<Mark> marks) {
    if (o.episodeId().isEmpty()) {
      return null;
    }
    String key = o.episodeKey();
    double[] out = new double[2 * marks.size()];
    synchronized (memory) {
      if (o.step() == 0) {
        memory.remove(key);
      }
      java.util.Map<Integer, PixelPoint> first =
          memory.computeIfAbsent(key, k -> new java.util.HashMap<>());
      for (int i = 0; i < marks.size(); i++) {
        PixelPoint now = marks.get(i).centroid();
        PixelPoint start = first.putIfAbsent(marks.get(i).id(), now);
        if (start != null) {
          out[2 * i] = now.xPx() - start.xPx();
          out[2 * i + 1] = now.yPx() - start.yPx();
        }
      }
    }
    return out;
  }

  private static byte[] nearest(Frame f, int s) {
    byte[] src = f.rgbUnsafe();
    byte[] out = new byte[s * s * 3];
    for (int y = 0; y < s; y++) {
      int sy = Math.min(f.heightPx() - 1, (int) ((y + 0.5) * f.heightPx() / s));
      for (int x = 0; x < s; x++) {
        int sx = Math.min(f.widthPx() - 1, (int) ((x + 0.5) * f.widthPx() / s));
        System.arraycopy(src, (sy * f.widthPx() + sx) * 3, out, (y * s + x) * 3, 3);
      }
    }
    return out;
  }

  @Override
  public void close() {
    net.close();
  }
}
