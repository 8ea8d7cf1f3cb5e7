package mantis.latent;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import mantis.core.Frame;

/** Toy data: a bright square moving in one of 8 directions over a static noise background. */
final class MovingSquares {
  static final int[][] DIRECTIONS = {
    {1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}
  };

  private final int sizePx;
  private final int squarePx;
  private final int stepPx;
  private final Random random;

  MovingSquares(int sizePx, long seed) {
    this.sizePx = sizePx;
    this.squarePx = Math.max(3, sizePx / 5);
    this.stepPx = Math.max(2, sizePx / 8);
    this.random = new Random(seed);
  }

  /** A batch of pairs; directions[i] receives the direction index of pair i when not null. */
  FramePairs batch(int n, int[] directions) {
    List<Frame> a = new ArrayList<>();
    List<Frame> b = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int dir = random.nextInt(8);
      if (directions != null) {
        directions[i] = dir;
      }
      byte[] bg = new byte[sizePx * sizePx * 3];
      for (int k = 0; k < bg.length; k++) {
        bg[k] = (byte) (40 + random.nextInt(40));
      }
      int margin = stepPx + 1;
      int x0 = margin + random.nextInt(sizePx - squarePx - 2 * margin);
      int y0 = margin + random.nextInt(sizePx - squarePx - 2 * margin);
      int x1 = x0 + DIRECTIONS[dir][0] * stepPx;
      int y1 = y0 + DIRECTIONS[dir][1] * stepPx;
      a.add(Frame.wrapRgb(sizePx, sizePx, draw(bg, x0, y0)));
      b.add(Frame.wrapRgb(sizePx, sizePx, draw(bg, x1, y1)));
    }
    return new FramePairs(a, b);
  }

  private byte[] draw(byte[] bg, int x0, int y0) {
    byte[] img = bg.clone();
    for (int y = y0; y < y0 + squarePx; y++) {
      for (int x = x0; x < x0 + squarePx; x++) {
        int i = (y * sizePx + x) * 3;
        img[i] = (byte) 250;
        img[i + 1] = (byte) 220;
        img[i + 2] = (byte) 30;
      }
    }
    return img;
  }
}
