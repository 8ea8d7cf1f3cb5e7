package mantis.latent;

import java.nio.file.Path;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.WithheldTruth;
import mantis.latent.eval.LatentEvaluator;

/** Research harness (test scope): evaluates a checkpoint. Args: ckptDir evalDir probeEmbodiment maxPairs. */
public final class LatentEvalMain {
  public static void main(String[] args) throws Exception {
    try (LatentActionModel m = LatentActionModel.load(Path.of(args[0]));
        VideoDataset ds = VideoDataset.open(Path.of(args[1]))) {
      System.out.print(LatentEvaluator.builder().setModel(m).setDataset(ds).setTruth(WithheldTruth.open(Path.of(args[1])))
          .optProbeEmbodiment(args[2]).optMaxPairs(Integer.parseInt(args[3])).build().evaluate().toText());
    }
  }
}
