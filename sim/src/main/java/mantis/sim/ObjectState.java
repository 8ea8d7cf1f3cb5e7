package mantis.sim;

/**
 * Ground truth of one pushable object.
 *
 * @param name unique name in its scene, "&lt;colour&gt; &lt;shape&gt;", e.g. "red block"
 * @param colour the palette colour it is named after
 * @param rgb the colour it is actually drawn in before lighting (the palette colour with this
 *     scene's jitter), 0xRRGGBB
 * @param shape block (square) or disc
 * @param xM centre x, table frame, metres
 * @param yM centre y, table frame, metres
 * @param yawRad orientation; blocks stay axis-aligned in this quasi-static model, so always 0
 * @param halfSizeM half the side of a block, or the radius of a disc
 * @param heightM height of the object's top face above the table
 */
public record ObjectState(
    String name,
    PaletteColour colour,
    int rgb,
    Shape shape,
    double xM,
    double yM,
    double yawRad,
    double halfSizeM,
    double heightM) {

  /** True when the table point (x, y) lies inside the object's footprint. */
  public boolean contains(double pxM, double pyM) {
    double dx = pxM - xM;
    double dy = pyM - yM;
    if (shape == Shape.DISC) {
      return dx * dx + dy * dy <= halfSizeM * halfSizeM;
    }
    return Math.abs(dx) <= halfSizeM && Math.abs(dy) <= halfSizeM;
  }
}
