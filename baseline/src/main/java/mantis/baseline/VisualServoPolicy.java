package mantis.baseline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import mantis.calibration.CameraModel;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TablePoint;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;
import mantis.core.Trace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classical visual-servo baseline: finds the instructed object (and target zone) in the frame
 * by colour with OpenCV, maps pixel centroids to the table through the calibrated camera, and moves
 * the arm's tip there with inverse kinematics, reaching the object or pushing it (approach from
 * behind, then push through). It uses the pixels and the joint state only.
 *
 * <p>It drives any arm with kinematics ({@link RobotModels}): it plans the tip's path on the table,
 * takes the tip from the arm's forward kinematics and its joint targets from the arm's {@link
 * mantis.calibration.kinematics.TableReach} (a spatial arm's tool points down at {@link
 * Builder#optTipHeightM the tip height}). On the planar 3-joint arm a push also turns the last link
 * gradually toward the push direction.
 *
 * <p>Instructions it understands: "reach|touch|go to the &lt;colour&gt; &lt;shape&gt;", "push the
 * &lt;colour&gt; &lt;shape&gt; left|right|up|down" and "push the &lt;colour&gt; &lt;shape&gt; onto
 * the &lt;colour&gt; target" (and the suite's other phrasings of these). An instruction without a
 * known colour makes {@link #predict} throw {@link IllegalArgumentException}.
 *
 * <p>It remembers a little per (robot id, episode id): where the object started and which phase a
 * push is in, so a push stops after the requested distance. Thread-safe.
 *
 * <pre>{@code
 * Policy policy = VisualServoPolicy.builder()
 *     .setRobot(RobotSpecs.mantisPlanar3())
 *     .setCamera(CameraModel.mantisDefault(640, 480))
 *     .build();
 * }</pre>
 */
public final class VisualServoPolicy implements Policy {
  /** Reported in every chunk. */
  public static final String VERSION = "visual-servo-1";

  /**
   * Height of a spatial arm's tool tip above the table while it reaches and pushes, metres: the
   * pusher's end just clear of the table.
   */
  public static final double DEFAULT_TIP_HEIGHT_M = 0.01;

  private static final Logger LOG = LoggerFactory.getLogger(VisualServoPolicy.class);
  private static final int MAX_EPISODES = 1024;
  private static final double BLOCK_FILL_RATIO = 0.88;

  private final RobotSpec robot;
  private final CameraModel camera;
  private final RobotModel model;
  private final int chunkLength;
  private final long pointSpacingNanos;
  private final long validityNanos;
  private final MonotonicClock clock;
  private final double blockHeightM;
  private final double discHeightM;
  private final ColourDetector detector;
  private final TaskPlanner planner;
  private final TrajectoryBuilder trajectories;
  private final PolicyInfo info;
  private final Map<String, EpisodeMemory> episodes =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, EpisodeMemory> eldest) {
          return size() > MAX_EPISODES;
        }
      };
  private final Map<Long, CameraModel> camerasBySize = new ConcurrentHashMap<>();

  private VisualServoPolicy(Builder b) {
    this.robot = b.robot;
    this.camera = b.camera;
    this.model = b.resolvedModel;
    this.chunkLength = b.chunkLength;
    this.pointSpacingNanos = b.pointSpacingNanos;
    this.validityNanos =
        b.validityNanos > 0 ? b.validityNanos : b.chunkLength * b.pointSpacingNanos;
    this.clock = b.clock;
    this.blockHeightM = b.blockHeightM;
    this.discHeightM = b.discHeightM;
    this.detector = ColourDetector.defaults();
    this.planner =
        new TaskPlanner(b.pusherRadiusM, b.maxTipSpeedMPerS, b.pushSpeedMPerS, b.pushDistanceM);
    this.trajectories =
        new TrajectoryBuilder(
            model.reach(), b.planarHeading, b.tipHeightM, robot, b.limitFraction, 0.03, 1.5);
    this.info =
        new PolicyInfo(
            "visual-servo",
            VERSION,
            robot.jointNames(),
            b.inputWidthPx,
            b.inputHeightPx,
            chunkLength,
            "{\"name\":\"visual-servo\",\"kind\":\"classical baseline\",\"inputs\":\"rgb frame, joint state\"}");
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public PolicyInfo info() {
    return info;
  }

  @Override
  public ActionChunk predict(Observation observation) {
    Objects.requireNonNull(observation, "observation");
    JointState state = observation.jointState();
    if (state.size() != robot.jointCount()) {
      throw new IllegalArgumentException(
          "joint state has "
              + state.size()
              + " joints, robot "
              + robot.name()
              + " has "
              + robot.jointCount());
    }
    if (!state.isFinite()) {
      throw new IllegalArgumentException("joint state is not finite");
    }
    Instruction instruction = Instruction.parse(observation.instruction());
    long t0 = clock.nanoTime();

    // Detect.
    Frame frame = observation.frame();
    CameraModel cam = cameraFor(frame.widthPx(), frame.heightPx());
    List<Blob> blobs = detector.detect(frame);
    List<SceneObject> scene = locate(blobs, cam, instruction);
    long t1 = clock.nanoTime();

    // Plan.
    double[] q0 = state.positionsRad();
    double[] v0 =
        state.velocitiesRadPerS().length == q0.length
            ? state.velocitiesRadPerS()
            : new double[q0.length];
    Vec3 tipNow = model.reach().tip(q0);
    TablePoint tip = new TablePoint(tipNow.xM(), tipNow.yM());
    EpisodeMemory memory = memoryFor(observation);
    Plan plan;
    SceneObject object;
    synchronized (memory) {
      object = select(scene, instruction);
      SceneObject target =
          instruction
              .targetColour()
              .flatMap(
                  c -> scene.stream().filter(o -> o.target() && o.blob().colour() == c).findFirst())
              .orElse(null);
      plan = planWithMemory(instruction, memory, tip, object, target, scene);
    }
    List<double[]> targets = trajectories.build(q0, v0, plan, chunkLength, pointSpacingNanos / 1e9);
    List<ActionPoint> points = new ArrayList<>(chunkLength);
    for (int k = 0; k < targets.size(); k++) {
      points.add(new ActionPoint(targets.get(k), (k + 1) * pointSpacingNanos));
    }
    long t2 = clock.nanoTime();

    List<Mark> marks = new ArrayList<>(scene.size());
    for (SceneObject o : scene) {
      Blob b = o.blob();
      marks.add(new Mark(o.markId(), b.centroid(), b.box(), b.areaPx(), b.meanRgb()));
    }
    List<Trace> traces = new ArrayList<>();
    if (object != null && !plan.objectPath().isEmpty()) {
      double z = object.disc() ? discHeightM : blockHeightM;
      List<PixelPoint> pts = new ArrayList<>();
      for (TablePoint p : plan.objectPath()) {
        cam.project(new Vec3(p.xM(), p.yM(), z)).ifPresent(pts::add);
      }
      if (!pts.isEmpty()) {
        traces.add(new Trace(object.markId(), pts));
      }
    }
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("detect", t1 - t0);
    stages.put("plan", t2 - t1);
    if (LOG.isTraceEnabled()) {
      LOG.trace(
          "{} step {}: {} ({} marks, tip {}, object {})",
          observation.episodeId(),
          observation.step(),
          plan.note(),
          marks.size(),
          tip,
          object == null ? null : object.centre());
    }
    return new ActionChunk(
        robot.jointNames(),
        points,
        clock.nanoTime() + validityNanos,
        new int[0],
        marks,
        traces,
        VERSION,
        stages);
  }

  private Plan planWithMemory(
      Instruction instruction,
      EpisodeMemory memory,
      TablePoint tip,
      SceneObject object,
      SceneObject target,
      List<SceneObject> scene) {
    TablePoint objectCentre;
    double half;
    boolean disc;
    if (object != null) {
      objectCentre = object.centre();
      half = object.halfSizeM();
      disc = object.disc();
      if (memory.objectStart == null) {
        memory.objectStart = objectCentre;
      }
      memory.objectLast = objectCentre;
      memory.objectHalfSizeM = half;
      memory.objectDisc = disc;
      memory.objectAreaPx = object.blob().areaPx();
    } else if (memory.objectLast != null) {
      objectCentre = memory.objectLast;
      half = memory.objectHalfSizeM;
      disc = memory.objectDisc;
    } else {
      return Plan.hold("object not seen");
    }
    TablePoint targetCentre = target != null ? target.centre() : memory.targetLast;
    if (target != null) {
      memory.targetLast = target.centre();
    }
    List<SceneObject> obstacles = new ArrayList<>();
    for (SceneObject o : scene) {
      if (!o.target() && o != object) {
        obstacles.add(o);
      }
    }
    return planner.plan(
        instruction, memory, tip, objectCentre, half, disc, targetCentre, obstacles);
  }

  /**
   * Locates every blob on the table and numbers them: solid objects first (left to right), then
   * targets.
   */
  private List<SceneObject> locate(List<Blob> blobs, CameraModel cam, Instruction instruction) {
    List<Blob> solids = new ArrayList<>();
    Map<Palette, List<Blob>> outlines = new LinkedHashMap<>();
    for (Blob b : blobs) {
      boolean targetColour = instruction.targetColour().map(c -> c == b.colour()).orElse(false);
      if (b.isOutline() || targetColour) {
        outlines.computeIfAbsent(b.colour(), k -> new ArrayList<>()).add(b);
      } else {
        solids.add(b);
      }
    }
    solids.sort(
        Comparator.comparingDouble((Blob b) -> b.centroid().xPx())
            .thenComparingDouble(b -> b.centroid().yPx()));
    List<SceneObject> out = new ArrayList<>();
    int id = 1;
    for (Blob b : solids) {
      boolean disc = b.fillRatio() < BLOCK_FILL_RATIO;
      if (b.colour() == instruction.colour() && instruction.shape().isPresent()) {
        disc = instruction.shape().get().equals("disc");
      }
      double z = disc ? discHeightM : blockHeightM;
      Optional<TablePoint> centre = cam.pixelToTable(b.centroid(), z);
      if (centre.isEmpty()) {
        continue;
      }
      out.add(new SceneObject(id++, b, centre.get(), halfSize(cam, b, z), disc, false));
    }
    for (List<Blob> parts : outlines.values()) {
      Blob merged = union(parts);
      Optional<TablePoint> centre = cam.pixelToTable(merged.boxCentre(), 0);
      if (centre.isEmpty()) {
        continue;
      }
      out.add(new SceneObject(id++, merged, centre.get(), halfSize(cam, merged, 0), false, true));
    }
    return out;
  }

  /**
   * The instructed object: solid blobs of its colour, the best match for its shape, then the
   * largest.
   */
  private static SceneObject select(List<SceneObject> scene, Instruction instruction) {
    SceneObject best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (SceneObject o : scene) {
      if (o.target() || o.blob().colour() != instruction.colour()) {
        continue;
      }
      double score = o.blob().areaPx();
      if (instruction.shape().isPresent()) {
        boolean wantDisc = instruction.shape().get().equals("disc");
        boolean looksDisc = o.blob().fillRatio() < BLOCK_FILL_RATIO;
        if (wantDisc == looksDisc) {
          score += 1e6;
        }
      }
      if (score > bestScore) {
        bestScore = score;
        best = o;
      }
    }
    return best;
  }

  private static Blob union(List<Blob> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    double x0 = Double.POSITIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    double area = 0;
    double cx = 0;
    double cy = 0;
    for (Blob b : parts) {
      x0 = Math.min(x0, b.box().xPx());
      y0 = Math.min(y0, b.box().yPx());
      x1 = Math.max(x1, b.box().xPx() + b.box().widthPx());
      y1 = Math.max(y1, b.box().yPx() + b.box().heightPx());
      area += b.areaPx();
      cx += b.centroid().xPx() * b.areaPx();
      cy += b.centroid().yPx() * b.areaPx();
    }
    mantis.core.PixelBox box = new mantis.core.PixelBox(x0, y0, x1 - x0, y1 - y0);
    return new Blob(
        parts.get(0).colour(),
        new PixelPoint(cx / area, cy / area),
        box,
        area,
        area / Math.max(1, box.widthPx() * box.heightPx()),
        parts.get(0).meanRgb());
  }

  /** Half the mean of the box's width and height, measured on the plane z. */
  private static double halfSize(CameraModel cam, Blob b, double z) {
    PixelPoint a = new PixelPoint(b.box().xPx() - 0.5, b.box().yPx() - 0.5);
    PixelPoint c =
        new PixelPoint(
            b.box().xPx() + b.box().widthPx() - 0.5, b.box().yPx() + b.box().heightPx() - 0.5);
    Optional<TablePoint> ta = cam.pixelToTable(a, z);
    Optional<TablePoint> tc = cam.pixelToTable(c, z);
    if (ta.isEmpty() || tc.isEmpty()) {
      return 0.025;
    }
    double w = Math.abs(tc.get().xM() - ta.get().xM());
    double h = Math.abs(tc.get().yM() - ta.get().yM());
    return (w + h) / 4;
  }

  private CameraModel cameraFor(int widthPx, int heightPx) {
    long key = ((long) widthPx << 32) | heightPx;
    return camerasBySize.computeIfAbsent(key, k -> camera.scaledTo(widthPx, heightPx));
  }

  private EpisodeMemory memoryFor(Observation o) {
    String key = o.episodeKey();
    synchronized (episodes) {
      EpisodeMemory m = episodes.get(key);
      if (m == null || !m.instruction.equals(o.instruction()) || o.step() < m.lastStep) {
        m = new EpisodeMemory(o.instruction());
        episodes.put(key, m);
      }
      m.lastStep = o.step();
      return m;
    }
  }

  /** Forgets every episode's memory. */
  public void resetMemory() {
    synchronized (episodes) {
      episodes.clear();
    }
  }

  @Override
  public void close() {
    resetMemory();
  }

  /** Builds a {@link VisualServoPolicy}; {@code setX} are required, {@code optX} optional. */
  public static final class Builder {
    private RobotSpec robot;
    private CameraModel camera;
    private RobotModel model;
    private PlanarArmKinematics planarKinematics;
    private RobotModel resolvedModel;
    private PlanarArmKinematics planarHeading;
    private double tipHeightM = DEFAULT_TIP_HEIGHT_M;
    private int chunkLength = 8;
    private long pointSpacingNanos = 100_000_000L;
    private long validityNanos = -1;
    private MonotonicClock clock = MonotonicClock.system();
    private double pusherRadiusM = 0.02;
    private double maxTipSpeedMPerS = 0.35;
    private double pushSpeedMPerS = 0.12;
    private double pushDistanceM = 0.12;
    private double limitFraction = 0.85;
    private double blockHeightM = 0.03;
    private double discHeightM = 0.02;
    private int inputWidthPx = 128;
    private int inputHeightPx = 128;

    private Builder() {}

    /**
     * The frame size reported in {@link #info()} as the one the policy works at (callers may resize
     * frames to it); default 128x128, the size it is evaluated at. Frames of any size are accepted.
     */
    public Builder optInputSizePx(int widthPx, int heightPx) {
      this.inputWidthPx = widthPx;
      this.inputHeightPx = heightPx;
      return this;
    }

    /**
     * The arm's joint names and limits (required); its kinematics are {@link
     * RobotModels#forName}{@code (robot.name())} unless {@link #optRobotModel} gives them.
     */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** The calibrated camera (required), at any size: it is rescaled to each frame's size. */
    public Builder setCamera(CameraModel camera) {
      this.camera = camera;
      return this;
    }

    /**
     * The arm's kinematics; default {@link RobotModels#forName}{@code (robot.name())}. Its joint
     * names must be the robot's.
     */
    public Builder optRobotModel(RobotModel model) {
      this.model = model;
      return this;
    }

    /**
     * Kinematics of the planar 3-joint arm for a robot model that is {@link RobotModels#planar3()}:
     * its heading preference while pushing uses this solver; default the Mantis planar arm (0.30,
     * 0.25, 0.10 m). Ignored for other arms.
     */
    public Builder optKinematics(PlanarArmKinematics kinematics) {
      this.planarKinematics = kinematics;
      return this;
    }

    /**
     * Height of the tool tip above the table for a spatial arm's targets; default {@value
     * #DEFAULT_TIP_HEIGHT_M} m. A planar arm ignores it.
     */
    public Builder optTipHeightM(double tipHeightM) {
      this.tipHeightM = tipHeightM;
      return this;
    }

    /** Points per chunk (H); default 8. */
    public Builder optChunkLength(int chunkLength) {
      this.chunkLength = chunkLength;
      return this;
    }

    /** Time between chunk points; default 100 ms. */
    public Builder optPointSpacingNanos(long pointSpacingNanos) {
      this.pointSpacingNanos = pointSpacingNanos;
      return this;
    }

    /** How long a chunk stays valid after it is made; default its duration (H x spacing). */
    public Builder optValidityNanos(long validityNanos) {
      this.validityNanos = validityNanos;
      return this;
    }

    /** Clock for {@code valid_until} and stage timing; default the system clock. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Radius of the round pusher at the tip; default 0.02 m. */
    public Builder optPusherRadiusM(double pusherRadiusM) {
      this.pusherRadiusM = pusherRadiusM;
      return this;
    }

    /** Tip speed when moving freely; default 0.35 m/s. */
    public Builder optMaxTipSpeedMPerS(double maxTipSpeedMPerS) {
      this.maxTipSpeedMPerS = maxTipSpeedMPerS;
      return this;
    }

    /** Tip speed while pushing; default 0.12 m/s. */
    public Builder optPushSpeedMPerS(double pushSpeedMPerS) {
      this.pushSpeedMPerS = pushSpeedMPerS;
      return this;
    }

    /** How far a "push left/right/up/down" moves the object; default 0.12 m. */
    public Builder optPushDistanceM(double pushDistanceM) {
      this.pushDistanceM = pushDistanceM;
      return this;
    }

    /** Fraction of each joint's velocity and acceleration limit the chunks use; default 0.85. */
    public Builder optLimitFraction(double limitFraction) {
      this.limitFraction = limitFraction;
      return this;
    }

    /**
     * Heights of block and disc top faces, used to map their pixels to the table; default 0.03 and
     * 0.02 m.
     */
    public Builder optObjectHeightsM(double blockHeightM, double discHeightM) {
      this.blockHeightM = blockHeightM;
      this.discHeightM = discHeightM;
      return this;
    }

    public VisualServoPolicy build() {
      Objects.requireNonNull(robot, "setRobot is required");
      Objects.requireNonNull(camera, "setCamera is required");
      Objects.requireNonNull(clock, "clock");
      resolvedModel = model;
      if (resolvedModel == null) {
        try {
          resolvedModel = RobotModels.forName(robot.name());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "the visual-servo baseline needs the kinematics of robot "
                  + robot.name()
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
      if (!resolvedModel.spec().jointNames().equals(robot.jointNames())) {
        throw new IllegalArgumentException(
            "robot model "
                + resolvedModel.name()
                + " has joints "
                + resolvedModel.spec().jointNames()
                + ", robot "
                + robot.name()
                + " has "
                + robot.jointNames());
      }
      planarHeading = null;
      if (resolvedModel.name().equals(RobotModels.planar3().name())) {
        planarHeading =
            planarKinematics != null ? planarKinematics : PlanarArmKinematics.mantisPlanar3();
      }
      if (!Double.isFinite(tipHeightM) || tipHeightM < 0 || tipHeightM > 0.5) {
        throw new IllegalArgumentException("tip height must be in [0, 0.5] m, got " + tipHeightM);
      }
      if (chunkLength < 1 || chunkLength > 1000) {
        throw new IllegalArgumentException("chunk length must be in 1..1000, got " + chunkLength);
      }
      if (pointSpacingNanos < 1_000_000L || pointSpacingNanos > 10_000_000_000L) {
        throw new IllegalArgumentException(
            "point spacing must be in 1 ms..10 s, got " + pointSpacingNanos + " ns");
      }
      if (inputWidthPx < 1 || inputHeightPx < 1 || inputWidthPx > 8192 || inputHeightPx > 8192) {
        throw new IllegalArgumentException(
            "input size must be 1..8192 per side, got " + inputWidthPx + "x" + inputHeightPx);
      }
      if (validityNanos == 0) {
        throw new IllegalArgumentException("validity must be positive");
      }
      positive("pusher radius", pusherRadiusM);
      positive("max tip speed", maxTipSpeedMPerS);
      positive("push speed", pushSpeedMPerS);
      positive("push distance", pushDistanceM);
      if (!(limitFraction > 0 && limitFraction <= 1)) {
        throw new IllegalArgumentException(
            "limit fraction must be in (0, 1], got " + limitFraction);
      }
      if (!(blockHeightM >= 0) || !(discHeightM >= 0) || blockHeightM > 0.5 || discHeightM > 0.5) {
        throw new IllegalArgumentException("object heights must be in [0, 0.5] m");
      }
      return new VisualServoPolicy(this);
    }

    private static void positive(String what, double v) {
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
      }
    }
  }
}
