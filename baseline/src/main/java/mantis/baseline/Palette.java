package mantis.baseline;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The named colours the baseline can look for, with their nominal hues. These are the saturated
 * colours of the Mantis tabletop suite; everything else in its frames (table, clutter, arm) is
 * low-saturation.
 */
enum Palette {
  RED("red", 0xDC2828),
  ORANGE("orange", 0xF0821E),
  YELLOW("yellow", 0xE6D228),
  GREEN("green", 0x28AA3C),
  CYAN("cyan", 0x1EBEC8),
  BLUE("blue", 0x2850DC),
  PURPLE("purple", 0x8C3CBE),
  PINK("pink", 0xEB64AA);

  private static final List<Palette> ALL = List.of(values());

  private final String word;
  private final int rgb;
  private final double hueDeg;

  Palette(String word, int rgb) {
    this.word = word;
    this.rgb = rgb;
    this.hueDeg = hueDeg(rgb);
  }

  String word() {
    return word;
  }

  int rgb() {
    return rgb;
  }

  double hueDeg() {
    return hueDeg;
  }

  static Optional<Palette> fromWord(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    for (Palette p : ALL) {
      if (p.word.equals(w)) {
        return Optional.of(p);
      }
    }
    if (w.equals("violet") || w.equals("magenta")) {
      return Optional.of(w.equals("violet") ? PURPLE : PINK);
    }
    return Optional.empty();
  }

  /**
   * The palette colour whose hue is nearest to {@code hueDeg}, or null if none is within {@code
   * maxDeg}.
   */
  static Palette nearest(double hueDeg, double maxDeg) {
    Palette best = null;
    double bestDistance = maxDeg;
    for (Palette p : ALL) {
      double d = hueDistanceDeg(hueDeg, p.hueDeg);
      if (d <= bestDistance) {
        bestDistance = d;
        best = p;
      }
    }
    return best;
  }

  static double hueDistanceDeg(double a, double b) {
    double d = Math.abs(a - b) % 360;
    return d > 180 ? 360 - d : d;
  }

  static double hueDeg(int rgb) {
    double r = ((rgb >> 16) & 0xff) / 255.0;
    double g = ((rgb >> 8) & 0xff) / 255.0;
    double b = (rgb & 0xff) / 255.0;
    double max = Math.max(r, Math.max(g, b));
    double min = Math.min(r, Math.min(g, b));
    double d = max - min;
    if (d == 0) {
      return 0;
    }
    double h;
    if (max == r) {
      h = 60 * (((g - b) / d) % 6);
    } else if (max == g) {
      h = 60 * ((b - r) / d + 2);
    } else {
      h = 60 * ((r - g) / d + 4);
    }
    return h < 0 ? h + 360 : h;
  }
}
