package mantis.sim.grpc;

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
import mantis.core.RobotSpec;
import mantis.core.arm.Arm;
import mantis.core.arm.ArmListener;
import mantis.core.arm.ArmState;
import mantis.core.safety.ChunkPlayer;
import mantis.core.safety.SafetyFilter;
import mantis.core.safety.SafetyResult;
import mantis.core.safety.Watchdog;
import mantis.sim.Embodiment;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated arm. Every command's chunk passes a {@link SafetyFilter} and is played by a {@link
 * ChunkPlayer} against the clock, one physics step per tick at the sim's physics rate; the arm
 * holds its position whenever no valid chunk is playing, when a session's commands stop for the
 * watchdog timeout, when its last session closes, on {@link #hold}, and while the e-stop is
 * latched. Every open session's listener sees the joint state after each tick.
 *
 * <p>Constructors start nothing; {@link #start()} starts the physics ticks, {@link #close()} stops
 * them. Thread-safe. {@link SimArmService} serves it as {@code mantis.v1.ArmService}.
 */
public final class SimArm implements Arm, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimArm.class);

  private final TabletopSim sim;
  private final String robotId;
  private final MonotonicClock clock;
  private final SafetyFilter filter;
  private final ChunkPlayer player;
  private final long watchdogTimeoutNanos;
  private final ScheduledExecutorService givenScheduler;
  private final StepListener stepListener;
  private final Object simLock = new Object();
  private final Set<SimSession> sessions = ConcurrentHashMap.newKeySet();

  // Guarded by simLock.
  private double[] holdAtRad;
  private boolean holding = true;
  private long interventions;
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> ticking;
  private boolean closed;

  private SimArm(Builder b) {
    this.sim = b.sim;
    this.robotId = b.robotId;
    this.clock = b.clock;
    this.filter =
        b.filter != null
            ? b.filter
            : SafetyFilter.builder().setRobot(sim.robot()).optClock(clock).build();
    this.player = new ChunkPlayer(clock);
    this.watchdogTimeoutNanos = b.watchdogTimeoutNanos;
    this.givenScheduler = b.scheduler;
    this.stepListener = b.stepListener;
  }

  /**
   * Sees every physics step of the arm, on the physics thread and under the sim's lock, just before
   * the step is applied (so {@code sim} shows the state the targets are commanded from, as {@code
   * EpisodeRecorder.record} expects). Must be quick and must not call back into the arm.
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

  @Override
  public String robotId() {
    return robotId;
  }

  @Override
  public RobotSpec robot() {
    return sim.robot();
  }

  @Override
  public MonotonicClock clock() {
    return clock;
  }

  /** Starts the physics ticks at the sim's physics rate, in real time. */
  public void start() {
    synchronized (simLock) {
      if (closed || ticking != null) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      scheduler =
          givenScheduler != null
              ? givenScheduler
              : Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "mantis-sim-arm");
                    t.setDaemon(true);
                    return t;
                  });
      long periodNanos = Math.round(1e9 / sim.config().physicsHz());
      ticking =
          scheduler.scheduleAtFixedRate(
              this::tickSafely, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("sim arm tick failed", e);
    }
  }

  /**
   * One physics step toward the playing chunk's target for now (or holding), then publish the
   * state.
   */
  void tick() {
    JointState stamped;
    ArmState state;
    synchronized (simLock) {
      if (closed) {
        return;
      }
      Optional<double[]> target =
          filter.isEstopped() ? Optional.empty() : player.targetAt(clock.nanoTime());
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
      JointState js = sim.jointState();
      stamped =
          new JointState(js.names(), js.positionsRad(), js.velocitiesRadPerS(), clock.nanoTime());
      state = new ArmState(holding, filter.isEstopped(), interventions);
    }
    for (SimSession s : sessions) {
      s.listener.onJointState(stamped, state);
    }
  }

  /**
   * Runs {@code action} on the simulator under the lock the physics ticks hold, so it sees (and may
   * read, render or record) one consistent state. Keep it short: the physics waits. The simulator
   * must not be stepped or reset through it (use {@link #resetEpisode}).
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

  /**
   * Runs every session's watchdog check now (the scheduler does this on its own; tests call it).
   */
  void pollWatchdogs() {
    for (SimSession s : sessions) {
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

  @Override
  public ArmState state() {
    synchronized (simLock) {
      return new ArmState(holding, filter.isEstopped(), interventions);
    }
  }

  @Override
  public void hold(String reason) {
    holdNow(reason.isEmpty() ? "Hold requested" : reason);
  }

  @Override
  public void estop(String reason) {
    filter.estop(reason.isEmpty() ? "EStop requested" : reason);
    holdNow("e-stop");
  }

  @Override
  public void reset() {
    filter.reset();
  }

  @Override
  public Session openSession(ArmListener listener) {
    Objects.requireNonNull(listener, "listener");
    SimSession s = new SimSession(listener);
    sessions.add(s);
    s.watchdog.start();
    return s;
  }

  /**
   * Stops the ticks and holds. Open sessions stay open (their controller ends them) but see no more
   * states.
   */
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
  }

  private final class SimSession implements Session {
    private final ArmListener listener;
    private final Watchdog watchdog;

    SimSession(ArmListener listener) {
      this.listener = listener;
      Watchdog.Builder wb =
          Watchdog.builder()
              .setTimeoutNanos(watchdogTimeoutNanos)
              .setClock(clock)
              .setOnHold(
                  () -> holdNow("no command for " + watchdogTimeoutNanos / 1_000_000 + " ms"));
      if (givenScheduler != null) {
        wb.optScheduler(givenScheduler);
      }
      this.watchdog = wb.build();
    }

    @Override
    public void command(ActionChunk chunk) {
      long now = clock.nanoTime();
      watchdog.feed();
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

    @Override
    public void close(String outcome) {
      watchdog.close();
      if (sessions.remove(this) && sessions.isEmpty()) {
        holdNow("last command stream closed");
      }
    }
  }

  /** Builds a {@link SimArm}; {@code set*} required, {@code opt*} optional. */
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

    /** Hold when a session's commands stop for this long; default 100 ms. */
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

    public SimArm build() {
      Objects.requireNonNull(sim, "setSim is required");
      Objects.requireNonNull(robotId, "robotId");
      Objects.requireNonNull(clock, "clock");
      if (sim.config().embodiment() != Embodiment.ARM) {
        throw new IllegalArgumentException("the arm service needs the ARM embodiment");
      }
      if (watchdogTimeoutNanos <= 0) {
        throw new IllegalArgumentException("watchdog timeout must be > 0");
      }
      return new SimArm(this);
    }
  }
}
