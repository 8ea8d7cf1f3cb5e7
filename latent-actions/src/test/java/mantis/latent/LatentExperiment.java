package mantis.latent;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import mantis.core.Frame;
import mantis.latent.data.FramePair;
import mantis.latent.data.PairRef;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.WithheldTruth;
import mantis.latent.eval.LatentEvalReport;
import mantis.latent.eval.LatentEvaluator;

/**
 * Research harness (test scope): trains on one dataset, evaluates on another every N steps. Args:
 * trainDir evalDir steps evalEvery batch embodiment(ARM|HAND|BOTH) evalPairs [key=value config
 * overrides...]
 */
public final class LatentExperiment {
  public static void main(String[] args) throws Exception {
    Path trainDir = Path.of(args[0]);
    Path evalDir = Path.of(args[1]);
    int steps = Integer.parseInt(args[2]);
    int evalEvery = Integer.parseInt(args[3]);
    int batch = Integer.parseInt(args[4]);
    String emb = args[5].toUpperCase(Locale.ROOT);
    int evalPairs = Integer.parseInt(args[6]);
    Properties p = LatentActionConfig.builder().build().toProperties();
    for (int i = 7; i < args.length; i++) {
      p.load(new StringReader(args[i]));
    }
    LatentActionConfig cfg = LatentActionConfig.fromProperties(p);
    try (VideoDataset train = VideoDataset.open(trainDir);
        VideoDataset eval = VideoDataset.open(evalDir);
        LatentActionModel model = LatentActionModel.create(cfg)) {
      WithheldTruth truth = WithheldTruth.open(evalDir);
      PairSet set =
          emb.equals("BOTH") ? train.allPairs() : train.pairs(e -> e.embodiment().equals(emb));
      System.out.println("config " + cfg + " train pairs " + set.size());
      int side = cfg.inputSizePx();
      List<PairRef> order = set.shuffled(1);
      int pos = 0;
      long t0 = System.nanoTime();
      double ema = Double.NaN;
      double emaPpl = Double.NaN;
      for (int s = 1; s <= steps; s++) {
        List<Frame> a = new ArrayList<>();
        List<Frame> b = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          if (pos == order.size()) {
            order = set.shuffled(1 + s);
            pos = 0;
          }
          FramePair fp = set.read(order.get(pos++));
          a.add(Frame.wrapRgb(side, side, fp.first()));
          b.add(Frame.wrapRgb(side, side, fp.second()));
        }
        TrainStepResult r = model.trainStep(new FramePairs(a, b));
        ema =
            Double.isNaN(ema) ? r.reconstructionLoss() : 0.98 * ema + 0.02 * r.reconstructionLoss();
        emaPpl = Double.isNaN(emaPpl) ? r.perplexity() : 0.98 * emaPpl + 0.02 * r.perplexity();
        if (s % 100 == 0) {
          System.out.printf(
              Locale.ROOT,
              "step %d  %.0f s  recon %.5f  cb %.5f  ppl %.2f  replaced %d%n",
              s,
              (System.nanoTime() - t0) / 1e9,
              ema,
              r.codebookLoss(),
              emaPpl,
              r.replacedCodes());
        }
        if (s % evalEvery == 0 || s == steps) {
          LatentEvalReport rep =
              LatentEvaluator.builder()
                  .setModel(model)
                  .setDataset(eval)
                  .setTruth(truth)
                  .optMaxPairs(evalPairs)
                  .build()
                  .evaluate();
          System.out.print("EVAL step " + s + "\n" + rep.toText());
          System.out.flush();
        }
      }
      if (System.getenv("SAVE") != null) {
        model.save(Path.of(System.getenv("SAVE")));
      }
    }
  }
}
