package mantis.teleop;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.proto.v1.JointStateMsg;
import mantis.ros.msg.CompressedImage;
import mantis.ros.msg.Image;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.node.RosNode;
import mantis.ros.node.SubscriberOptions;
import mantis.security.AuditLog;
import mantis.security.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teleop on a real arm behind the ROS bridge ({@code mantis bridge} with {@code arm_service.port}
 * set): the same control loop, jogs, shadow policy, takeover, e-stop and agreement figures as
 * {@link SimTeleop}, with every command, the e-stop and reset going to the bridge's {@code
 * ArmService} (so through the bridge's safety filter and latch) and joint states coming back on it.
 * Camera frames and the instruction come from the ROS graph, which this session joins as the node
 * {@code /mantis_dashboard}: a {@code sensor_msgs/Image} ({@code rgb8}/{@code bgr8}) or {@code
 * sensor_msgs/CompressedImage} (JPEG/PNG) topic, and a {@code std_msgs/String} instruction topic
 * (the latest wins; a fixed instruction until then).
 *
 * <p>Differences from the simulated arm: in {@link ControlMode#TELEOP} with no jog, the session
 * keeps commanding a hold where the arm came to rest, so that the bridge's own policy loop (which
 * drives the arm whenever no ArmService client commands it) does not take over while the dashboard
 * is open; there is no task, so {@code family} is {@code BRIDGED}, success is never reported, and
 * {@link #newEpisode} only starts the agreement figures and history over; recording is not
 * supported ({@link #startRecording()} throws {@link UnsupportedOperationException}). Set the
 * bridge's {@code server.watchdog_timeout_ms} above the control period plus the policy's round trip
 * (e.g. 300 ms at 10 Hz), or the bridge holds the arm between ticks. See {@code docs/TELEOP.md}.
 *
 * <p>Constructors start nothing; {@link #start()} connects and starts the ticks, {@link #close()}
 * stops them and leaves the ROS graph (the bridge holds the arm when the command stream ends).
 */
public final class BridgedTeleop extends LoopTeleop {
  private static final Logger log = LoggerFactory.getLogger(BridgedTeleop.class);

  /** {@code family} in the state: a real arm has no simulated task. */
  public static final String FAMILY = "BRIDGED";

  /** The ROS node name. */
  public static final String NODE_NAME = "mantis_dashboard";

  static final String NOT_RECORDING =
      "recording needs the simulator (episodes are written in the simulator's format);"
          + " it is not available for a bridged arm";

  private final String armHost;
  private final int armPort;
  private final URI rosMaster;
  private final String rosHost;
  private final String imageTopic;
  private final boolean compressed;
  private final String instructionTopic;
  private final RobotSpec robot;
  private final String robotId;
  private final MonotonicClock clock;
  private final int inputPx;
  private final int displayPx;
  private final long maxInputAgeNanos;
  private final int controlHz;
  private final TeleopLoop loop;
  private final List<String> tasks;

  private final Object frameLock = new Object();
  // Guarded by frameLock.
  private Object latestCamera;
  private long latestCameraNanos;
  private long cameraSeq;
  private long decodedSeq = -1;
  private Frame decodedInput;
  private Frame decodedDisplay;
  private long decodeFailures;
  private volatile String instruction;

  private ManagedChannel armChannel;
  private final ChannelCredentials armCredentials;
  private RosNode node;

  private BridgedTeleop(Builder b) {
    this.armCredentials = b.armCredentials;
    this.armHost = b.armHost;
    this.armPort = b.armPort;
    this.rosMaster = b.rosMaster;
    this.rosHost = b.rosHost;
    this.imageTopic = b.imageTopic != null ? b.imageTopic : b.compressedImageTopic;
    this.compressed = b.imageTopic == null;
    this.instructionTopic = b.instructionTopic;
    this.instruction = b.instruction;
    this.robot = b.robot;
    this.robotId = b.robotId;
    this.clock = b.clock;
    this.inputPx = b.inputPx;
    this.displayPx = b.displayPx;
    this.maxInputAgeNanos = b.maxInputAge.toNanos();
    this.controlHz = b.controlHz;
    this.tasks = b.tasks;
    this.loop =
        new TeleopLoop(
            new BridgedArm(),
            b.policyChannel,
            robot,
            b.controlHz,
            clock,
            inputPx,
            b.predictTimeout,
            FAMILY,
            0,
            "mantis-teleop-bridged",
            b.audit);
  }

  /** A builder; see its {@code set*} methods for what is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects to the bridge's ArmService, joins the ROS graph, and starts the control ticks. The
   * ticks send nothing until a camera frame and a joint state have arrived.
   *
   * @throws IllegalStateException when already started or closed
   * @throws UncheckedIOException when the ROS node cannot bind its ports
   */
  public void start() {
    loop.markStarted();
    armChannel = NettyChannelBuilder.forAddress(armHost, armPort, armCredentials).build();
    RosNode.Builder nb = RosNode.builder().setName(NODE_NAME).setMasterUri(rosMaster);
    if (rosHost != null) {
      nb.optHost(rosHost);
    }
    node = nb.build();
    try {
      node.start();
    } catch (IOException e) {
      armChannel.shutdownNow();
      throw new UncheckedIOException("cannot start the ROS node " + NODE_NAME, e);
    }
    if (compressed) {
      node.subscribe(
          imageTopic, RosMessages.COMPRESSED_IMAGE, SubscriberOptions.defaults(), this::onCamera);
    } else {
      node.subscribe(imageTopic, RosMessages.IMAGE, SubscriberOptions.defaults(), this::onCamera);
    }
    if (instructionTopic != null) {
      node.subscribe(
          instructionTopic, RosMessages.STRING, SubscriberOptions.defaults(), this::onInstruction);
    }
    loop.open(armChannel);
    loop.startTicks();
    log.info(
        "bridged teleop started: arm {}:{} (robot {}), ROS master {}, camera {}{}, control at {} Hz",
        armHost,
        armPort,
        robotId,
        rosMaster,
        imageTopic,
        instructionTopic == null ? "" : ", instruction " + instructionTopic,
        controlHz);
  }

  /** Subscriber thread: keeps the newest camera message; it is decoded by the tick that uses it. */
  private void onCamera(Object message) {
    synchronized (frameLock) {
      latestCamera = message;
      latestCameraNanos = clock.nanoTime();
      cameraSeq++;
    }
  }

  private void onInstruction(RosString message) {
    String text = message.data().strip();
    if (!text.isEmpty()) {
      instruction = text;
    }
  }

  /** The bridged arm as the loop sees it. */
  private final class BridgedArm implements TeleopArm {
    @Override
    public String robotId() {
      return robotId;
    }

    @Override
    public Snapshot snapshot(long nowNanos, JointStateMsg latest, long latestArrivalNanos) {
      if (latest == null
          || nowNanos - latestArrivalNanos > maxInputAgeNanos
          || latest.getJointState().getPositionsRadCount() != robot.jointCount()) {
        return null;
      }
      Frame input;
      Frame display;
      long capture;
      synchronized (frameLock) {
        if (latestCamera == null || nowNanos - latestCameraNanos > maxInputAgeNanos) {
          return null;
        }
        if (decodedSeq != cameraSeq) {
          try {
            Frame camera =
                latestCamera instanceof Image img
                    ? CameraFrames.fromImage(img)
                    : CameraFrames.fromCompressed((CompressedImage) latestCamera);
            decodedInput = CameraFrames.resize(camera, inputPx, inputPx);
            decodedDisplay = CameraFrames.fit(camera, displayPx);
          } catch (IllegalArgumentException e) {
            decodeFailures++;
            if (decodeFailures == 1 || decodeFailures % 100 == 0) {
              log.warn(
                  "camera frame on {} dropped ({} so far): {}",
                  imageTopic,
                  decodeFailures,
                  e.getMessage());
            }
            decodedInput = null;
          }
          decodedSeq = cameraSeq;
        }
        if (decodedInput == null) {
          return null;
        }
        input = decodedInput;
        display = decodedDisplay;
        capture = latestCameraNanos;
      }
      mantis.proto.v1.JointState w = latest.getJointState();
      double[] q = new double[w.getPositionsRadCount()];
      for (int i = 0; i < q.length; i++) {
        q[i] = w.getPositionsRad(i);
      }
      double[] v = null;
      if (w.getVelocitiesRadPerSCount() == q.length) {
        v = new double[q.length];
        for (int i = 0; i < v.length; i++) {
          v[i] = w.getVelocitiesRadPerS(i);
        }
      }
      JointState joints = new JointState(robot.jointNames(), q, v, latestArrivalNanos);
      String text = instruction;
      return new Snapshot(
          input, display, joints, q.clone(), false, false, text == null ? "" : text, capture);
    }

    @Override
    public boolean holdsWhenIdle() {
      return true;
    }

    @Override
    public String recordingName() {
      return "";
    }
  }

  @Override
  TeleopLoop loop() {
    return loop;
  }

  /**
   * Starts the agreement figures and the history over; the arm and the ROS graph are left as they
   * are ({@code family} stays {@link #FAMILY} whatever the task, {@code seed} labels the new
   * episode).
   */
  @Override
  public List<String> tasks() {
    return tasks;
  }

  @Override
  public void newEpisode(String task, long seed, Principal by) {
    Teleop.requireTask(task, tasks);
    loop.newEpisode(FAMILY, seed, () -> {});
    log.info("new bridged teleop episode {}", seed);
  }

  /**
   * @throws UnsupportedOperationException always: recording needs the simulator
   */
  @Override
  public String startRecording(Principal by) {
    loop.requireStarted();
    throw new UnsupportedOperationException(NOT_RECORDING);
  }

  /**
   * @throws IllegalStateException always: there is never a recording in progress
   */
  @Override
  public RecordingInfo stopRecording(Principal by) {
    loop.requireStarted();
    throw new IllegalStateException("no recording in progress (" + NOT_RECORDING + ")");
  }

  /** None: recording is not supported for a bridged arm. */
  @Override
  public List<RecordingInfo> recordings() {
    return List.of();
  }

  /**
   * @throws NoSuchElementException always
   */
  @Override
  public void writeRecordingZip(String name, OutputStream out) {
    throw new NoSuchElementException("no recording named '" + name + "'");
  }

  /**
   * Stops the ticks, ends the command stream (the bridge holds), leaves the ROS graph. Idempotent.
   */
  @Override
  public void close() {
    if (!loop.stopTicks()) {
      return;
    }
    loop.closeStream();
    node.close();
    armChannel.shutdown();
    try {
      if (!armChannel.awaitTermination(2, TimeUnit.SECONDS)) {
        armChannel.shutdownNow();
      }
    } catch (InterruptedException e) {
      armChannel.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.info("bridged teleop stopped");
  }

  /**
   * Builds a {@link BridgedTeleop}; {@code set*} required (but {@link #setRobot}), {@code opt*}
   * optional.
   */
  public static final class Builder {
    private Channel policyChannel;
    private String armTarget;
    private String armHost;
    private int armPort;
    private URI rosMaster;
    private String rosHost;
    private String imageTopic;
    private String compressedImageTopic;
    private String instructionTopic = "/mantis/instruction";
    private String instruction;
    private RobotSpec robot = RobotSpecs.mantisPlanar3();
    private String robotId = "arm";
    private int controlHz = 10;
    private MonotonicClock clock = MonotonicClock.system();
    private int inputPx = mantis.core.spi.PolicyRequest.DEFAULT_INPUT_PX;
    private int displayPx = -1;
    private Duration predictTimeout = Duration.ofSeconds(2);
    private Duration maxInputAge = Duration.ofMillis(500);
    private ChannelCredentials armCredentials = InsecureChannelCredentials.create();
    private AuditLog audit = AuditLog.none();
    private List<String> tasks = List.of(FAMILY);

    private Builder() {}

    /**
     * The task names a new episode may name (the dashboard's list; default just {@link #FAMILY}). A
     * real arm does not change its scene: the name only labels the episode's agreement figures.
     */
    public Builder optTasks(List<String> names) {
      if (names == null
          || names.isEmpty()
          || names.stream().anyMatch(n -> n == null || n.isBlank())) {
        throw new IllegalArgumentException("tasks must be a non-empty list of names, got " + names);
      }
      this.tasks = List.copyOf(names);
      return this;
    }

    /**
     * Where takeovers, e-stops, resets and changes of the arm's command source go (the server's
     * {@code --audit-log}); default none. The session does not close it.
     */
    public Builder optAuditLog(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * How to reach the ArmService: TLS and/or a bearer token (see {@code
     * mantis.security.ClientSecurity}); default plain text without a token.
     */
    public Builder optArmCredentials(ChannelCredentials credentials) {
      this.armCredentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Channel to the Mantis server's {@code PolicyService} (owned by the caller). Required. */
    public Builder setPolicyChannel(Channel channel) {
      this.policyChannel = channel;
      return this;
    }

    /**
     * The bridge's ArmService, {@code host:port} (its {@code arm_service.port}; see {@link
     * #optArmCredentials}). Required.
     */
    public Builder setArmTarget(String hostPort) {
      this.armTarget = hostPort;
      return this;
    }

    /** The ROS master, e.g. {@code http://localhost:11311/}. Required. */
    public Builder setRosMaster(URI masterUri) {
      this.rosMaster = masterUri;
      return this;
    }

    /**
     * The camera's {@code sensor_msgs/Image} topic ({@code rgb8} or {@code bgr8}). This or a
     * compressed topic.
     */
    public Builder setImageTopic(String topic) {
      this.imageTopic = topic;
      return this;
    }

    /**
     * The camera's {@code sensor_msgs/CompressedImage} topic (JPEG or PNG), instead of {@link
     * #setImageTopic}.
     */
    public Builder optCompressedImageTopic(String topic) {
      this.compressedImageTopic = topic;
      return this;
    }

    /**
     * The instruction's {@code std_msgs/String} topic (the latest wins); default {@code
     * /mantis/instruction}; null: none.
     */
    public Builder optInstructionTopic(String topic) {
      this.instructionTopic = topic;
      return this;
    }

    /**
     * The instruction until the topic says otherwise (without one, the shadow policy waits for the
     * topic).
     */
    public Builder optInstruction(String text) {
      this.instruction = text;
      return this;
    }

    /**
     * The arm's description (joint names in the bridge's spec order, limits for jogging); default
     * planar3.
     */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** The bridge's {@code robot.id}; default {@code arm}. */
    public Builder optRobotId(String id) {
      this.robotId = id;
      return this;
    }

    /** How other ROS nodes reach this one (ROS_IP); default ROS_IP, ROS_HOSTNAME, the host name. */
    public Builder optRosHost(String host) {
      this.rosHost = host;
      return this;
    }

    /** Control ticks per second (1..50); default 10. */
    public Builder optControlHz(int hz) {
      this.controlHz = hz;
      return this;
    }

    /** Monotonic clock for ticks, jog holds, frame ages; default the system clock. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Square frame size sent to the policy (the server's policy input size), pixels; default
     * {@value mantis.core.spi.PolicyRequest#DEFAULT_INPUT_PX}.
     */
    public Builder optInputPx(int px) {
      this.inputPx = px;
      return this;
    }

    /**
     * Longer side of the live-view frame (aspect kept), pixels; default twice the input size (at
     * most 512).
     */
    public Builder optDisplayPx(int px) {
      this.displayPx = px;
      return this;
    }

    /** Deadline of each shadow Predict call; default 2 s. */
    public Builder optPredictTimeout(Duration timeout) {
      this.predictTimeout = timeout;
      return this;
    }

    /**
     * Camera frames and joint states older than this (by arrival) stop the ticks; default 500 ms.
     */
    public Builder optMaxInputAge(Duration age) {
      this.maxInputAge = age;
      return this;
    }

    /**
     * Builds the session.
     *
     * @throws IllegalStateException when a required setting is missing
     * @throws IllegalArgumentException when a setting is malformed or out of range
     */
    public BridgedTeleop build() {
      if (policyChannel == null) {
        throw new IllegalStateException("setPolicyChannel is required");
      }
      if (armTarget == null) {
        throw new IllegalStateException(
            "setArmTarget is required (the bridge's ArmService, host:port)");
      }
      if (rosMaster == null) {
        throw new IllegalStateException("setRosMaster is required (e.g. http://localhost:11311/)");
      }
      if ((imageTopic == null) == (compressedImageTopic == null)) {
        throw new IllegalStateException(
            "exactly one of setImageTopic and optCompressedImageTopic is required");
      }
      parseTarget();
      if (!"http".equalsIgnoreCase(rosMaster.getScheme())
          || rosMaster.getHost() == null
          || rosMaster.getPort() < 1) {
        throw new IllegalArgumentException(
            "ROS master must be http://host:port/, got " + rosMaster);
      }
      Objects.requireNonNull(robot, "robot");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(predictTimeout, "predictTimeout");
      Objects.requireNonNull(maxInputAge, "maxInputAge");
      if (robotId == null || robotId.isBlank()) {
        throw new IllegalArgumentException("robot id must not be blank");
      }
      if (instruction != null) {
        instruction = instruction.strip();
      }
      if (controlHz < 1 || controlHz > 50) {
        throw new IllegalArgumentException("control rate must be 1..50 Hz, got " + controlHz);
      }
      if (inputPx < 16 || inputPx > 4096) {
        throw new IllegalArgumentException("input size must be 16..4096 px, got " + inputPx);
      }
      if (displayPx < 0) {
        displayPx = Math.max(inputPx, Math.min(512, 2 * inputPx));
      }
      if (displayPx < 16 || displayPx > 4096) {
        throw new IllegalArgumentException("display size must be 16..4096 px, got " + displayPx);
      }
      if (predictTimeout.isNegative() || predictTimeout.isZero()) {
        throw new IllegalArgumentException("predict timeout must be > 0");
      }
      if (maxInputAge.isNegative() || maxInputAge.isZero()) {
        throw new IllegalArgumentException("max input age must be > 0");
      }
      return new BridgedTeleop(this);
    }

    private void parseTarget() {
      String t = armTarget.strip();
      int colon = t.lastIndexOf(':');
      String host = colon > 0 ? t.substring(0, colon) : "";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = -1;
      if (colon > 0) {
        try {
          port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      if (host.isEmpty() || port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "arm target must be HOST:PORT (the bridge's arm_service.port), got '"
                + armTarget
                + "'");
      }
      armHost = host;
      armPort = port;
    }
  }
}
