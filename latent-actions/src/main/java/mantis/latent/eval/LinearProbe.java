package mantis.latent.eval;

import java.util.Arrays;

/**
 * A linear probe from discrete tokens to a class: multinomial logistic regression on the one-hot
 * encoding of every token position ({@code tokens x codebookSize} binary features plus a bias),
 * fitted by full-batch gradient descent with Adam and a small L2 penalty. Deterministic (zero
 * initialisation, fixed iteration count). Immutable once fitted.
 */
public final class LinearProbe {
  private final int tokens;
  private final int codebookSize;
  private final int classes;
  private final double[][] weights; // [classes][tokens * codebookSize + 1]

  private LinearProbe(int tokens, int codebookSize, int classes, double[][] weights) {
    this.tokens = tokens;
    this.codebookSize = codebookSize;
    this.classes = classes;
    this.weights = weights;
  }

  /**
   * Fits a probe.
   *
   * @param x token rows, each {@code tokens} values in {@code [0, codebookSize)}
   * @param y class of each row in {@code [0, classes)}
   * @param codebookSize codebook size
   * @param classes number of classes
   * @param iterations gradient steps (e.g. 400)
   * @param l2 L2 penalty on the non-bias weights (e.g. 1e-4)
   */
  public static LinearProbe fit(
      int[][] x, int[] y, int codebookSize, int classes, int iterations, double l2) {
    if (x.length == 0 || x.length != y.length) {
      throw new IllegalArgumentException(
          "need as many labels as token rows and at least one, got "
              + x.length
              + " rows and "
              + y.length
              + " labels");
    }
    if (classes < 2 || codebookSize < 1 || iterations < 1 || !(l2 >= 0)) {
      throw new IllegalArgumentException(
          "bad probe settings: classes="
              + classes
              + ", codebookSize="
              + codebookSize
              + ", iterations="
              + iterations
              + ", l2="
              + l2);
    }
    int t = x[0].length;
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != t) {
        throw new IllegalArgumentException(
            "row " + i + " has " + x[i].length + " tokens, row 0 has " + t);
      }
      for (int v : x[i]) {
        if (v < 0 || v >= codebookSize) {
          throw new IllegalArgumentException(
              "row " + i + " has token " + v + " outside [0, " + codebookSize + ")");
        }
      }
      if (y[i] < 0 || y[i] >= classes) {
        throw new IllegalArgumentException(
            "label " + i + " is " + y[i] + ", outside [0, " + classes + ")");
      }
    }
    int f = t * codebookSize + 1;
    double[][] w = new double[classes][f];
    double[][] m = new double[classes][f];
    double[][] v = new double[classes][f];
    double[][] g = new double[classes][f];
    double[] p = new double[classes];
    double lr = 0.1;
    for (int it = 1; it <= iterations; it++) {
      for (double[] row : g) {
        Arrays.fill(row, 0);
      }
      for (int i = 0; i < x.length; i++) {
        scores(w, x[i], codebookSize, p);
        softmaxInPlace(p);
        p[y[i]] -= 1;
        for (int c = 0; c < classes; c++) {
          double d = p[c];
          g[c][f - 1] += d;
          for (int k = 0; k < t; k++) {
            g[c][k * codebookSize + x[i][k]] += d;
          }
        }
      }
      double bc1 = 1 - Math.pow(0.9, it);
      double bc2 = 1 - Math.pow(0.999, it);
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j < f; j++) {
          double gj = g[c][j] / x.length + (j < f - 1 ? l2 * w[c][j] : 0);
          m[c][j] = 0.9 * m[c][j] + 0.1 * gj;
          v[c][j] = 0.999 * v[c][j] + 0.001 * gj * gj;
          w[c][j] -= lr * (m[c][j] / bc1) / (Math.sqrt(v[c][j] / bc2) + 1e-8);
        }
      }
    }
    return new LinearProbe(t, codebookSize, classes, w);
  }

  private static void scores(double[][] w, int[] tokens, int k, double[] out) {
    int bias = w[0].length - 1;
    for (int c = 0; c < w.length; c++) {
      double s = w[c][bias];
      for (int j = 0; j < tokens.length; j++) {
        s += w[c][j * k + tokens[j]];
      }
      out[c] = s;
    }
  }

  private static void softmaxInPlace(double[] p) {
    double max = Double.NEGATIVE_INFINITY;
    for (double d : p) {
      max = Math.max(max, d);
    }
    double sum = 0;
    for (int c = 0; c < p.length; c++) {
      p[c] = Math.exp(p[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < p.length; c++) {
      p[c] /= sum;
    }
  }

  /** The most likely class of one token row. */
  public int predict(int[] tokenRow) {
    if (tokenRow.length != tokens) {
      throw new IllegalArgumentException("expected " + tokens + " tokens, got " + tokenRow.length);
    }
    double[] p = new double[classes];
    scores(weights, tokenRow, codebookSize, p);
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Accuracy and class-balanced accuracy on labelled rows. */
  public Accuracy score(int[][] x, int[] y) {
    int[] correct = new int[classes];
    int[] total = new int[classes];
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      total[y[i]]++;
      if (predict(x[i]) == y[i]) {
        correct[y[i]]++;
        right++;
      }
    }
    double bal = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      if (total[c] > 0) {
        bal += (double) correct[c] / total[c];
        present++;
      }
    }
    return new Accuracy(
        x.length == 0 ? Double.NaN : (double) right / x.length,
        present == 0 ? Double.NaN : bal / present,
        x.length);
  }

  /**
   * Probe accuracy.
   *
   * @param accuracy fraction of rows classified right
   * @param balancedAccuracy mean over the classes present of the per-class recall
   * @param rows rows scored
   */
  public record Accuracy(double accuracy, double balancedAccuracy, int rows) {}
}
