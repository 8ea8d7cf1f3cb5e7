package mantis.ros.bridge;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import mantis.core.ActionChunk;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.arm.Arm;
import mantis.core.arm.ArmListener;
import mantis.core.arm.ArmState;
import mantis.security.AuditEvent;
import mantis.security.Principal;

/**
 * The real arm behind the bridge, as the {@link Arm} port: a session's chunks go through the
 * bridge's {@link mantis.core.safety.SafetyFilter} and are published as trajectories; every joint
 * state from ROS goes to every open session. Hold, EStop and Reset act on the same latch as the
 * e-stop and reset topics. While a session is open and sending, policy chunks are not published
 * (see {@link BridgeCore}); when its commands stop for the watchdog timeout, or the last session
 * that sent commands closes, the arm holds.
 *
 * <p>The caller's {@link Principal} (read from the gRPC context of the calling thread) goes to the
 * audit log with each Hold, EStop and Reset, and when a session takes control of the arm (its first
 * command) and gives it back (it closes).
 */
final class BridgeArm implements Arm {
  private final BridgeCore core;
  private final String robotId;
  private final MonotonicClock clock;

  BridgeArm(BridgeCore core, MonotonicClock clock) {
    this.core = core;
    this.robotId = core.config().robot().id();
    this.clock = clock;
  }

  @Override
  public String robotId() {
    return robotId;
  }

  @Override
  public RobotSpec robot() {
    return core.config().robot().spec();
  }

  @Override
  public MonotonicClock clock() {
    return clock;
  }

  @Override
  public ArmState state() {
    return new ArmState(core.isHolding(), core.filter().isEstopped(), core.interventions());
  }

  @Override
  public void hold(String reason) {
    core.armHold(
        reason.isEmpty() ? "ArmService Hold" : "ArmService Hold: " + reason, Principal.current());
  }

  @Override
  public void estop(String reason) {
    core.estop(
        reason.isEmpty() ? "ArmService EStop" : "ArmService EStop: " + reason, Principal.current());
  }

  @Override
  public void reset() {
    core.reset(Principal.current());
  }

  @Override
  public Session openSession(ArmListener listener) {
    BridgeSession s = new BridgeSession(listener, Principal.current());
    core.armStreamOpened();
    core.addJointStateListener(s);
    return s;
  }

  private final class BridgeSession implements Session, Consumer<JointState> {
    private final ArmListener listener;
    private final Principal caller;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Guarded by this.
    private long commands;
    private long firstCommandNanos;

    BridgeSession(ArmListener listener, Principal caller) {
      this.listener = listener;
      this.caller = caller;
    }

    /** A joint state from ROS. */
    @Override
    public void accept(JointState js) {
      listener.onJointState(js, state());
    }

    @Override
    public void command(ActionChunk chunk) {
      long now = clock.nanoTime();
      boolean first;
      synchronized (this) {
        first = commands++ == 0;
        if (first) {
          firstCommandNanos = now;
        }
      }
      if (first) {
        core.audit()
            .record(
                AuditEvent.of(AuditEvent.COMMAND_SOURCE)
                    .principal(caller)
                    .robot(robotId)
                    .detail(
                        "ArmService StreamCommands client takes control of the arm from the policy"));
      }
      core.armCommand(chunk);
    }

    @Override
    public void close(String outcome) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      core.removeJointStateListener(this);
      core.armStreamClosed();
      long n;
      long since;
      synchronized (this) {
        n = commands;
        since = firstCommandNanos;
      }
      if (n > 0) {
        core.audit()
            .record(
                AuditEvent.of(AuditEvent.COMMAND_SOURCE_END)
                    .principal(caller)
                    .robot(robotId)
                    .detail(
                        "ArmService StreamCommands ended ("
                            + outcome
                            + "): control goes back to the policy")
                    .field("status", outcome)
                    .field("commands", n)
                    .field("seconds", Math.round((clock.nanoTime() - since) / 1e6) / 1e3));
      }
    }
  }
}
