package mantis.calibration.camera;

import java.util.Locale;
import org.opencv.calib3d.Calib3d;

/** OpenCV's hand-eye solvers ({@code cv::HandEyeCalibrationMethod}). */
public enum HandEyeMethod {
  /** Tsai and Lenz (1989). */
  TSAI(Calib3d.CALIB_HAND_EYE_TSAI),
  /** Park and Martin (1994). */
  PARK(Calib3d.CALIB_HAND_EYE_PARK),
  /** Horaud and Dornaika (1995). */
  HORAUD(Calib3d.CALIB_HAND_EYE_HORAUD),
  /** Andreff, Horaud and Espiau (1999). */
  ANDREFF(Calib3d.CALIB_HAND_EYE_ANDREFF),
  /** Daniilidis (1998), dual quaternions. */
  DANIILIDIS(Calib3d.CALIB_HAND_EYE_DANIILIDIS);

  final int openCvFlag;

  HandEyeMethod(int openCvFlag) {
    this.openCvFlag = openCvFlag;
  }

  /** The lower-case name, e.g. {@code tsai}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
