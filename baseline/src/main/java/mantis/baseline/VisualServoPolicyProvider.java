package mantis.baseline;

import mantis.calibration.CameraModel;
import mantis.core.Policy;
import mantis.core.spi.PolicyProvider;
import mantis.core.spi.PolicyRequest;

/**
 * The policy {@value #NAME}: the classical baseline with the simulator's nominal camera ({@link
 * CameraModel#mantisDefault} at {@value #CAMERA_WIDTH_PX} x {@value #CAMERA_HEIGHT_PX}), working at
 * the request's input size. Registered in {@code META-INF/services/mantis.core.spi.PolicyProvider}.
 */
public final class VisualServoPolicyProvider implements PolicyProvider {
  /** The policy's name. */
  public static final String NAME = "visual-servo";

  /** Width of the nominal camera the baseline assumes, pixels. */
  static final int CAMERA_WIDTH_PX = 640;

  /** Height of the nominal camera the baseline assumes, pixels. */
  static final int CAMERA_HEIGHT_PX = 480;

  /** For {@link java.util.ServiceLoader}. */
  public VisualServoPolicyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "the classical baseline: finds the instructed object by colour and servoes the arm to it";
  }

  @Override
  public Policy create(PolicyRequest request) {
    return VisualServoPolicy.builder()
        .setRobot(request.robot())
        .setCamera(CameraModel.mantisDefault(CAMERA_WIDTH_PX, CAMERA_HEIGHT_PX))
        .optInputSizePx(request.inputPx(), request.inputPx())
        .optClock(request.clock())
        .build();
  }
}
