package mantis.calibration.camera;

import java.util.Objects;
import mantis.calibration.kinematics.Pose;

/**
 * One method's hand-eye solution X and how well it satisfies AX = XB over all pairs (i, j) of
 * stations, where A is the gripper's motion from station i to j and B the camera's (eye-to-hand:
 * the base's motion seen from the gripper). The residual of a pair is E = (AX)⁻¹ XB: its rotation
 * angle and the length of its translation.
 *
 * @param method the OpenCV method
 * @param camera the camera's pose: in the gripper frame (eye-in-hand) or in the base frame
 *     (eye-to-hand); metres
 * @param rotationRmsDeg RMS over pairs of the residual's rotation, degrees
 * @param rotationMaxDeg largest residual rotation, degrees
 * @param translationRmsMm RMS over pairs of the residual's translation, millimetres
 * @param translationMaxMm largest residual translation, millimetres
 */
public record HandEyeSolution(
    HandEyeMethod method,
    Pose camera,
    double rotationRmsDeg,
    double rotationMaxDeg,
    double translationRmsMm,
    double translationMaxMm) {
  public HandEyeSolution {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(camera, "camera");
  }
}
