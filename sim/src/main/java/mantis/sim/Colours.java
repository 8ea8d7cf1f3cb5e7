package mantis.sim;

/** Small colour helpers (HSV, packing). */
final class Colours {
  private Colours() {}

  static int pack(int r, int g, int b) {
    return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
  }

  static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  static int red(int rgb) {
    return (rgb >> 16) & 0xff;
  }

  static int green(int rgb) {
    return (rgb >> 8) & 0xff;
  }

  static int blue(int rgb) {
    return rgb & 0xff;
  }

  /** Hue in degrees [0, 360). */
  static double hueDeg(int rgb) {
    return toHsv(rgb)[0];
  }

  /** {hue deg, saturation 0..1, value 0..1}. */
  static double[] toHsv(int rgb) {
    double r = red(rgb) / 255.0;
    double g = green(rgb) / 255.0;
    double b = blue(rgb) / 255.0;
    double max = Math.max(r, Math.max(g, b));
    double min = Math.min(r, Math.min(g, b));
    double d = max - min;
    double h;
    if (d == 0) {
      h = 0;
    } else if (max == r) {
      h = 60 * (((g - b) / d) % 6);
    } else if (max == g) {
      h = 60 * ((b - r) / d + 2);
    } else {
      h = 60 * ((r - g) / d + 4);
    }
    if (h < 0) {
      h += 360;
    }
    return new double[] {h, max == 0 ? 0 : d / max, max};
  }

  static int fromHsv(double hDeg, double s, double v) {
    double h = ((hDeg % 360) + 360) % 360;
    double c = v * s;
    double x = c * (1 - Math.abs((h / 60) % 2 - 1));
    double m = v - c;
    double r;
    double g;
    double b;
    if (h < 60) {
      r = c;
      g = x;
      b = 0;
    } else if (h < 120) {
      r = x;
      g = c;
      b = 0;
    } else if (h < 180) {
      r = 0;
      g = c;
      b = x;
    } else if (h < 240) {
      r = 0;
      g = x;
      b = c;
    } else if (h < 300) {
      r = x;
      g = 0;
      b = c;
    } else {
      r = c;
      g = 0;
      b = x;
    }
    return pack(
        (int) Math.round((r + m) * 255),
        (int) Math.round((g + m) * 255),
        (int) Math.round((b + m) * 255));
  }

  /** Scales every channel by {@code f}, clamped. */
  static int scale(int rgb, double f) {
    return pack(
        (int) Math.round(red(rgb) * f),
        (int) Math.round(green(rgb) * f),
        (int) Math.round(blue(rgb) * f));
  }

  /** Linear blend: {@code a*(1-t) + b*t}. */
  static int mix(int a, int b, double t) {
    return pack(
        (int) Math.round(red(a) + (red(b) - red(a)) * t),
        (int) Math.round(green(a) + (green(b) - green(a)) * t),
        (int) Math.round(blue(a) + (blue(b) - blue(a)) * t));
  }
}
