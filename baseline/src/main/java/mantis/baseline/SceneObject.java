package mantis.baseline;

import mantis.calibration.TablePoint;

/**
 * A detected object or target zone located on the table.
 *
 * @param markId its Set-of-Mark id in the current chunk
 * @param blob the image region it came from
 * @param centre its centre on the table, metres
 * @param halfSizeM estimated half side (block, target) or radius (disc), metres
 * @param disc true when it looks round
 * @param target true for a target zone (an outline), false for a solid object
 */
record SceneObject(
    int markId, Blob blob, TablePoint centre, double halfSizeM, boolean disc, boolean target) {
  /** Radius of the object's bounding circle, metres. */
  double boundM() {
    return disc ? halfSizeM : halfSizeM * Math.sqrt(2);
  }
}
