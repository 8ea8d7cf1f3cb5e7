package mantis.sim.grpc;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import mantis.core.MonotonicClock;
import mantis.core.safety.SafetyFilter;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.wire.arm.ArmServiceAdapter;

/**
 * A {@link SimArm} served as {@code mantis.v1.ArmService} through {@link ArmServiceAdapter}: joint
 * states stream back to every open StreamCommands call after each physics tick; a command's
 * validity counts from its arrival ({@code valid_for_nanos} on this arm's clock); the arm holds
 * when a call's commands stop for the watchdog timeout and when the last call closes. Constructors
 * start nothing; {@link #start()} starts the physics ticks, {@link #close()} stops them and ends
 * every open call. Thread-safe.
 *
 * <p>Security: this service checks no credentials and is served in-process only. No Mantis command
 * puts it on a network listener; its one user, the teleop dashboard's simulated arm ({@code
 * mantis.teleop.SimTeleop}), serves it on an {@code InProcessServer} that only code in the same JVM
 * can reach, and the dashboard authenticates its own HTTP users. Whoever serves it on a network
 * address must protect it like the ROS bridge's ArmService does: {@code
 * mantis.security.ServerSecurity#check} before binding (loopback, or TLS and tokens) and every call
 * through {@code mantis.security.AuthInterceptor} (docs/SECURITY.md).
 */
public final class SimArmService implements BindableService, AutoCloseable {
  private final SimArm arm;
  private final ArmServiceAdapter adapter;

  private SimArmService(SimArm arm) {
    this.arm = arm;
    this.adapter = ArmServiceAdapter.builder().setArm(arm).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ServerServiceDefinition bindService() {
    return adapter.bindService();
  }

  /** The simulated arm behind the service. */
  public SimArm arm() {
    return arm;
  }

  /** Starts the physics ticks at the sim's physics rate, in real time. */
  public void start() {
    arm.start();
  }

  /** See {@link SimArm#withSim}. */
  public <T> T withSim(Function<TabletopSim, T> action) {
    return arm.withSim(action);
  }

  /** See {@link SimArm#resetEpisode}. */
  public void resetEpisode(long seed, TaskFamily family) {
    arm.resetEpisode(seed, family);
  }

  void tick() {
    arm.tick();
  }

  void pollWatchdogs() {
    arm.pollWatchdogs();
  }

  /** Stops the ticks, holds, and ends every open stream. */
  @Override
  public void close() {
    arm.close();
    adapter.close();
  }

  /** Builds a {@link SimArmService}: the {@link SimArm.Builder} settings, forwarded. */
  public static final class Builder {
    private final SimArm.Builder arm = SimArm.builder();

    private Builder() {}

    /** The simulator (arm embodiment), already reset to an episode. Required. */
    public Builder setSim(TabletopSim sim) {
      arm.setSim(sim);
      return this;
    }

    /** This arm's robot id; default "sim". */
    public Builder optRobotId(String robotId) {
      arm.optRobotId(robotId);
      return this;
    }

    public Builder optClock(MonotonicClock clock) {
      arm.optClock(clock);
      return this;
    }

    /** The safety filter; default one for the sim's robot with default limits and this clock. */
    public Builder optSafetyFilter(SafetyFilter filter) {
      arm.optSafetyFilter(filter);
      return this;
    }

    /** Hold when a stream's commands stop for this long; default 100 ms. */
    public Builder optWatchdogTimeoutNanos(long nanos) {
      arm.optWatchdogTimeoutNanos(nanos);
      return this;
    }

    /** Scheduler for physics ticks and watchdogs; default private daemon threads. */
    public Builder optScheduler(ScheduledExecutorService scheduler) {
      arm.optScheduler(scheduler);
      return this;
    }

    /** Sees every physics step before it is applied (e.g. to record the episode); default none. */
    public Builder optStepListener(SimArm.StepListener listener) {
      arm.optStepListener(listener);
      return this;
    }

    public SimArmService build() {
      return new SimArmService(arm.build());
    }
  }
}
