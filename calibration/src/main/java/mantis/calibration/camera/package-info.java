/**
 * Camera calibration on OpenCV: intrinsics from images of a chessboard or a ChArUco board, and
 * hand-eye calibration (eye-in-hand and eye-to-hand) with all five of OpenCV's methods.
 *
 * <ul>
 *   <li>{@link mantis.calibration.camera.IntrinsicsCalibrator} finds the board in every image of a
 *       folder (chessboard: {@code findChessboardCorners} + {@code cornerSubPix}; ChArUco: {@code
 *       CharucoDetector}) and runs {@code calibrateCamera}; the {@link
 *       mantis.calibration.camera.IntrinsicsResult} names the images it used (with their
 *       reprojection errors and board poses) and those it rejected, with the reason.
 *   <li>{@link mantis.calibration.camera.HandEyeCalibrator} solves AX = XB from gripper poses in
 *       the robot base and target poses in the camera, with each {@link
 *       mantis.calibration.camera.HandEyeMethod}, and reports every solution's AX = XB residuals
 *       over all pairs of stations and the method with the lowest.
 * </ul>
 *
 * <p>No OpenCV type appears in a public signature: poses are {@link
 * mantis.calibration.kinematics.Pose}s (metres, quaternions), intrinsics {@link
 * mantis.calibration.CameraIntrinsics} (pixels, OpenCV's distortion model). Board sizes are in
 * millimetres. Results are immutable records; the calibrators are immutable and thread-safe.
 */
package mantis.calibration.camera;
