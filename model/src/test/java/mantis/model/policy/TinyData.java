package mantis.model.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.model.text.Vocabulary;

/** A small synthetic dataset: coloured squares as marks, instructions naming one of them. */
final class TinyData {
  static final String[] COLOURS = {"red", "green", "blue"};
  static final int[] RGB = {0xdd2222, 0x22bb22, 0x2233dd};

  private TinyData() {}

  static PolicyConfig config(int seed) {
    return new PolicyConfig(32, 8, 16, 48, 8, 8, 6, 4, 8, 4, 4, 100, 3, seed);
  }

  static List<PolicyExample> examples(int count, long seed, PolicyConfig c) {
    Random r = new Random(seed);
    List<PolicyExample> out = new ArrayList<>();
    int s = c.inputSizePx();
    for (int i = 0; i < count; i++) {
      byte[] rgb = new byte[s * s * 3];
      List<Mark> marks = new ArrayList<>();
      for (int m = 0; m < 3; m++) {
        int x0 = 2 + m * 10;
        int y0 = 2 + r.nextInt(s - 8);
        for (int y = y0; y < y0 + 6; y++) {
          for (int x = x0; x < x0 + 6; x++) {
            rgb[(y * s + x) * 3] = (byte) (RGB[m] >> 16);
            rgb[(y * s + x) * 3 + 1] = (byte) (RGB[m] >> 8);
            rgb[(y * s + x) * 3 + 2] = (byte) RGB[m];
          }
        }
        marks.add(
            new Mark(
                m + 1, new PixelPoint(x0 + 2.5, y0 + 2.5), new PixelBox(x0, y0, 6, 6), 36, RGB[m]));
      }
      int target = r.nextInt(3);
      double[] q = {r.nextDouble() - 0.5, r.nextDouble() - 0.5, r.nextDouble() - 0.5};
      double[] v = new double[3];
      double[] targets = new double[c.chunkLength() * 3];
      for (int k = 0; k < c.chunkLength(); k++) {
        for (int j = 0; j < 3; j++) {
          targets[k * 3 + j] = q[j] + 0.02 * (k + 1) * (target - 1) + 0.01 * j;
        }
      }
      double[] trace = new double[c.traceLength() * 2];
      Mark tm = marks.get(target);
      for (int k = 0; k < c.traceLength(); k++) {
        trace[2 * k] = tm.centroid().xPx() + (k + 1) * (target - 1);
        trace[2 * k + 1] = tm.centroid().yPx();
      }
      int[] tokens = {target, (target + 1) % 8, 7 - target, 3};
      double[] effTrace = new double[c.traceLength() * 2];
      Mark em = marks.get((target + 1) % 3);
      for (int k = 0; k < c.traceLength(); k++) {
        effTrace[2 * k] = em.centroid().xPx();
        effTrace[2 * k + 1] = em.centroid().yPx() + (k + 1) * (target - 1);
      }
      PolicyLabels labels =
          new PolicyLabels(tokens, target, -1, (target + 1) % 3, trace, effTrace, targets);
      out.add(
          new PolicyExample(rgb, "push the " + COLOURS[target] + " block", marks, q, v, labels));
    }
    return out;
  }

  static Vocabulary vocabulary(List<PolicyExample> examples) {
    Vocabulary.Builder b = Vocabulary.builder();
    examples.forEach(e -> b.add(e.instruction()));
    return b.build();
  }
}
