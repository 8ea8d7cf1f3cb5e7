/**
 * Camera model and arm kinematics, in pure Java (no native code; EJML for linear algebra).
 *
 * <ul>
 *   <li>{@link mantis.calibration.CameraModel}: a pinhole camera with OpenCV's radial/tangential
 *       distortion model ({@link mantis.calibration.CameraIntrinsics}) and a rigid pose ({@link
 *       mantis.calibration.CameraExtrinsics}); projects table points to pixels and maps pixels back
 *       onto a horizontal plane.
 *   <li>{@link mantis.calibration.PlanarArmKinematics}: forward and exact analytic inverse
 *       kinematics of a planar 3R arm, with joint limits from a {@link mantis.core.RobotSpec}.
 *   <li>{@code mantis.calibration.kinematics}: URDF robots and N-joint serial kinematics (FK,
 *       Jacobian, damped-least-squares IK on EJML) behind one interface, the planar arm included.
 * </ul>
 *
 * <p>Conventions: the table frame is metric, origin at the arm base, +x right, +y away from the
 * base, z up, table surface z = 0. Pixel coordinates follow OpenCV: origin top-left, x right, y
 * down, and the centre of pixel (i, j) is at (i, j), so pixel (0, 0) covers [-0.5, 0.5] x [-0.5,
 * 0.5].
 */
package mantis.calibration;
