package mantis.teleop;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.JointStateMsg;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.Principal;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.grpc.SimArmService;
import mantis.sim.record.EpisodeMetadata;
import mantis.sim.record.EpisodeReader;
import mantis.sim.record.EpisodeRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teleop on the simulated arm: a {@link TabletopSim} behind an in-process {@link SimArmService}
 * (its safety filter, watchdog and e-stop), and a shadow policy reached over {@code PolicyService}.
 *
 * <p>Every control tick (10 Hz by default): render the frame; in {@link ControlMode#TELEOP} send
 * the person's chunk to the arm at once (current measured position plus the jog velocity for five
 * points 100 ms apart; after a jog ends or control comes back from the policy, a few
 * hold-at-current chunks brake the arm; otherwise nothing is sent and the arm's watchdog holds it);
 * ask the policy ({@code Predict} with a deadline; its chunk names the effector's mark) on the same
 * frame, always; in {@link ControlMode#POLICY} send the policy's chunk. A switch only changes whose
 * chunk is sent: the arm's safety filter starts every chunk from the measured state within the
 * velocity and acceleration limits, so control changes hands without a jump. The loop is shared
 * with {@link BridgedTeleop}; this class adds the simulator, its episodes and recording. See {@code
 * docs/TELEOP.md}.
 *
 * <p>Constructors start nothing; {@link #start()} starts the arm and the control thread, {@link
 * #close()} stops them. Thread-safe.
 */
public final class SimTeleop extends LoopTeleop {
  private static final Logger log = LoggerFactory.getLogger(SimTeleop.class);

  /** The arm's watchdog: commands come every tick, or on purpose not at all. */
  static final long ARM_WATCHDOG_NANOS = 300_000_000L;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final String ROBOT_ID = "teleop";

  private final RobotSpec robot;
  private final Path recordingsDir;
  private final int controlHz;
  private final MonotonicClock clock;
  private final Clock wallClock;
  private final int inputPx;
  private final int displayPx;
  private final SimConfig simConfig;

  /** The simulator's task families by their enum names: what a simulated session offers. */
  public static final List<String> TASKS =
      Arrays.stream(TaskFamily.values()).map(Enum::name).toList();

  private final TaskFamily firstFamily;
  private final TeleopLoop loop;

  /** Serialises starting and stopping recordings. */
  private final Object recLock = new Object();

  private TabletopSim sim;
  private SimArmService arm;
  private Server armServer;
  private ManagedChannel armChannel;

  /** Written under the sim's lock; read by the physics thread. */
  private volatile EpisodeRecorder recorder;

  private volatile Path recordingDir;

  private SimTeleop(Builder b) {
    this.robot = b.robot;
    this.recordingsDir = b.recordingsDir;
    this.controlHz = b.controlHz;
    this.clock = b.clock;
    this.wallClock = b.wallClock;
    this.inputPx = b.inputPx;
    this.displayPx = b.displayPx;
    this.simConfig = b.simConfig;
    this.firstFamily = b.family;
    this.loop =
        new TeleopLoop(
            new SimArm(),
            b.policyChannel,
            robot,
            controlHz,
            clock,
            inputPx,
            b.predictTimeout,
            b.family.name(),
            b.seed,
            "mantis-teleop",
            b.audit);
  }

  /** A builder; {@link Builder#setPolicyChannel} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the simulated arm (physics at the sim's rate, in real time) on the first episode, and
   * the control ticks.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start() {
    loop.markStarted();
    long seed = loop.seed();
    sim = TabletopSim.create(simConfig);
    sim.reset(seed, firstFamily);
    arm =
        SimArmService.builder()
            .setSim(sim)
            .optRobotId(ROBOT_ID)
            .optClock(clock)
            .optSafetyFilter(SafetyFilter.builder().setRobot(robot).optClock(clock).build())
            .optWatchdogTimeoutNanos(ARM_WATCHDOG_NANOS)
            .optStepListener(this::beforePhysicsStep)
            .build();
    String name = InProcessServerBuilder.generateName();
    try {
      armServer = InProcessServerBuilder.forName(name).addService(arm).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the in-process arm", e);
    }
    armChannel = InProcessChannelBuilder.forName(name).build();
    loop.open(armChannel);
    arm.start();
    loop.startTicks();
    log.info(
        "teleop started: {} seed {}, control at {} Hz, frames {} px, recordings in {}",
        firstFamily,
        seed,
        controlHz,
        inputPx,
        recordingsDir.toAbsolutePath());
  }

  /** The simulated arm as the loop sees it. */
  private final class SimArm implements TeleopArm {
    @Override
    public String robotId() {
      return ROBOT_ID;
    }

    @Override
    public Snapshot snapshot(long nowNanos, JointStateMsg latest, long latestArrivalNanos) {
      // Under the sim's lock: the frame, joints and outcome of one physics step.
      return arm.withSim(
          s -> {
            Frame input = s.render(inputPx, inputPx);
            Frame display = displayPx == inputPx ? input : s.render(displayPx, displayPx);
            JointState joints = s.jointState();
            return new Snapshot(
                input,
                display,
                joints,
                s.lastAction(),
                s.success(),
                s.done(),
                s.instruction(),
                nowNanos);
          });
    }

    @Override
    public boolean holdsWhenIdle() {
      return false;
    }

    @Override
    public String recordingName() {
      Path dir = recordingDir;
      return recorder != null && dir != null ? dir.getFileName().toString() : "";
    }
  }

  /** Physics thread, under the sim's lock: records the step when a recording is running. */
  private void beforePhysicsStep(TabletopSim s, double[] targetsRad) {
    EpisodeRecorder r = recorder;
    if (r != null) {
      r.record(targetsRad);
    }
  }

  @Override
  TeleopLoop loop() {
    return loop;
  }

  /** The simulator's task families, by their enum names. */
  @Override
  public List<String> tasks() {
    return TASKS;
  }

  @Override
  public void newEpisode(String task, long newSeed, Principal by) {
    TaskFamily newFamily = TaskFamily.valueOf(Teleop.requireTask(task, TASKS));
    Objects.requireNonNull(by, "by");
    loop.newEpisode(
        newFamily.name(),
        newSeed,
        () -> {
          if (recorder != null) {
            finishRecording(by, "finished by a new episode");
          }
          arm.resetEpisode(newSeed, newFamily);
        });
    log.info("new teleop episode: {} seed {}", newFamily, newSeed);
  }

  @Override
  public String startRecording(Principal by) {
    Objects.requireNonNull(by, "by");
    loop.requireStarted();
    synchronized (recLock) {
      EpisodeRecorder current = recorder;
      if (current != null) {
        return recordingDir.getFileName().toString();
      }
      try {
        Files.createDirectories(recordingsDir);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot create the recordings directory " + recordingsDir, e);
      }
      long s = loop.seed();
      String base = "teleop-" + STAMP.format(wallClock.instant()) + "-" + s;
      Path dir = recordingsDir.resolve(base);
      for (int k = 2; Files.exists(dir); k++) {
        dir = recordingsDir.resolve(base + "-" + k);
      }
      int stepEvery = Math.max(1, (int) Math.round((double) simConfig.physicsHz() / controlHz));
      EpisodeRecorder r =
          EpisodeRecorder.builder()
              .setDirectory(dir)
              .setSim(sim)
              .optFrameSize(inputPx, inputPx)
              .optStepEvery(stepEvery)
              .build();
      Path finalDir = dir;
      arm.withSim(
          x -> {
            r.start();
            recordingDir = finalDir;
            recorder = r;
            return null;
          });
      log.info("recording teleop episode to {}", dir);
      loop.audit(
          AuditEvent.of(AuditEvent.RECORDING_START)
              .principal(by)
              .detail(dir.getFileName().toString())
              .field("episode", loop.episodeId()));
      return dir.getFileName().toString();
    }
  }

  @Override
  public RecordingInfo stopRecording(Principal by) {
    Objects.requireNonNull(by, "by");
    loop.requireStarted();
    return finishRecording(by, "stopped");
  }

  private RecordingInfo finishRecording(Principal by, String how) {
    synchronized (recLock) {
      EpisodeRecorder r = recorder;
      if (r == null) {
        throw new IllegalStateException("no recording in progress");
      }
      Path dir = recordingDir;
      arm.withSim(
          x -> {
            recorder = null;
            r.close();
            return null;
          });
      log.info("recording finished: {}", dir);
      RecordingInfo info =
          info(dir)
              .orElseThrow(
                  () -> new IllegalStateException("recording " + dir + " cannot be read back"));
      loop.audit(
          AuditEvent.of(AuditEvent.RECORDING_STOP)
              .principal(by)
              .detail(info.name())
              .field("how", how)
              .field("steps", info.steps()));
      return info;
    }
  }

  @Override
  public List<RecordingInfo> recordings() {
    if (!Files.isDirectory(recordingsDir)) {
      return List.of();
    }
    EpisodeRecorder r = recorder;
    Path inProgress = r == null ? null : r.directory();
    List<Path> dirs;
    try (Stream<Path> s = Files.list(recordingsDir)) {
      dirs =
          s.filter(p -> Files.isRegularFile(p.resolve("episode.json")))
              .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
              .filter(p -> !p.equals(inProgress))
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + recordingsDir, e);
    }
    List<Path> sorted = new ArrayList<>(dirs);
    sorted.sort(
        Comparator.comparing(SimTeleop::modified)
            .reversed()
            .thenComparing(p -> p.getFileName().toString(), Comparator.reverseOrder()));
    List<RecordingInfo> out = new ArrayList<>();
    for (Path p : sorted) {
      info(p).ifPresent(out::add);
    }
    return out;
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p.resolve("episode.json")).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** A recording's summary, or empty when its episode.json cannot be read. */
  static java.util.Optional<RecordingInfo> info(Path dir) {
    EpisodeMetadata m;
    try {
      m = EpisodeReader.open(dir).metadata();
    } catch (RuntimeException e) {
      log.debug("skipping {}: {}", dir, e.toString());
      return java.util.Optional.empty();
    }
    long steps = 0;
    Path stepsFile = dir.resolve("steps.jsonl");
    long bytes = 0;
    try {
      if (Files.isRegularFile(stepsFile)) {
        byte[] all = Files.readAllBytes(stepsFile);
        for (byte b : all) {
          if (b == '\n') {
            steps++;
          }
        }
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        bytes =
            walk.filter(Files::isRegularFile)
                .mapToLong(
                    p -> {
                      try {
                        return Files.size(p);
                      } catch (IOException e) {
                        return 0;
                      }
                    })
                .sum();
      }
    } catch (IOException e) {
      log.debug("cannot size {}: {}", dir, e.toString());
    }
    return java.util.Optional.of(
        new RecordingInfo(
            dir.getFileName().toString(),
            steps,
            m.instruction(),
            m.success().orElse(false),
            bytes));
  }

  @Override
  public void writeRecordingZip(String name, OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new NoSuchElementException("no recording named '" + name + "'");
    }
    Path dir = recordingsDir.resolve(name);
    if (!dir.normalize().startsWith(recordingsDir.normalize())
        || !Files.isRegularFile(dir.resolve("episode.json"))) {
      throw new NoSuchElementException("no recording named '" + name + "'");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    ZipOutputStream zip = new ZipOutputStream(out);
    for (Path f : files) {
      String entry = name + "/" + dir.relativize(f).toString().replace('\\', '/');
      zip.putNextEntry(new ZipEntry(entry));
      Files.copy(f, zip);
      zip.closeEntry();
    }
    zip.finish();
    zip.flush();
  }

  /** Stops the control ticks, finishes a recording in progress, stops the arm. Idempotent. */
  @Override
  public void close() {
    if (!loop.stopTicks()) {
      return;
    }
    synchronized (recLock) {
      EpisodeRecorder r = recorder;
      if (r != null) {
        arm.withSim(
            x -> {
              recorder = null;
              r.close();
              return null;
            });
        loop.audit(
            AuditEvent.of(AuditEvent.RECORDING_STOP)
                .detail(recordingDir.getFileName().toString())
                .field("how", "finished when the session closed"));
      }
    }
    loop.closeStream();
    arm.close();
    armChannel.shutdownNow();
    armServer.shutdownNow();
    try {
      armChannel.awaitTermination(5, TimeUnit.SECONDS);
      armServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("teleop stopped");
  }

  /**
   * Builds a {@link SimTeleop}; {@code set*} required (but {@link #setRobot}), {@code opt*}
   * optional.
   */
  public static final class Builder {
    private Channel policyChannel;
    private RobotSpec robot = RobotSpecs.mantisPlanar3();
    private TaskFamily family = TaskFamily.REACH;
    private long seed;
    private Path recordingsDir = Path.of("recordings", "teleop");
    private int controlHz = 10;
    private MonotonicClock clock = MonotonicClock.system();
    private Clock wallClock = Clock.systemUTC();
    private int inputPx = mantis.core.spi.PolicyRequest.DEFAULT_INPUT_PX;
    private int displayPx = -1;
    private SimConfig simConfig = SimConfig.builder().optMaxEpisodeSeconds(120).build();
    private Duration predictTimeout = Duration.ofSeconds(2);
    private AuditLog audit = AuditLog.none();

    private Builder() {}

    /**
     * Where takeovers, e-stops, resets, changes of the arm's command source and recordings go (the
     * server's {@code --audit-log}); default none. The session does not close it.
     */
    public Builder optAuditLog(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /** Channel to the Mantis server's {@code PolicyService} (owned by the caller). Required. */
    public Builder setPolicyChannel(Channel channel) {
      this.policyChannel = channel;
      return this;
    }

    /**
     * The arm's description (limits for jogging and for the arm's safety filter); default planar3.
     */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** Task family of the first episode; default REACH. */
    public Builder optFamily(TaskFamily family) {
      this.family = family;
      return this;
    }

    /** Seed of the first episode; default 0. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Where recordings go, one directory each; default {@code recordings/teleop} under the working
     * directory.
     */
    public Builder optRecordingsDir(Path dir) {
      this.recordingsDir = dir;
      return this;
    }

    /** Control ticks per second (1..50); default 10. */
    public Builder optControlHz(int hz) {
      this.controlHz = hz;
      return this;
    }

    /**
     * Monotonic clock for ticks, jog holds, validity (the arm uses it too); default the system
     * clock.
     */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Wall clock for recording names; default UTC system clock. */
    public Builder optWallClock(Clock wallClock) {
      this.wallClock = wallClock;
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

    /** Square size of the live-view frame, pixels; default twice the input size (at most 512). */
    public Builder optDisplayPx(int px) {
      this.displayPx = px;
      return this;
    }

    /**
     * The simulator's configuration (arm embodiment); default the defaults with a 120 s time-out.
     */
    public Builder optSimConfig(SimConfig config) {
      this.simConfig = config;
      return this;
    }

    /** Deadline of each shadow Predict call; default 2 s. */
    public Builder optPredictTimeout(Duration timeout) {
      this.predictTimeout = timeout;
      return this;
    }

    /**
     * Builds the session.
     *
     * @throws IllegalStateException when the policy channel is missing
     * @throws IllegalArgumentException when a setting is out of range or the robot is not the sim's
     *     arm
     */
    public SimTeleop build() {
      if (policyChannel == null) {
        throw new IllegalStateException("setPolicyChannel is required");
      }
      Objects.requireNonNull(robot, "robot");
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(recordingsDir, "recordingsDir");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(wallClock, "wallClock");
      Objects.requireNonNull(simConfig, "simConfig");
      Objects.requireNonNull(predictTimeout, "predictTimeout");
      if (!robot.jointNames().equals(RobotSpecs.mantisPlanar3().jointNames())) {
        throw new IllegalArgumentException(
            "the simulated arm has joints "
                + RobotSpecs.mantisPlanar3().jointNames()
                + "; robot "
                + robot.name()
                + " has "
                + robot.jointNames());
      }
      if (simConfig.embodiment() != mantis.sim.Embodiment.ARM) {
        throw new IllegalArgumentException(
            "teleop drives the ARM embodiment, not " + simConfig.embodiment());
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
      return new SimTeleop(this);
    }
  }
}
