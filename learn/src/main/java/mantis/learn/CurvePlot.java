package mantis.learn;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws training curves (one line per series, against the step) into a PNG. */
final class CurvePlot {
  private static final Color[] COLOURS = {
    new Color(31, 119, 180),
    new Color(230, 120, 20),
    new Color(44, 160, 44),
    new Color(214, 39, 40),
    new Color(148, 103, 189),
    new Color(140, 86, 75)
  };

  private CurvePlot() {}

  /**
   * @param steps x values
   * @param names series names
   * @param series values per series, NaN where missing (not drawn)
   */
  static void write(
      Path png, String title, double[] steps, List<String> names, List<double[]> series)
      throws IOException {
    int w = 900;
    int h = 500;
    int left = 70;
    int right = 20;
    int top = 40;
    int bottom = 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double xMax = steps.length == 0 ? 1 : Math.max(1, steps[steps.length - 1]);
    double yMax = 1e-9;
    for (double[] s : series) {
      for (double v : s) {
        if (Double.isFinite(v)) {
          yMax = Math.max(yMax, v);
        }
      }
    }
    g.setColor(Color.GRAY);
    g.drawRect(left, top, w - left - right, h - top - bottom);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i <= 4; i++) {
      int y = top + (h - top - bottom) * i / 4;
      g.drawString(String.format(Locale.ROOT, "%.3g", yMax * (4 - i) / 4), 5, y + 4);
      int x = left + (w - left - right) * i / 4;
      g.drawString(String.format(Locale.ROOT, "%.0f", xMax * i / 4), x - 10, h - bottom + 18);
    }
    g.drawString("step", w / 2, h - 12);
    g.setColor(Color.BLACK);
    g.drawString(title, left, 25);
    g.setStroke(new BasicStroke(1.5f));
    for (int k = 0; k < series.size(); k++) {
      g.setColor(COLOURS[k % COLOURS.length]);
      double[] s = series.get(k);
      int px = -1;
      int py = -1;
      for (int i = 0; i < steps.length; i++) {
        if (!Double.isFinite(s[i])) {
          continue;
        }
        int x = left + (int) ((w - left - right) * steps[i] / xMax);
        int y = top + (int) ((h - top - bottom) * (1 - s[i] / yMax));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawString(names.get(k), w - right - 200, top + 18 + 16 * k);
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
