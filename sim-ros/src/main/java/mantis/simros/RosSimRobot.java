package mantis.simros;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import mantis.calibration.CameraIntrinsics;
import mantis.core.MonotonicClock;
import mantis.ros.msg.CameraInfo;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointState;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.RegionOfInterest;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;
import mantis.ros.node.PublisherOptions;
import mantis.ros.node.RosNode;
import mantis.ros.node.RosPublisher;
import mantis.ros.node.RosSubscriber;
import mantis.ros.node.SubscriberOptions;
import mantis.sim.Embodiment;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tabletop simulator as a ROS robot: the arm of a {@link TabletopSim} episode, run in real
 * time, that looks like a camera driver plus a ros_control arm to the rest of a ROS graph.
 *
 * <ul>
 *   <li>{@code /camera/image_raw} ({@code sensor_msgs/Image}, rgb8) and {@code /camera/camera_info}
 *       (the nominal intrinsics) at the image rate;
 *   <li>{@code /joint_states} ({@code sensor_msgs/JointState}) at the physics rate, with ROS joint
 *       names (by default the robot spec's);
 *   <li>{@code /mantis/instruction} ({@code std_msgs/String}, latched): the episode's instruction;
 *   <li>{@code /arm_controller/command} ({@code trajectory_msgs/JointTrajectory}): executed as a
 *       ros_control JointTrajectoryController would (see {@link TrajectoryFollower}); with no
 *       trajectory the arm holds where it is.
 * </ul>
 *
 * When an episode ends (success or time-out) it is logged and the next seed starts, with its
 * instruction re-published. Stamps are wall-clock (ROS) time. Constructors start nothing; {@link
 * #start()} advertises, subscribes and starts the ticks; {@link #close()} stops them and closes the
 * topics (not the node, which the caller owns).
 */
public final class RosSimRobot implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RosSimRobot.class);

  private final RosNode node;
  private final TaskFamily family;
  private final TabletopSim sim;
  private final List<String> jointNames;
  private final double imageRateHz;
  private final int widthPx;
  private final int heightPx;
  private final boolean nextEpisodeWhenDone;
  private final MonotonicClock clock;
  private final LongSupplier wallNanos;
  private final ScheduledExecutorService givenScheduler;
  private final String imageTopic;
  private final String cameraInfoTopic;
  private final String jointStatesTopic;
  private final String instructionTopic;
  private final String commandTopic;
  private final TrajectoryFollower follower;

  private final Object simLock = new Object();
  private final AtomicLong trajectoriesAccepted = new AtomicLong();
  private final AtomicLong trajectoriesRefused = new AtomicLong();
  private final AtomicLong imagesPublished = new AtomicLong();
  private final AtomicLong jointStatesPublished = new AtomicLong();
  private volatile double[] positionsRad;
  private long seed;
  private long episodes;
  private boolean episodeOver;
  private long imageSeq;
  private long jointStateSeq;
  private double[] holdAtRad;
  private byte[] rgb;

  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> physics;
  private ScheduledFuture<?> camera;
  private RosPublisher<Image> imagePub;
  private RosPublisher<CameraInfo> cameraInfoPub;
  private RosPublisher<JointState> jointStatePub;
  private RosPublisher<RosString> instructionPub;
  private RosSubscriber<JointTrajectory> commandSub;
  private boolean closed;

  private RosSimRobot(Builder b) {
    this.node = b.node;
    this.family = b.family;
    this.seed = b.seed;
    this.sim = TabletopSim.create(b.simConfig);
    this.jointNames = b.jointNames != null ? List.copyOf(b.jointNames) : sim.robot().jointNames();
    this.imageRateHz = b.imageRateHz;
    this.widthPx = b.widthPx;
    this.heightPx = b.heightPx;
    this.nextEpisodeWhenDone = b.nextEpisodeWhenDone;
    this.clock = b.clock;
    this.wallNanos = b.wallNanos;
    this.givenScheduler = b.scheduler;
    this.imageTopic = b.cameraNamespace + "/image_raw";
    this.cameraInfoTopic = b.cameraNamespace + "/camera_info";
    this.jointStatesTopic = b.jointStatesTopic;
    this.instructionTopic = b.instructionTopic;
    this.commandTopic = b.controller + "/command";
    this.follower = new TrajectoryFollower(jointNames, clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Resets the first episode, advertises and subscribes, and starts physics and camera ticks. */
  public void start() {
    synchronized (simLock) {
      if (scheduler != null || closed) {
        throw new IllegalStateException("a RosSimRobot starts once");
      }
      sim.reset(seed, family);
      positionsRad = sim.jointState().positionsRad();
      rgb = new byte[widthPx * heightPx * 3];
      imagePub = node.advertise(imageTopic, RosMessages.IMAGE, new PublisherOptions(false, 2));
      cameraInfoPub =
          node.advertise(cameraInfoTopic, RosMessages.CAMERA_INFO, new PublisherOptions(false, 2));
      jointStatePub =
          node.advertise(
              jointStatesTopic, RosMessages.JOINT_STATE, new PublisherOptions(false, 50));
      instructionPub =
          node.advertise(instructionTopic, RosMessages.STRING, PublisherOptions.latched());
      commandSub =
          node.subscribe(
              commandTopic,
              RosMessages.JOINT_TRAJECTORY,
              new SubscriberOptions(10, true),
              this::onTrajectory);
      instructionPub.publish(new RosString(sim.instruction()));
      LOG.info(
          "sim-ros: {} seed {}: '{}'; camera {} ({}x{} at {} Hz), {}, command {}",
          family,
          seed,
          sim.instruction(),
          imageTopic,
          widthPx,
          heightPx,
          imageRateHz,
          jointStatesTopic,
          commandTopic);
      scheduler =
          givenScheduler != null
              ? givenScheduler
              : Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "mantis-sim-ros");
                    t.setDaemon(true);
                    return t;
                  });
      long physicsPeriod = Math.round(1e9 / sim.config().physicsHz());
      physics =
          scheduler.scheduleAtFixedRate(
              () -> safely(this::tick), physicsPeriod, physicsPeriod, TimeUnit.NANOSECONDS);
      long cameraPeriod = Math.round(1e9 / imageRateHz);
      camera =
          scheduler.scheduleAtFixedRate(
              () -> safely(this::publishCamera), 0, cameraPeriod, TimeUnit.NANOSECONDS);
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("sim-ros tick failed", e);
    }
  }

  /** Takes a trajectory from the command topic (subscriber thread). */
  void onTrajectory(JointTrajectory t) {
    Optional<String> refused = follower.offer(t, wallNanos.getAsLong(), positionsRad);
    if (refused.isPresent()) {
      trajectoriesRefused.incrementAndGet();
      LOG.warn("sim-ros: trajectory on {} refused: {}", commandTopic, refused.get());
    } else {
      trajectoriesAccepted.incrementAndGet();
      LOG.debug("sim-ros: following a trajectory of {} points", t.points().size());
    }
  }

  /** One physics step toward the trajectory's target for now (or holding); publishes the state. */
  void tick() {
    JointState msg;
    synchronized (simLock) {
      if (closed) {
        return;
      }
      Optional<double[]> target = follower.targetAt(clock.nanoTime());
      double[] q;
      if (target.isPresent()) {
        q = target.get();
        holdAtRad = null;
      } else {
        if (holdAtRad == null) {
          holdAtRad = sim.jointState().positionsRad();
        }
        q = holdAtRad;
      }
      sim.step(q);
      mantis.core.JointState js = sim.jointState();
      positionsRad = js.positionsRad();
      msg =
          new JointState(
              header(jointStateSeq++, "base_link"),
              jointNames,
              boxed(js.positionsRad()),
              boxed(js.velocitiesRadPerS()),
              List.of());
      if (!episodeOver && sim.done()) {
        episodeOver = true;
        nextEpisode();
      }
    }
    jointStatePub.publish(msg);
    jointStatesPublished.incrementAndGet();
  }

  private void nextEpisode() {
    LOG.info(
        "sim-ros: {} seed {} {} after {} s",
        family,
        seed,
        sim.success() ? "succeeded" : "timed out",
        String.format("%.2f", sim.timeS()));
    episodes++;
    if (!nextEpisodeWhenDone) {
      return;
    }
    seed++;
    sim.reset(seed, family);
    episodeOver = false;
    follower.clear();
    holdAtRad = null;
    positionsRad = sim.jointState().positionsRad();
    instructionPub.publish(new RosString(sim.instruction()));
    LOG.info("sim-ros: {} seed {}: '{}'", family, seed, sim.instruction());
  }

  /** Renders the camera and publishes it with its CameraInfo. */
  void publishCamera() {
    Image image;
    CameraInfo info;
    synchronized (simLock) {
      if (closed) {
        return;
      }
      sim.renderInto(widthPx, heightPx, rgb);
      Header h = header(imageSeq++, "camera_optical"); // the CameraInfo shares the image's header
      image = new Image(h, heightPx, widthPx, "rgb8", 0, widthPx * 3L, rgb);
      info = cameraInfo(h, sim.camera(widthPx, heightPx).intrinsics());
    }
    imagePub.publish(image);
    cameraInfoPub.publish(info);
    imagesPublished.incrementAndGet();
  }

  private static CameraInfo cameraInfo(Header h, CameraIntrinsics k) {
    return new CameraInfo(
        h,
        k.heightPx(),
        k.widthPx(),
        "plumb_bob",
        List.of(k.k1(), k.k2(), k.p1(), k.p2(), k.k3()),
        List.of(k.fxPx(), 0.0, k.cxPx(), 0.0, k.fyPx(), k.cyPx(), 0.0, 0.0, 1.0),
        List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0),
        List.of(k.fxPx(), 0.0, k.cxPx(), 0.0, 0.0, k.fyPx(), k.cyPx(), 0.0, 0.0, 0.0, 1.0, 0.0),
        0,
        0,
        RegionOfInterest.FULL);
  }

  private Header header(long seq, String frameId) {
    return new Header(seq & 0xFFFF_FFFFL, RosTime.ofNanos(wallNanos.getAsLong()), frameId);
  }

  private static List<Double> boxed(double[] v) {
    Double[] out = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return List.of(out);
  }

  /** The instruction of the current episode. */
  public String instruction() {
    synchronized (simLock) {
      return sim.instruction();
    }
  }

  /** The seed of the current episode. */
  public long seed() {
    synchronized (simLock) {
      return seed;
    }
  }

  /** Measured joint positions after the last tick, in the robot spec's order, radians. */
  public double[] jointPositionsRad() {
    return positionsRad.clone();
  }

  /** The ROS joint names, in the robot spec's order. */
  public List<String> jointNames() {
    return jointNames;
  }

  public long trajectoriesAccepted() {
    return trajectoriesAccepted.get();
  }

  public long trajectoriesRefused() {
    return trajectoriesRefused.get();
  }

  public long imagesPublished() {
    return imagesPublished.get();
  }

  public long jointStatesPublished() {
    return jointStatesPublished.get();
  }

  /** Episodes finished so far. */
  public long episodesFinished() {
    synchronized (simLock) {
      return episodes;
    }
  }

  /** Stops the ticks and closes the topics; the node stays open. Idempotent. */
  @Override
  public void close() {
    synchronized (simLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (physics != null) {
        physics.cancel(false);
        camera.cancel(false);
      }
      if (scheduler != null && scheduler != givenScheduler) {
        scheduler.shutdownNow();
      }
    }
    for (AutoCloseable c :
        new AutoCloseable[] {commandSub, imagePub, cameraInfoPub, jointStatePub, instructionPub}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("closing a sim-ros topic", e);
        }
      }
    }
  }

  /** Builds a {@link RosSimRobot}. */
  public static final class Builder {
    private RosNode node;
    private TaskFamily family;
    private long seed;
    private boolean seedSet;
    private SimConfig simConfig = SimConfig.defaults();
    private List<String> jointNames;
    private double imageRateHz = 20;
    private int widthPx = 640;
    private int heightPx = 480;
    private boolean nextEpisodeWhenDone = true;
    private MonotonicClock clock = MonotonicClock.system();
    private LongSupplier wallNanos = RosSimRobot::wallClockNanos;
    private ScheduledExecutorService scheduler;
    private String cameraNamespace = "/camera";
    private String jointStatesTopic = "/joint_states";
    private String instructionTopic = "/mantis/instruction";
    private String controller = "/arm_controller";

    private Builder() {}

    /** Required: the started node the robot publishes and subscribes through. */
    public Builder setNode(RosNode node) {
      this.node = node;
      return this;
    }

    /** Required: the task family of every episode. */
    public Builder setFamily(TaskFamily family) {
      this.family = family;
      return this;
    }

    /** Required: the first episode's seed; later episodes take the next seeds. */
    public Builder setSeed(long seed) {
      this.seed = seed;
      this.seedSet = true;
      return this;
    }

    /** Simulator settings; default {@link SimConfig#defaults()} (the arm, 50 Hz physics). */
    public Builder optSimConfig(SimConfig config) {
      this.simConfig = config;
      return this;
    }

    /** ROS joint names in the robot spec's order; default the spec's own names. */
    public Builder optJointNames(List<String> names) {
      this.jointNames = names;
      return this;
    }

    /** Camera images per second; default 10. */
    public Builder optImageRateHz(double hz) {
      this.imageRateHz = hz;
      return this;
    }

    /** Camera image size; default 640 x 480. */
    public Builder optImageSize(int widthPx, int heightPx) {
      this.widthPx = widthPx;
      this.heightPx = heightPx;
      return this;
    }

    /** Start the next seed when an episode ends (default true); else the arm stays in the scene. */
    public Builder optNextEpisodeWhenDone(boolean next) {
      this.nextEpisodeWhenDone = next;
      return this;
    }

    /** The monotonic clock of trajectory timing; default the JVM's. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Wall-clock nanoseconds since the epoch for header stamps; default the system clock. */
    public Builder optWallClockNanos(LongSupplier wallNanos) {
      this.wallNanos = wallNanos;
      return this;
    }

    /** Scheduler of the physics and camera ticks; default a private daemon thread. */
    public Builder optScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Camera namespace; default {@code /camera} ({@code image_raw}, {@code camera_info}). */
    public Builder optCameraNamespace(String ns) {
      this.cameraNamespace = ns;
      return this;
    }

    /** Joint state topic; default {@code /joint_states}. */
    public Builder optJointStatesTopic(String topic) {
      this.jointStatesTopic = topic;
      return this;
    }

    /** Instruction topic; default {@code /mantis/instruction}. */
    public Builder optInstructionTopic(String topic) {
      this.instructionTopic = topic;
      return this;
    }

    /**
     * The trajectory controller's namespace; default {@code /arm_controller} (its {@code
     * /command}).
     */
    public Builder optController(String controller) {
      this.controller = controller;
      return this;
    }

    public RosSimRobot build() {
      Objects.requireNonNull(family, "setFamily is required");
      if (!seedSet) {
        throw new IllegalStateException("setSeed is required");
      }
      Objects.requireNonNull(simConfig, "simConfig");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(wallNanos, "wallNanos");
      if (simConfig.embodiment() != Embodiment.ARM) {
        throw new IllegalArgumentException(
            "sim-ros runs the arm embodiment, not " + simConfig.embodiment());
      }
      if (!(imageRateHz > 0) || imageRateHz > 1000) {
        throw new IllegalArgumentException(
            "image rate must be in (0, 1000] Hz, got " + imageRateHz);
      }
      if (widthPx < 8 || heightPx < 8 || widthPx > 4096 || heightPx > 4096) {
        throw new IllegalArgumentException(
            "image size must be 8..4096 px a side, got " + widthPx + "x" + heightPx);
      }
      for (String t : List.of(cameraNamespace, jointStatesTopic, instructionTopic, controller)) {
        if (t == null || t.isBlank()) {
          throw new IllegalArgumentException("topic names must not be blank");
        }
      }
      if (jointNames != null) {
        int n = mantis.core.RobotSpecs.mantisPlanar3().jointCount();
        if (jointNames.size() != n || jointNames.stream().distinct().count() != n) {
          throw new IllegalArgumentException(
              "optJointNames needs "
                  + n
                  + " distinct names (one per joint of the arm), got "
                  + jointNames);
        }
      }
      Objects.requireNonNull(node, "setNode is required");
      return new RosSimRobot(this);
    }
  }

  static long wallClockNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
