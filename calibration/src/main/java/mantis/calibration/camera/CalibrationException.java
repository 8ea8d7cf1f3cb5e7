package mantis.calibration.camera;

/**
 * Calibration could not be done with the given input (an empty folder, too few views with the
 * board, mixed image sizes, mismatched pose lists, ...). The message says what and where, in words
 * fit for a user.
 */
public final class CalibrationException extends Exception {
  private static final long serialVersionUID = 1L;

  public CalibrationException(String message) {
    super(message);
  }
}
