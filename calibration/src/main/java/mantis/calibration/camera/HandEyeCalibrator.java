package mantis.calibration.camera;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mantis.calibration.kinematics.Pose;
import org.opencv.calib3d.Calib3d;
import org.opencv.core.CvException;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Hand-eye calibration with OpenCV's {@code calibrateHandEye}, every {@link HandEyeMethod}.
 *
 * <p>Input: at each of N robot stations, the gripper's pose in the robot base frame (from the
 * robot's forward kinematics) and the calibration target's pose in the camera frame (e.g. from
 * {@code solvePnP}, or {@link CalibrationView#boardInCamera()}). Eye-in-hand solves for the camera
 * in the gripper frame; eye-to-hand for the camera in the base frame (OpenCV is given the inverted
 * gripper poses). Use stations that rotate the gripper about at least two different axes, by tens
 * of degrees.
 */
public final class HandEyeCalibrator {
  /** Fewest stations accepted. */
  public static final int MIN_STATIONS = 3;

  private HandEyeCalibrator() {}

  /**
   * Runs every method and measures its AX = XB residuals over all pairs of stations.
   *
   * @param gripperInBase the gripper's pose in the base frame at each station (metres)
   * @param targetInCamera the target's pose in the camera frame at the same stations (metres)
   * @throws CalibrationException when the lists differ in length, are too short, the gripper does
   *     not rotate enough, or no method gives a solution
   */
  public static HandEyeResult calibrate(
      HandEyeMode mode, List<Pose> gripperInBase, List<Pose> targetInCamera)
      throws CalibrationException {
    if (gripperInBase.size() != targetInCamera.size()) {
      throw new CalibrationException(
          "mismatched pose counts: "
              + gripperInBase.size()
              + " gripper poses but "
              + targetInCamera.size()
              + " target poses; give one of each per station");
    }
    int n = gripperInBase.size();
    if (n < MIN_STATIONS) {
      throw new CalibrationException(
          "hand-eye calibration needs at least " + MIN_STATIONS + " stations, got " + n);
    }
    List<Rigid> g = new ArrayList<>();
    List<Rigid> c = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Rigid gi = Rigid.of(gripperInBase.get(i));
      g.add(mode == HandEyeMode.EYE_IN_HAND ? gi : gi.inverse());
      c.add(Rigid.of(targetInCamera.get(i)));
    }
    checkMotion(g);

    OpenCvNatives.ensureLoaded();
    List<Mat> rg = new ArrayList<>();
    List<Mat> tg = new ArrayList<>();
    List<Mat> rc = new ArrayList<>();
    List<Mat> tc = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rg.add(rotationMat(g.get(i)));
      tg.add(translationMat(g.get(i)));
      rc.add(rotationMat(c.get(i)));
      tc.add(translationMat(c.get(i)));
    }
    List<HandEyeSolution> solutions = new ArrayList<>();
    Map<HandEyeMethod, String> failures = new EnumMap<>(HandEyeMethod.class);
    for (HandEyeMethod method : HandEyeMethod.values()) {
      Mat r = new Mat();
      Mat t = new Mat();
      try {
        Calib3d.calibrateHandEye(rg, tg, rc, tc, r, t, method.openCvFlag);
      } catch (CvException e) {
        failures.put(method, "OpenCV: " + e.getMessage());
        continue;
      }
      Rigid x = fromMats(r, t);
      if (x == null || !x.isFinite()) {
        failures.put(method, "no finite solution");
        continue;
      }
      solutions.add(residuals(method, x, g, c));
    }
    if (solutions.isEmpty()) {
      throw new CalibrationException("no hand-eye method found a solution: " + failures);
    }
    HandEyeSolution best = solutions.get(0);
    for (HandEyeSolution s : solutions) {
      if (s.translationRmsMm() < best.translationRmsMm()
          || (s.translationRmsMm() == best.translationRmsMm()
              && s.rotationRmsDeg() < best.rotationRmsDeg())) {
        best = s;
      }
    }
    return new HandEyeResult(mode, n, n * (n - 1) / 2, solutions, failures, best.method());
  }

  /**
   * The AX = XB residuals of X over all pairs, where {@code g} are the poses given to OpenCV
   * (gripper in base, or base in gripper) and {@code c} the target poses in the camera.
   */
  static HandEyeSolution residuals(HandEyeMethod method, Rigid x, List<Rigid> g, List<Rigid> c) {
    double sumRot = 0;
    double maxRot = 0;
    double sumTrans = 0;
    double maxTrans = 0;
    int pairs = 0;
    for (int i = 0; i < g.size(); i++) {
      Rigid giInv = g.get(i).inverse();
      for (int j = i + 1; j < g.size(); j++) {
        Rigid a = giInv.times(g.get(j));
        Rigid b = c.get(i).times(c.get(j).inverse());
        Rigid e = a.times(x).inverse().times(x.times(b));
        double rotDeg = Math.toDegrees(e.angleRad());
        double transMm = e.translationNormM() * 1000;
        sumRot += rotDeg * rotDeg;
        sumTrans += transMm * transMm;
        maxRot = Math.max(maxRot, rotDeg);
        maxTrans = Math.max(maxTrans, transMm);
        pairs++;
      }
    }
    return new HandEyeSolution(
        method,
        x.toPose(),
        Math.sqrt(sumRot / pairs),
        maxRot,
        Math.sqrt(sumTrans / pairs),
        maxTrans);
  }

  /**
   * Refuses stations between which the gripper barely rotates, or rotates about one axis only: the
   * problem then has no unique solution and OpenCV returns an arbitrary one.
   */
  private static void checkMotion(List<Rigid> g) throws CalibrationException {
    List<double[]> axes = new ArrayList<>();
    double largestDeg = 0;
    for (int i = 0; i < g.size(); i++) {
      for (int j = i + 1; j < g.size(); j++) {
        Rigid a = g.get(i).inverse().times(g.get(j));
        double angle = a.angleRad();
        largestDeg = Math.max(largestDeg, Math.toDegrees(angle));
        if (Math.toDegrees(angle) > 1) {
          double[] axis = {a.r[7] - a.r[5], a.r[2] - a.r[6], a.r[3] - a.r[1]};
          double norm = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
          if (norm > 1e-9) {
            axes.add(new double[] {axis[0] / norm, axis[1] / norm, axis[2] / norm});
          }
        }
      }
    }
    if (largestDeg <= 1) {
      throw new CalibrationException(
          String.format(
              Locale.ROOT,
              "the gripper rotates at most %.2f deg between stations; hand-eye calibration needs"
                  + " rotations of tens of degrees about at least two different axes",
              largestDeg));
    }
    for (double[] u : axes) {
      for (double[] v : axes) {
        double cos = Math.abs(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]);
        if (cos < Math.cos(Math.toRadians(5))) {
          return;
        }
      }
    }
    throw new CalibrationException(
        "the gripper rotates about a single axis between all stations; hand-eye calibration"
            + " needs rotations about at least two different axes");
  }

  private static Mat rotationMat(Rigid p) {
    Mat m = new Mat(3, 3, CvType.CV_64F);
    m.put(0, 0, p.r);
    return m;
  }

  private static Mat translationMat(Rigid p) {
    Mat m = new Mat(3, 1, CvType.CV_64F);
    m.put(0, 0, p.t);
    return m;
  }

  private static Rigid fromMats(Mat r, Mat t) {
    if (r.rows() != 3 || r.cols() != 3 || t.total() != 3) {
      return null;
    }
    Mat r64 = new Mat();
    r.convertTo(r64, CvType.CV_64F);
    Mat t64 = new Mat();
    t.convertTo(t64, CvType.CV_64F);
    double[] rr = new double[9];
    double[] tt = new double[3];
    r64.get(0, 0, rr);
    t64.get(0, 0, tt);
    return new Rigid(rr, tt);
  }
}
