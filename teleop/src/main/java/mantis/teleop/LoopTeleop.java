package mantis.teleop;

import java.util.List;
import mantis.security.Principal;

/**
 * What every {@link Teleop} does the same way, by handing it to its {@link TeleopLoop}: the state,
 * the frame, jogging, the control mode, e-stop and reset. A session ({@link SimTeleop}, {@link
 * BridgedTeleop}) adds only what depends on its arm: starting and stopping, new episodes and
 * recording.
 */
abstract class LoopTeleop implements Teleop {
  /** The session's control loop, made in its constructor. */
  abstract TeleopLoop loop();

  @Override
  public final TeleopState state() {
    return loop().state();
  }

  @Override
  public final byte[] framePng() {
    return loop().framePng();
  }

  @Override
  public final boolean jog(List<Double> velocitiesRadPerS, long holdMillis, Principal by) {
    return loop().jog(velocitiesRadPerS, holdMillis, by);
  }

  @Override
  public final void setMode(ControlMode mode, Principal by) {
    loop().setMode(mode, by);
  }

  /** Latches the arm's e-stop through its ArmService ({@code EStop}); the arm holds. */
  @Override
  public final void estop(String reason, Principal by) {
    loop().estop(reason, by);
  }

  /**
   * Clears the arm's latch through its ArmService ({@code Reset}); the arm holds until the next
   * command.
   */
  @Override
  public final void reset(Principal by) {
    loop().reset(by);
  }
}
