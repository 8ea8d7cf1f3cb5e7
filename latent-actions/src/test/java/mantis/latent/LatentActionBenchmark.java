package mantis.latent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import mantis.core.Frame;

/**
 * Speed measurement for the README (not a test): single-pair encode+quantise latency, batched labelling
 * throughput, a training step, and the fp32 matrix-product peak measured in the same process. Run with the
 * module's test classpath: {@code java -cp ... mantis.latent.LatentActionBenchmark}.
 */
final class LatentActionBenchmark {
  public static void main(String[] args) {
    LatentActionConfig c = LatentActionConfig.builder().build();
    MovingSquares data = new MovingSquares(c.inputSizePx(), 9);
    double encFlops = LatentActionModel.encodeFlopsPerPair(c);
    double decFlops = LatentActionModel.decodeFlopsPerPair(c);
    try (LatentActionModel m = LatentActionModel.create(c)) {
      System.out.printf("config %s, %d parameters, device %s%n", c, m.parameterCount(), m.deviceName());
      System.out.printf("FLOPs per pair: encode+quantise %.2f M, decode %.2f M, train step ~3x(enc+dec) = %.1f M%n",
          encFlops / 1e6, decFlops / 1e6, 3 * (encFlops + decFlops) / 1e6);
      FramePairs one = data.batch(1, null);
      Frame a = one.framesT().get(0);
      Frame b = one.framesTPlusH().get(0);
      for (int i = 0; i < 200; i++) {
        m.encode(a, b);
      }
      long[] ns = new long[500];
      for (int i = 0; i < ns.length; i++) {
        long t0 = System.nanoTime();
        m.encode(a, b);
        ns[i] = System.nanoTime() - t0;
      }
      Arrays.sort(ns);
      System.out.printf("single pair encode+quantise: median %.3f ms, p90 %.3f ms%n", ns[250] / 1e6, ns[450] / 1e6);
      for (int batch : new int[] {64, 256}) {
        FramePairs pairs = data.batch(batch, null);
        for (int i = 0; i < 3; i++) {
          m.encode(pairs);
        }
        int reps = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          m.encode(pairs);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double pps = batch * reps / s;
        System.out.printf("batched labelling (batch %d, frames already decoded): %.0f pairs/s, %.2f GFLOP/s%n",
            batch, pps, pps * encFlops / 1e9);
      }
      FramePairs train = data.batch(32, null);
      for (int i = 0; i < 3; i++) {
        m.trainStep(train);
      }
      int reps = 10;
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        m.trainStep(train);
      }
      double s = (System.nanoTime() - t0) / 1e9 / reps;
      System.out.printf("train step, batch 32: %.1f ms (%.0f pairs/s)%n", s * 1e3, 32 / s);
    }
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.randomUniform(0f, 1f, new Shape(1024, 1024));
      NDArray y = nd.randomUniform(0f, 1f, new Shape(1024, 1024));
      for (int i = 0; i < 3; i++) {
        x.matMul(y).close();
      }
      int reps = 20;
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        x.matMul(y).close();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("fp32 matmul 1024^3 peak in this run: %.1f GFLOP/s%n", 2.0 * 1024 * 1024 * 1024 * reps / s / 1e9);
    }
  }
}
