package mantis.sim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import mantis.calibration.CameraModel;
import mantis.calibration.kinematics.RobotModel;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.PixelPoint;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tabletop simulator: a table seen by a fixed downward camera, an arm ({@link
 * SimConfig#robot()}: the planar 3-joint arm, or the UR5e-like 6-joint arm whose pusher tip moves
 * just above the table) or the floating hand, 2–6 named objects, target zones, a task with an
 * instruction and a success predicate, quasi-static pushing physics and an RGB renderer with domain
 * randomisation.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * TabletopSim sim = TabletopSim.create(SimConfig.defaults());
 * sim.reset(42, TaskFamily.PUSH_DIRECTION);
 * ScriptedExpert expert = new ScriptedExpert();
 * while (!sim.done()) {
 *   Frame frame = sim.render(128, 128);
 *   sim.step(expert.act(sim));
 * }
 * boolean ok = sim.success();
 * }</pre>
 *
 * <p>Rendering is pure Java into RGB8 at any resolution, through the calibrated camera model
 * ({@link CameraModel#mantisDefault}); non-square sizes scale the intrinsics in x and y
 * independently, so every size shows the same table region. With domain randomisation on, each
 * episode gets its own lighting (brightness, colour tint, gradient), table texture (plain, wood,
 * noise or checker, always low-saturation), 0–4 distractors (flat, low-saturation clutter with no
 * physics, kept away from the saturated {@link PaletteColour} palette) and a small camera jitter (a
 * few millimetres, a fraction of a degree; {@link #renderCamera}). Objects are drawn with their
 * height in perspective (lit top face, darker sides, a drop shadow); the arm is dark grey metal
 * with a round pusher, the hand a pale skin-coloured palm with fingers.
 *
 * <p>Everything is deterministic for (seed, family, config): the same calls give bit-identical
 * states and frames. The scene (objects, targets, task) depends only on (seed, family), never on
 * the embodiment or on domain randomisation. Not thread-safe: use one instance per thread.
 */
public final class TabletopSim {
  private static final Logger LOG = LoggerFactory.getLogger(TabletopSim.class);

  private final SimConfig config;
  private final RobotSpec robot;
  private final SimRobot arm;
  private final double dt;

  private long seed;
  private TaskFamily family;
  private SceneGenerator.Scene scene;
  private World world;
  private Appearance appearance;
  private long steps;
  private final Map<Long, Renderer> renderers = new HashMap<>();

  /**
   * Camera shake of this episode: per degree of freedom, 3 x {frequency Hz, phase rad, weight};
   * null when off.
   */
  private double[][] shake;

  private TabletopSim(SimConfig config) {
    this.config = config;
    this.arm = SimRobot.forName(config.robot());
    this.robot = arm.spec();
    this.dt = 1.0 / config.physicsHz();
  }

  /** A simulator with this configuration; call {@link #reset} before anything else. */
  public static TabletopSim create(SimConfig config) {
    return new TabletopSim(Objects.requireNonNull(config, "config"));
  }

  public SimConfig config() {
    return config;
  }

  /** Starts a new episode: samples the scene, task and appearance for (seed, family). */
  public void reset(long seed, TaskFamily family) {
    Objects.requireNonNull(family, "family");
    this.seed = seed;
    this.family = family;
    // The scene never depends on the robot: it is generated for the planar arm's limits.
    this.scene =
        SceneGenerator.generate(
            seed, family, config.distinctObjectColours(), RobotSpecs.mantisPlanar3());
    this.world = new World(scene.objects(), arm);
    double[] home = arm.planar() ? scene.homeJointsRad() : arm.homeJointsRad();
    System.arraycopy(home, 0, world.q, 0, home.length);
    System.arraycopy(home, 0, world.lastTargets, 0, home.length);
    world.handX = scene.handStartXM();
    world.handY = scene.handStartYM();
    world.lastHandTargetX = world.handX;
    world.lastHandTargetY = world.handY;
    this.appearance =
        config.domainRandomization()
            ? Appearance.random(
                new SplittableRandom(SceneGenerator.mix(seed, 1000 + family.ordinal())))
            : Appearance.nominal();
    this.steps = 0;
    renderers.clear();
    this.shake =
        config.cameraShake() > 0
            ? shakeParameters(
                new SplittableRandom(SceneGenerator.mix(seed, 3000 + family.ordinal())))
            : null;
    LOG.debug(
        "reset seed={} family={} objects={} instruction='{}'",
        seed,
        family,
        world.n,
        scene.task().instruction());
  }

  private void requireEpisode() {
    if (world == null) {
      throw new IllegalStateException("no episode: call reset(seed, family) first");
    }
  }

  /** The natural-language instruction of the current episode. */
  public String instruction() {
    requireEpisode();
    return scene.task().instruction();
  }

  /** The current task (object, direction or target, instruction). */
  public Task task() {
    requireEpisode();
    return scene.task();
  }

  public TaskFamily family() {
    requireEpisode();
    return family;
  }

  public long seed() {
    requireEpisode();
    return seed;
  }

  public Embodiment embodiment() {
    return config.embodiment();
  }

  /** The arm's joint names and limits ({@link SimConfig#robot()}; planar3.yaml by default). */
  public RobotSpec robot() {
    return robot;
  }

  /** The arm's model: kinematics and how its tool tip reaches the table. */
  public RobotModel robotModel() {
    return arm.model();
  }

  /** The arm as the simulator drives it, for this package. */
  SimRobot arm() {
    return arm;
  }

  /**
   * Measured arm joint positions and velocities, stamped with simulated time in nanoseconds. For
   * the hand embodiment: no joints (empty names and positions).
   */
  public JointState jointState() {
    requireEpisode();
    long stamp = timeNanos();
    if (config.embodiment() == Embodiment.HAND) {
      return new JointState(List.of(), new double[0], new double[0], stamp);
    }
    return new JointState(robot.jointNames(), world.q, world.qd, stamp);
  }

  /**
   * One physics step of 1/physicsHz s: the arm tracks {@code jointTargetsRad} (clamped to the
   * position limits; non-finite entries mean "stay") within its velocity and acceleration limits,
   * and the pusher pushes what it touches.
   *
   * @throws IllegalStateException for the hand embodiment
   * @throws IllegalArgumentException when the target count is not the arm's joint count
   */
  public void step(double[] jointTargetsRad) {
    requireEpisode();
    if (config.embodiment() != Embodiment.ARM) {
      throw new IllegalStateException(
          "step(jointTargets) drives the arm; this sim runs the " + config.embodiment());
    }
    Objects.requireNonNull(jointTargetsRad, "jointTargetsRad");
    if (jointTargetsRad.length != robot.jointCount()) {
      throw new IllegalArgumentException(
          "expected " + robot.jointCount() + " joint targets, got " + jointTargetsRad.length);
    }
    world.stepArm(jointTargetsRad, dt);
    steps++;
  }

  /**
   * One physics step for the hand: it moves toward the table point (x, y) within its speed and
   * acceleration limits and pushes what its palm touches.
   *
   * @throws IllegalStateException for the arm embodiment
   */
  public void stepHand(double targetXM, double targetYM) {
    requireEpisode();
    if (config.embodiment() != Embodiment.HAND) {
      throw new IllegalStateException(
          "stepHand drives the hand; this sim runs the " + config.embodiment());
    }
    world.stepHand(
        targetXM, targetYM, config.handMaxSpeedMPerS(), config.handMaxAccelerationMPerS2(), dt);
    steps++;
  }

  /** Simulated seconds since reset. */
  public double timeS() {
    requireEpisode();
    return steps * dt;
  }

  /** Simulated nanoseconds since reset. */
  public long timeNanos() {
    requireEpisode();
    return Math.round(steps * 1e9 / config.physicsHz());
  }

  /** Physics steps since reset. */
  public long stepCount() {
    requireEpisode();
    return steps;
  }

  /** Whether the task's success predicate holds now. */
  public boolean success() {
    requireEpisode();
    return SuccessPredicates.holds(
        scene.task(), world, scene.targets(), effectorX(), effectorY(), effectorRadius());
  }

  /** True once the time-out has passed. */
  public boolean timedOut() {
    requireEpisode();
    return steps * dt >= config.maxEpisodeSeconds() - 1e-9;
  }

  /** Success or time-out. */
  public boolean done() {
    return timedOut() || success();
  }

  /**
   * Renders the scene as the (randomised) camera sees it: RGB8, {@code widthPx} x {@code heightPx}.
   * The first call at a new size for an episode prepares that size (ray casting, background).
   */
  public Frame render(int widthPx, int heightPx) {
    requireEpisode();
    byte[] out = new byte[widthPx * heightPx * 3];
    renderInto(widthPx, heightPx, out);
    return Frame.wrapRgb(widthPx, heightPx, out);
  }

  /** Like {@link #render} into a caller-owned buffer of {@code widthPx*heightPx*3} bytes. */
  public void renderInto(int widthPx, int heightPx, byte[] rgbOut) {
    requireEpisode();
    if (widthPx <= 0
        || heightPx <= 0
        || widthPx > Frame.MAX_SIDE_PX
        || heightPx > Frame.MAX_SIDE_PX) {
      throw new IllegalArgumentException(
          "render size " + widthPx + "x" + heightPx + " out of range");
    }
    if (rgbOut.length != widthPx * heightPx * 3) {
      throw new IllegalArgumentException(
          "buffer needs " + (widthPx * heightPx * 3) + " bytes, got " + rgbOut.length);
    }
    renderer(widthPx, heightPx).render(world, config.embodiment(), rgbOut);
  }

  /**
   * The renderer for the current frame at this size (rebuilt every step when the camera shakes).
   */
  private Renderer renderer(int widthPx, int heightPx) {
    long key = ((long) widthPx << 32) | heightPx;
    Renderer r = renderers.get(key);
    if (r == null || (shake != null && r.builtAtStep() != steps)) {
      r = new Renderer(renderCamera(widthPx, heightPx), appearance, scene.targets(), steps);
      renderers.put(key, r);
    }
    return r;
  }

  /**
   * Privileged: the surface seen at a pixel of the current frame (rendered at this size through
   * {@link #renderCamera}), as a point fixed to that surface. {@link SurfacePoint#locate} then says
   * where the same material point is in any later state, which gives ground-truth point tracks.
   * Empty when the pixel's ray misses the table plane.
   */
  public Optional<SurfacePoint> surfaceAt(int widthPx, int heightPx, PixelPoint px) {
    requireEpisode();
    Objects.requireNonNull(px, "px");
    if (widthPx <= 0
        || heightPx <= 0
        || widthPx > Frame.MAX_SIDE_PX
        || heightPx > Frame.MAX_SIDE_PX) {
      throw new IllegalArgumentException("size " + widthPx + "x" + heightPx + " out of range");
    }
    return renderer(widthPx, heightPx).pick(world, config.embodiment(), px.xPx(), px.yPx());
  }

  /**
   * The nominal camera at this size, without this episode's jitter: what a real robot's calibration
   * would give, and what a policy or baseline may use.
   */
  public CameraModel camera(int widthPx, int heightPx) {
    return CameraModel.mantisDefault(widthPx, heightPx);
  }

  /**
   * Privileged: the camera that renders the current frame: nominal plus this episode's jitter (with
   * domain randomisation) plus the camera shake at the current time (when {@link
   * SimConfig#cameraShake} is on; otherwise the same camera for the whole episode).
   */
  public CameraModel renderCamera(int widthPx, int heightPx) {
    requireEpisode();
    CameraModel nominal = camera(widthPx, heightPx);
    CameraModel c = nominal;
    if (config.domainRandomization()) {
      double[] j = appearance.cameraJitter();
      c =
          nominal.withExtrinsics(
              nominal.extrinsics().perturbed(j[0], j[1], j[2], j[3], j[4], j[5]));
    }
    if (shake != null) {
      double[] d = shakeNow();
      c = c.withExtrinsics(c.extrinsics().perturbed(d[0], d[1], d[2], d[3], d[4], d[5]));
    }
    return c;
  }

  private static final double SHAKE_TRANSLATION_M = 0.004;
  private static final double SHAKE_ROTATION_RAD = Math.toRadians(0.4);

  private static double[][] shakeParameters(SplittableRandom rng) {
    double[][] p = new double[6][9];
    for (int dof = 0; dof < 6; dof++) {
      double total = 0;
      for (int k = 0; k < 3; k++) {
        p[dof][3 * k] = 0.3 + 2.2 * rng.nextDouble();
        p[dof][3 * k + 1] = 2 * Math.PI * rng.nextDouble();
        p[dof][3 * k + 2] = 0.2 + rng.nextDouble();
        total += p[dof][3 * k + 2];
      }
      for (int k = 0; k < 3; k++) {
        p[dof][3 * k + 2] /= total;
      }
    }
    return p;
  }

  /** The shake offsets {dx, dy, dz, roll, pitch, yaw} at the current time. */
  private double[] shakeNow() {
    double t = steps * dt;
    double[] d = new double[6];
    for (int dof = 0; dof < 6; dof++) {
      double v = 0;
      for (int k = 0; k < 3; k++) {
        v +=
            shake[dof][3 * k + 2]
                * Math.sin(2 * Math.PI * shake[dof][3 * k] * t + shake[dof][3 * k + 1]);
      }
      d[dof] = v * config.cameraShake() * (dof < 3 ? SHAKE_TRANSLATION_M : SHAKE_ROTATION_RAD);
    }
    return d;
  }

  /** Privileged ground truth: objects, targets, task, effector pose. */
  public WorldState groundTruth() {
    requireEpisode();
    double heading = 0;
    double[] joints = new double[0];
    if (config.embodiment() == Embodiment.ARM) {
      heading = Table.wrap(world.tip()[2]);
      joints = world.q.clone();
    }
    return new WorldState(
        timeS(),
        config.embodiment(),
        scene.task(),
        world.objects(),
        scene.targets(),
        effectorX(),
        effectorY(),
        heading,
        effectorRadius(),
        joints);
  }

  /** The last commanded targets after clamping: joint targets (arm) or {x, y} (hand). */
  public double[] lastAction() {
    requireEpisode();
    if (config.embodiment() == Embodiment.ARM) {
      return world.lastTargets.clone();
    }
    return new double[] {world.lastHandTargetX, world.lastHandTargetY};
  }

  /** The mutable world, for tests in this package. */
  World world() {
    requireEpisode();
    return world;
  }

  /** The episode's appearance, for tests in this package. */
  Appearance appearance() {
    requireEpisode();
    return appearance;
  }

  double effectorX() {
    return config.embodiment() == Embodiment.ARM ? world.tip()[0] : world.handX;
  }

  double effectorY() {
    return config.embodiment() == Embodiment.ARM ? world.tip()[1] : world.handY;
  }

  double effectorRadius() {
    return config.embodiment() == Embodiment.ARM ? Table.PUSHER_RADIUS_M : Table.HAND_RADIUS_M;
  }
}
