/**
 * Kinematics of serial arms: a URDF reader, immutable serial chains, and forward kinematics,
 * Jacobians and damped-least-squares inverse kinematics behind one {@link
 * mantis.calibration.kinematics.Kinematics} interface.
 *
 * <ul>
 *   <li>{@link mantis.calibration.kinematics.UrdfReader} parses a URDF file with the JDK's XML
 *       parser into a {@link mantis.calibration.kinematics.UrdfRobot}, from which {@link
 *       mantis.calibration.kinematics.UrdfRobot#serialChain(String, String)} extracts the {@link
 *       mantis.calibration.kinematics.SerialChain} between a base link and a tool link.
 *   <li>{@link mantis.calibration.kinematics.Kinematics#serial(SerialChain, IkOptions)} gives FK, a
 *       6xN geometric Jacobian and IK (damped least squares with joint limits and seeded random
 *       restarts) for any N-joint chain; {@link
 *       mantis.calibration.kinematics.Kinematics#planar(mantis.calibration.PlanarArmKinematics,
 *       mantis.core.RobotSpec)} puts the exact planar 3R solver behind the same interface.
 *   <li>{@link mantis.calibration.kinematics.RobotModels} names the robots Mantis ships ({@code
 *       planar3}, and {@code ur5e}: a UR5e-like 6-joint arm from a bundled URDF) as {@link
 *       mantis.calibration.kinematics.RobotModel}s: limits, kinematics and a {@link
 *       mantis.calibration.kinematics.TableReach}, the one seam between table-space plans and any
 *       arm's joints.
 * </ul>
 *
 * <p>Conventions: poses are in the chain's base frame, positions in metres, orientations as unit
 * quaternions (x, y, z, w), angles in radians, prismatic joints in metres. Jacobian rows are (vx,
 * vy, vz, wx, wy, wz) of the tool frame origin in the base frame. All classes are immutable and
 * thread-safe.
 */
package mantis.calibration.kinematics;
