package mantis.sim;

/**
 * A flat square target zone on the table, drawn as a pale square with a coloured outline. Its
 * colour differs from every object's colour in the scene.
 *
 * @param name unique name, "&lt;colour&gt; target", e.g. "green target"
 * @param colour its palette colour
 * @param rgb outline colour before lighting, 0xRRGGBB
 * @param xM centre x, table frame, metres
 * @param yM centre y, table frame, metres
 * @param halfSizeM half the side of the square
 */
public record TargetZone(
    String name, PaletteColour colour, int rgb, double xM, double yM, double halfSizeM) {

  /** True when the table point lies inside the square (edges included). */
  public boolean contains(double pxM, double pyM) {
    return Math.abs(pxM - xM) <= halfSizeM && Math.abs(pyM - yM) <= halfSizeM;
  }
}
