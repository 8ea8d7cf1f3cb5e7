package mantis.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One episode's domain randomisation: lighting, table texture, distractor clutter and camera
 * jitter.
 *
 * <p>Distractors are flat, low-saturation shapes on the table (paper, tape, stains: HSV saturation
 * at most 0.25) that are not objects: they have no physics, no name, and their colours stay well
 * away from the saturated {@link PaletteColour} palette. Table textures are also low-saturation (at
 * most 0.3).
 */
record Appearance(
    double brightness,
    double tintR,
    double tintG,
    double tintB,
    double gradientXPerM,
    double gradientYPerM,
    TableTexture texture,
    int tableRgb,
    int tableRgb2,
    double textureScaleM,
    double texturePhase,
    int floorRgb,
    List<Distractor> distractors,
    double shadowDxPerM,
    double shadowDyPerM,
    double[] cameraJitter) {

  enum TableTexture {
    PLAIN,
    WOOD,
    NOISE,
    CHECKER
  }

  /** A flat distractor: an ellipse or a rotated rectangle, or a thin strip. */
  record Distractor(
      boolean ellipse,
      double xM,
      double yM,
      double halfAM,
      double halfBM,
      double angleRad,
      int rgb) {
    boolean contains(double px, double py) {
      double dx = px - xM;
      double dy = py - yM;
      double c = Math.cos(angleRad);
      double s = Math.sin(angleRad);
      double u = (dx * c + dy * s) / halfAM;
      double v = (-dx * s + dy * c) / halfBM;
      return ellipse ? u * u + v * v <= 1 : Math.abs(u) <= 1 && Math.abs(v) <= 1;
    }
  }

  /** No randomisation: even light, plain table, no clutter, nominal camera. */
  static Appearance nominal() {
    return new Appearance(
        1,
        1,
        1,
        1,
        0,
        0,
        TableTexture.PLAIN,
        0xC8C3B9,
        0xC8C3B9,
        0.05,
        0,
        0x3C3A38,
        List.of(),
        0.25,
        -0.35,
        new double[6]);
  }

  static Appearance random(SplittableRandom rng) {
    double brightness = u(rng, 0.75, 1.2);
    double tr = u(rng, 0.92, 1.08);
    double tg = u(rng, 0.92, 1.08);
    double tb = u(rng, 0.92, 1.08);
    double gAngle = u(rng, 0, 2 * Math.PI);
    double gMag = u(rng, 0, 0.5); // brightness change per metre: up to ±15% across the table
    TableTexture texture = TableTexture.values()[rng.nextInt(TableTexture.values().length)];
    int table;
    int table2;
    switch (texture) {
      case WOOD:
        table = Colours.fromHsv(u(rng, 22, 40), u(rng, 0.18, 0.3), u(rng, 0.55, 0.8));
        table2 = Colours.scale(table, u(rng, 0.75, 0.88));
        break;
      case CHECKER:
        table = Colours.fromHsv(u(rng, 0, 360), u(rng, 0, 0.08), u(rng, 0.65, 0.85));
        table2 = Colours.scale(table, u(rng, 0.8, 0.9));
        break;
      case NOISE:
        table = Colours.fromHsv(u(rng, 0, 360), u(rng, 0, 0.15), u(rng, 0.55, 0.85));
        table2 = Colours.scale(table, u(rng, 0.8, 0.92));
        break;
      default:
        table = Colours.fromHsv(u(rng, 0, 360), u(rng, 0, 0.15), u(rng, 0.6, 0.85));
        table2 = table;
    }
    double scale = texture == TableTexture.CHECKER ? u(rng, 0.04, 0.1) : u(rng, 0.015, 0.04);
    double phase = u(rng, 0, 100);
    int floor = Colours.fromHsv(u(rng, 0, 360), u(rng, 0, 0.2), u(rng, 0.15, 0.35));
    int count = rng.nextInt(5);
    List<Distractor> ds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean strip = rng.nextInt(4) == 0;
      double a = strip ? u(rng, 0.04, 0.09) : u(rng, 0.015, 0.045);
      double b = strip ? u(rng, 0.003, 0.007) : a * u(rng, 0.4, 1.0);
      int rgb = Colours.fromHsv(u(rng, 0, 360), u(rng, 0, 0.25), u(rng, 0.3, 0.9));
      ds.add(
          new Distractor(
              !strip && rng.nextBoolean(),
              u(rng, Table.X_MIN, Table.X_MAX),
              u(rng, Table.Y_MIN, Table.Y_MAX),
              a,
              b,
              u(rng, 0, Math.PI),
              rgb));
    }
    double deg = Math.PI / 180;
    double[] jitter = {
      u(rng, -0.003, 0.003),
      u(rng, -0.003, 0.003),
      u(rng, -0.003, 0.003),
      u(rng, -0.3, 0.3) * deg,
      u(rng, -0.3, 0.3) * deg,
      u(rng, -0.3, 0.3) * deg
    };
    double shadowAngle = u(rng, 0, 2 * Math.PI);
    double shadowLen = u(rng, 0.15, 0.5);
    return new Appearance(
        brightness,
        tr,
        tg,
        tb,
        gMag * Math.cos(gAngle),
        gMag * Math.sin(gAngle),
        texture,
        table,
        table2,
        scale,
        phase,
        floor,
        List.copyOf(ds),
        shadowLen * Math.cos(shadowAngle),
        shadowLen * Math.sin(shadowAngle),
        jitter);
  }

  /** Light level at a table point (before the colour tint). */
  double light(double x, double y) {
    return Math.max(0.2, brightness * (1 + gradientXPerM * x + gradientYPerM * (y - 0.36)));
  }

  /** The table's own colour at a table point, before lighting. */
  int tableColour(double x, double y) {
    if (x < Table.X_MIN - 0.06 || x > Table.X_MAX + 0.06 || y < -0.02 || y > Table.Y_MAX + 0.06) {
      return floorRgb;
    }
    int c;
    switch (texture) {
      case WOOD:
        {
          double grain =
              Math.sin(
                  (y + 0.012 * Math.sin(x * 23 + texturePhase)) / textureScaleM * 2 * Math.PI
                      + 0.6 * Math.sin(x * 7 + texturePhase));
          double t = 0.5 + 0.5 * grain;
          c = Colours.mix(tableRgb, tableRgb2, t * t);
          break;
        }
      case CHECKER:
        {
          long ix = (long) Math.floor(x / textureScaleM);
          long iy = (long) Math.floor(y / textureScaleM);
          c = ((ix + iy) & 1) == 0 ? tableRgb : tableRgb2;
          break;
        }
      case NOISE:
        {
          double t =
              valueNoise(x / textureScaleM, y / textureScaleM) * 0.65
                  + valueNoise(x / textureScaleM * 3.1, y / textureScaleM * 3.1) * 0.35;
          c = Colours.mix(tableRgb, tableRgb2, t);
          break;
        }
      default:
        c = tableRgb;
    }
    for (Distractor d : distractors) {
      if (d.contains(x, y)) {
        c = d.rgb();
      }
    }
    return c;
  }

  private double valueNoise(double x, double y) {
    double fx = Math.floor(x);
    double fy = Math.floor(y);
    long ix = (long) fx;
    long iy = (long) fy;
    double tx = x - fx;
    double ty = y - fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    double a = hash(ix, iy);
    double b = hash(ix + 1, iy);
    double c = hash(ix, iy + 1);
    double d = hash(ix + 1, iy + 1);
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
  }

  private double hash(long ix, long iy) {
    long h = SceneGenerator.mix(ix * 73856093L ^ iy * 19349663L, (long) (texturePhase * 1000));
    return (h >>> 11) * 0x1.0p-53;
  }

  private static double u(SplittableRandom rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }
}
