package mantis.calibration.camera;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An image left out of an intrinsics calibration.
 *
 * @param image the image file
 * @param reason why, in words (e.g. "board not found", "cannot decode the image")
 */
public record RejectedImage(Path image, String reason) {
  public RejectedImage {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(reason, "reason");
  }
}
