package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code sensor_msgs/CameraInfo}: calibration of one camera.
 *
 * @param header acquisition time and camera optical frame
 * @param height image rows, uint32
 * @param width image columns, uint32
 * @param distortionModel e.g. {@code "plumb_bob"}
 * @param d distortion parameters, any length
 * @param k 3x3 intrinsic matrix, row-major, exactly 9
 * @param r 3x3 rectification matrix, row-major, exactly 9
 * @param p 3x4 projection matrix, row-major, exactly 12
 * @param binningX horizontal binning, uint32
 * @param binningY vertical binning, uint32
 * @param roi region of interest
 */
public record CameraInfo(
    Header header,
    long height,
    long width,
    String distortionModel,
    List<Double> d,
    List<Double> k,
    List<Double> r,
    List<Double> p,
    long binningX,
    long binningY,
    RegionOfInterest roi) {
  public CameraInfo {
    Objects.requireNonNull(header, "header must not be null");
    Checks.uint32(height, "height");
    Checks.uint32(width, "width");
    Checks.string(distortionModel, "distortion_model");
    d = Checks.list(d, "D");
    k = Checks.fixed(k, 9, "K");
    r = Checks.fixed(r, 9, "R");
    p = Checks.fixed(p, 12, "P");
    Checks.uint32(binningX, "binning_x");
    Checks.uint32(binningY, "binning_y");
    Objects.requireNonNull(roi, "roi must not be null");
  }
}
