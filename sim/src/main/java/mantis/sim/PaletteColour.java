package mantis.sim;

/**
 * The named, saturated colours that objects and target zones are drawn in. Each scene jitters an
 * object's colour slightly (hue within a few degrees, brightness within about 10%) around the
 * nominal value given here; lighting randomisation scales it further.
 *
 * <p>Everything else in a frame is kept away from this palette on purpose: the table, its texture
 * and the distractor clutter are low-saturation (HSV saturation below about 0.3), the arm is dark
 * grey metal and the hand is pale skin. A colour detector that accepts saturation above about 0.45
 * sees only objects and target outlines.
 */
public enum PaletteColour {
  RED("red", 0xDC2828),
  ORANGE("orange", 0xF0821E),
  YELLOW("yellow", 0xE6D228),
  GREEN("green", 0x28AA3C),
  CYAN("cyan", 0x1EBEC8),
  BLUE("blue", 0x2850DC),
  PURPLE("purple", 0x8C3CBE),
  PINK("pink", 0xEB64AA);

  private final String word;
  private final int rgb;

  PaletteColour(String word, int rgb) {
    this.word = word;
    this.rgb = rgb;
  }

  /** The colour's name in instructions. */
  public String word() {
    return word;
  }

  /** Nominal colour, packed 0xRRGGBB. */
  public int rgb() {
    return rgb;
  }

  /** Nominal hue in degrees [0, 360). */
  public double hueDeg() {
    return Colours.hueDeg(rgb);
  }
}
