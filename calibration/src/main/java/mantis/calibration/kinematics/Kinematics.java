package mantis.calibration.kinematics;

import java.util.List;
import mantis.calibration.PlanarArmKinematics;
import mantis.core.RobotSpec;

/**
 * Forward kinematics, Jacobian and inverse kinematics of one arm. Poses are in the arm's base frame
 * (metres, unit quaternions); joint values are radians (metres for prismatic joints).
 * Implementations are immutable and thread-safe.
 */
public interface Kinematics {
  /** Number of joints. */
  int jointCount();

  /** Joint names, base to tool. */
  List<String> jointNames();

  /** Pose of the tool frame for the given joint values. */
  Pose forward(double[] joints);

  /**
   * The 6 x N geometric Jacobian at {@code joints}: rows (vx, vy, vz, wx, wy, wz) of the tool frame
   * origin in the base frame, one column per joint.
   */
  double[][] jacobian(double[] joints);

  /**
   * Joint values, inside the joint limits, that put the tool at {@code target}, starting the search
   * from {@code seed}. Never throws for an unreachable pose: the result says why it failed.
   */
  IkResult inverse(Pose target, double[] seed);

  /**
   * Kinematics of an N-joint serial chain: exact FK, analytic Jacobian, and damped-least-squares IK
   * with joint limits and restarts (from precomputed sample poses nearest the target, then seeded
   * random joint values).
   */
  static Kinematics serial(SerialChain chain, IkOptions options) {
    return new SerialChainKinematics(chain, options);
  }

  /** {@link #serial(SerialChain, IkOptions)} with {@link IkOptions#defaults()}. */
  static Kinematics serial(SerialChain chain) {
    return serial(chain, IkOptions.defaults());
  }

  /**
   * The planar 3R arm behind this interface: the arm moves in the plane z = 0 and the tool frame is
   * rotated about +z by the heading (the sum of the joint angles). IK uses the arm's exact solver
   * (the solution nearest the seed); targets off the plane or tilted out of it fail.
   */
  static Kinematics planar(PlanarArmKinematics arm, RobotSpec limits) {
    return new PlanarKinematics(arm, limits);
  }
}
