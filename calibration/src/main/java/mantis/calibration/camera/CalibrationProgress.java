package mantis.calibration.camera;

import java.nio.file.Path;

/** Told as each image has been searched for the board (from the calibrating thread). */
@FunctionalInterface
public interface CalibrationProgress {
  /** Does nothing. */
  CalibrationProgress NONE = (done, total, image, accepted) -> {};

  /**
   * @param done images searched so far, 1..total
   * @param total images to search
   * @param image the image just searched
   * @param accepted whether the board was found in it
   */
  void imageSearched(int done, int total, Path image, boolean accepted);
}
