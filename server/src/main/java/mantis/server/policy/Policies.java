package mantis.server.policy;

import mantis.baseline.VisualServoPolicy;
import mantis.calibration.CameraModel;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;

/** Makes policies by name. */
public final class Policies {
  private Policies() {}

  /**
   * The policy called {@code name}: {@code visual-servo} (the classical baseline with the sim's
   * nominal camera, working at {@code inputPx} x {@code inputPx}), {@code hold}, or {@code random} (a
   * seeded random walk of joint targets, the floor of an evaluation).
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Policy create(String name, RobotSpec robot, int inputPx, MonotonicClock clock) {
    switch (name) {
      case "visual-servo":
        return VisualServoPolicy.builder()
            .setRobot(robot)
            .setCamera(CameraModel.mantisDefault(640, 480))
            .optInputSizePx(inputPx, inputPx)
            .optClock(clock)
            .build();
      case "hold":
      case "no-op":
        return HoldPolicy.create(robot, clock);
      case "random":
        return new RandomPolicy(robot, inputPx, clock);
      default:
        throw new IllegalArgumentException("unknown policy '" + name + "'; known: visual-servo, hold, random");
    }
  }
}
