package mantis.sim.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mantis.core.ActionChunk;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.safety.ChunkPlayer;
import mantis.core.safety.SafetyFilter;
import mantis.core.safety.SafetyResult;
import mantis.core.safety.Watchdog;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.sim.Embodiment;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated arm behind {@code mantis.v1.ArmService}. Every command's chunk passes a {@link
 * SafetyFilter} and is played by a {@link ChunkPlayer} against the clock, one physics step per tick
 * at the sim's physics rate; the arm holds its position whenever no valid chunk is playing, when a
 * stream's commands stop for the watchdog timeout, on Hold, and while the e-stop is latched. Joint
 * states stream back to every open StreamCommands call after each tick.
 *
 * <p>A command's validity counts from its arrival: {@code valid_for_nanos} on this arm's clock.
 * Constructors start nothing; {@link #start()} starts the physics ticks, {@link #close()} stops them.
 * Thread-safe.
 *
 * <p>Security: this service checks no credentials and is served in-process only. No Mantis command
 * puts it on a network listener; its one user, the teleop dashboard's simulated arm ({@code
 * mantis.server.teleop.SimTeleop}), serves it on an {@code InProcessServer} that only code in the
 * same JVM can reach, and the dashboard authenticates its own HTTP users. Whoever serves it on a
 * network address must protect it like the ROS bridge's ArmService does: {@code
 * mantis.security.ServerSecurity#check} before binding (loopback, or TLS and tokens) and every call
 * through {@code mantis.security.AuthInterceptor} (docs/SECURITY.md).
 */
public final class SimArmService extends ArmServiceGrpc.ArmServiceImplBase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimArmService.class);

  private final TabletopSim sim;
  private final String robotId;
  private final MonotonicClock clock;
  private final SafetyFilter filter;
  private final ChunkPlayer player;
  private final long watchdogTimeoutNanos;
  private final ScheduledExecutorService givenScheduler;
  private final StepListener stepListener;
  private final Object simLock = new Object();
  private final Set<CommandStream> streams = ConcurrentHashMap.newKeySet();

  // Guarded by simLock.
  private double[] holdAtRad;
  private boolean holding = true;
  private long interventions;
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> ticking;
  private boolean closed;

  private SimArmService(Builder b) {
    this.sim = b.sim;
    this.robotId = b.robotId;
    this.clock = b.clock;
    this.filter = b.filter != null ? b.filter : SafetyFilter.builder().setRobot(sim.robot()).optClock(clock).build();
    this.player = new ChunkPlayer(clock);
    this.watchdogTimeoutNanos = b.watchdogTimeoutNanos;
    this.givenScheduler = b.scheduler;
    this.stepListener = b.stepListener;
  }

  /**
   * Sees every physics step of the arm, on the physics thread and under the sim's lock, just before
   * the step is applied (so {@code sim} shows the state the targets are commanded from, as {@code
   * EpisodeRecorder.record} expects). Must be quick and must not call back into this service.
   */
  @FunctionalInterface
  public interface StepListener {
    /**
     * @param sim the simulator, in the state before the step
     * @param jointTargetsRad the targets about to be applied (the playing chunk's, or the hold)
     */
    void beforeStep(TabletopSim sim, double[] jointTargetsRad);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the physics ticks at the sim's physics rate, in real time. */
  public void start() {
    synchronized (simLock) {
      if (closed || ticking != null) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      scheduler = givenScheduler != null ? givenScheduler : Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mantis-sim-arm");
        t.setDaemon(true);
        return t;
      });
      long periodNanos = Math.round(1e9 / sim.config().physicsHz());
      ticking = scheduler.scheduleAtFixedRate(this::tickSafely, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("sim arm tick failed", e);
    }
  }

  /** One physics step toward the playing chunk's target for now (or holding), then publish the state. */
  void tick() {
    JointStateMsg msg;
    synchronized (simLock) {
      if (closed) {
        return;
      }
      Optional<double[]> target = filter.isEstopped() ? Optional.empty() : player.targetAt(clock.nanoTime());
      double[] q;
      if (target.isPresent()) {
        q = target.get();
        holding = false;
        holdAtRad = null;
      } else {
        if (holdAtRad == null) {
          holdAtRad = sim.jointState().positionsRad();
        }
        q = holdAtRad;
        holding = true;
      }
      if (stepListener != null) {
        try {
          stepListener.beforeStep(sim, q.clone());
        } catch (RuntimeException e) {
          log.warn("step listener failed: {}", e.toString());
        }
      }
      sim.step(q);
      msg = stateMessage();
    }
    for (CommandStream s : streams) {
      s.send(msg);
    }
  }

  private JointStateMsg stateMessage() {
    JointState js = sim.jointState();
    JointState stamped = new JointState(js.names(), js.positionsRad(), js.velocitiesRadPerS(), clock.nanoTime());
    return JointStateMsg.newBuilder()
        .setRobotId(robotId)
        .setJointState(ProtoMapping.toProto(stamped))
        .setHolding(holding)
        .setEstopped(filter.isEstopped())
        .setInterventions(interventions)
        .build();
  }

  /**
   * Runs {@code action} on the simulator under the lock the physics ticks hold, so it sees (and may
   * read, render or record) one consistent state. Keep it short: the physics waits. The simulator must
   * not be stepped or reset through it (use {@link #resetEpisode}).
   */
  public <T> T withSim(Function<TabletopSim, T> action) {
    Objects.requireNonNull(action, "action");
    synchronized (simLock) {
      return action.apply(sim);
    }
  }

  /**
   * Starts a new episode on the simulator: drops the playing chunk and resets the sim to (seed,
   * family); the arm holds at the new home pose until the next command. The e-stop stays as it is.
   */
  public void resetEpisode(long seed, TaskFamily family) {
    Objects.requireNonNull(family, "family");
    synchronized (simLock) {
      player.clear();
      sim.reset(seed, family);
      holdAtRad = null;
      holding = true;
    }
    log.info("arm {} reset to {} seed {}", robotId, family, seed);
  }

  /** Runs every stream's watchdog check now (the scheduler does this on its own; tests call it). */
  void pollWatchdogs() {
    for (CommandStream s : streams) {
      s.watchdog.poll();
    }
  }

  /** Drops the playing chunk: the arm holds where it is. */
  private void holdNow(String why) {
    synchronized (simLock) {
      player.clear();
      holdAtRad = null;
      holding = true;
    }
    log.info("arm {} holding: {}", robotId, why);
  }

  private ArmStatus status() {
    synchronized (simLock) {
      return ArmStatus.newBuilder().setRobotId(robotId).setHolding(holding).setEstopped(filter.isEstopped()).build();
    }
  }

  private boolean wrongRobot(String requested, StreamObserver<?> out) {
    if (!requested.isEmpty() && !requested.equals(robotId)) {
      out.onError(Status.NOT_FOUND.withDescription("this arm is " + robotId + ", not " + requested)
          .asRuntimeException());
      return true;
    }
    return false;
  }

  @Override
  public void hold(HoldRequest request, StreamObserver<ArmStatus> out) {
    if (wrongRobot(request.getRobotId(), out)) {
      return;
    }
    holdNow(request.getReason().isEmpty() ? "Hold requested" : request.getReason());
    out.onNext(status());
    out.onCompleted();
  }

  @Override
  public void eStop(EStopRequest request, StreamObserver<ArmStatus> out) {
    if (wrongRobot(request.getRobotId(), out)) {
      return;
    }
    filter.estop(request.getReason().isEmpty() ? "EStop requested" : request.getReason());
    holdNow("e-stop");
    out.onNext(status());
    out.onCompleted();
  }

  @Override
  public void reset(ResetRequest request, StreamObserver<ArmStatus> out) {
    if (wrongRobot(request.getRobotId(), out)) {
      return;
    }
    filter.reset();
    out.onNext(status());
    out.onCompleted();
  }

  @Override
  public StreamObserver<JointCommand> streamCommands(StreamObserver<JointStateMsg> out) {
    CommandStream s = new CommandStream((ServerCallStreamObserver<JointStateMsg>) out);
    streams.add(s);
    s.watchdog.start();
    return s;
  }

  /** Stops the ticks, holds, and ends every open stream. */
  @Override
  public void close() {
    synchronized (simLock) {
      if (closed) {
        return;
      }
      closed = true;
      player.clear();
      if (ticking != null) {
        ticking.cancel(false);
      }
      if (scheduler != null && scheduler != givenScheduler) {
        scheduler.shutdownNow();
      }
    }
    for (CommandStream s : streams) {
      s.end();
    }
  }

  private final class CommandStream implements StreamObserver<JointCommand> {
    private final ServerCallStreamObserver<JointStateMsg> out;
    private final Watchdog watchdog;
    private boolean ended;

    CommandStream(ServerCallStreamObserver<JointStateMsg> out) {
      this.out = out;
      Watchdog.Builder wb = Watchdog.builder()
          .setTimeoutNanos(watchdogTimeoutNanos)
          .setClock(clock)
          .setOnHold(() -> holdNow("no command for " + watchdogTimeoutNanos / 1_000_000 + " ms"));
      if (givenScheduler != null) {
        wb.optScheduler(givenScheduler);
      }
      this.watchdog = wb.build();
    }

    @Override
    public void onNext(JointCommand command) {
      long now = clock.nanoTime();
      if (!command.getRobotId().isEmpty() && !command.getRobotId().equals(robotId)) {
        fail(Status.INVALID_ARGUMENT.withDescription("command for robot " + command.getRobotId()
            + " sent to arm " + robotId));
        return;
      }
      if (!command.hasChunk()) {
        fail(Status.INVALID_ARGUMENT.withDescription("command has no chunk"));
        return;
      }
      watchdog.feed();
      ActionChunk chunk = ProtoMapping.chunkFromProto(command.getChunk(), now);
      synchronized (simLock) {
        if (closed) {
          return;
        }
        JointState current = sim.jointState();
        SafetyResult safe = filter.filter(chunk, current);
        interventions += safe.interventions().size();
        if (safe.held()) {
          player.clear();
          holdAtRad = null;
          log.debug("command held: {}", safe.interventions());
        } else if (player.offer(safe.chunk(), now, current.positionsRad())) {
          holdAtRad = null;
        }
      }
    }

    void send(JointStateMsg msg) {
      synchronized (this) {
        if (ended || out.isCancelled()) {
          return;
        }
        out.onNext(msg);
      }
    }

    private void fail(Status status) {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        out.onError(status.asRuntimeException());
      }
      cleanup();
    }

    void end() {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        if (!out.isCancelled()) {
          out.onCompleted();
        }
      }
      cleanup();
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        ended = true;
      }
      cleanup();
    }

    @Override
    public void onCompleted() {
      end();
    }

    private void cleanup() {
      watchdog.close();
      if (streams.remove(this) && streams.isEmpty()) {
        holdNow("last command stream closed");
      }
    }
  }

  /** Builds a {@link SimArmService}; {@code set*} required, {@code opt*} optional. */
  public static final class Builder {
    private TabletopSim sim;
    private String robotId = "sim";
    private MonotonicClock clock = MonotonicClock.system();
    private SafetyFilter filter;
    private long watchdogTimeoutNanos = Watchdog.DEFAULT_TIMEOUT_NANOS;
    private ScheduledExecutorService scheduler;
    private StepListener stepListener;

    private Builder() {}

    /** The simulator (arm embodiment), already reset to an episode. Required. */
    public Builder setSim(TabletopSim sim) {
      this.sim = sim;
      return this;
    }

    /** This arm's robot id; default "sim". */
    public Builder optRobotId(String robotId) {
      this.robotId = robotId;
      return this;
    }

    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** The safety filter; default one for the sim's robot with default limits and this clock. */
    public Builder optSafetyFilter(SafetyFilter filter) {
      this.filter = filter;
      return this;
    }

    /** Hold when a stream's commands stop for this long; default 100 ms. */
    public Builder optWatchdogTimeoutNanos(long nanos) {
      this.watchdogTimeoutNanos = nanos;
      return this;
    }

    /** Scheduler for physics ticks and watchdogs; default private daemon threads. */
    public Builder optScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Sees every physics step before it is applied (e.g. to record the episode); default none. */
    public Builder optStepListener(StepListener listener) {
      this.stepListener = listener;
      return this;
    }

    public SimArmService build() {
      Objects.requireNonNull(sim, "setSim is required");
      Objects.requireNonNull(robotId, "robotId");
      Objects.requireNonNull(clock, "clock");
      if (sim.config().embodiment() != Embodiment.ARM) {
        throw new IllegalArgumentException("the arm service needs the ARM embodiment");
      }
      if (watchdogTimeoutNanos <= 0) {
        throw new IllegalArgumentException("watchdog timeout must be > 0");
      }
      return new SimArmService(this);
    }
  }
}
