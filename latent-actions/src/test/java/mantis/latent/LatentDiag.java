package mantis.latent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mantis.core.Frame;
import mantis.latent.data.EpisodeTruth;
import mantis.latent.data.FramePair;
import mantis.latent.data.PairRef;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.WithheldTruth;
import mantis.latent.eval.LinearProbe;

/**
 * Research diagnostic: which withheld quantities do the tokens predict? Args: ckpt evalDir
 * maxPairs.
 */
public final class LatentDiag {
  public static void main(String[] args) throws Exception {
    try (LatentActionModel m = LatentActionModel.load(Path.of(args[0]));
        VideoDataset ds = VideoDataset.open(Path.of(args[1]))) {
      WithheldTruth truth = WithheldTruth.open(Path.of(args[1]));
      int max = Integer.parseInt(args[2]);
      List<PairRef> refs = ds.pairs(e -> e.embodiment().equals("ARM")).shuffled(3);
      refs = refs.subList(0, Math.min(max, refs.size()));
      int s = m.config().inputSizePx();
      int n = refs.size();
      int[][] tok = new int[n][];
      for (int from = 0; from < n; from += 256) {
        List<Frame> a = new ArrayList<>();
        List<Frame> b = new ArrayList<>();
        for (PairRef r : refs.subList(from, Math.min(n, from + 256))) {
          FramePair p = ds.readPair(r);
          a.add(Frame.wrapRgb(s, s, p.first()));
          b.add(Frame.wrapRgb(s, s, p.second()));
        }
        int[][] t = m.encode(new FramePairs(a, b));
        System.arraycopy(t, 0, tok, from, t.length);
      }
      int h = ds.horizonFrames();
      String[] names = {
        "tip dir8",
        "joint sign pattern",
        "shoulder sign",
        "elbow sign",
        "wrist sign",
        "tip dir8 |d|>3cm",
        "tip dx sign",
        "tip dy sign",
        "tip speed tercile"
      };
      for (int q = 0; q < names.length; q++) {
        List<int[]> fx = new ArrayList<>();
        List<Integer> fy = new ArrayList<>();
        List<int[]> tx = new ArrayList<>();
        List<Integer> ty = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          PairRef r = refs.get(i);
          EpisodeTruth e = truth.episode(r.episodeIndex());
          double[] q0 = e.jointPositionsRad()[r.t()];
          double[] q1 = e.jointPositionsRad()[r.t() + h];
          double dx = e.pairDxM()[r.t()];
          double dy = e.pairDyM()[r.t()];
          double d = Math.hypot(dx, dy);
          int y;
          switch (q) {
            case 0 -> y = e.pairDirectionBin()[r.t()];
            case 1 ->
                y = (q1[0] > q0[0] ? 1 : 0) + (q1[1] > q0[1] ? 2 : 0) + (q1[2] > q0[2] ? 4 : 0);
            case 2, 3, 4 -> y = q1[q - 2] > q0[q - 2] ? 1 : 0;
            case 5 -> y = d > 0.03 ? e.pairDirectionBin()[r.t()] : -1;
            case 6 -> y = dx > 0 ? 1 : 0;
            case 7 -> y = dy > 0 ? 1 : 0;
            default -> y = d < 0.03 ? 0 : d < 0.08 ? 1 : 2;
          }
          if (y < 0) {
            continue;
          }
          boolean fit = !VideoDataset.isHeldOut(e.seed(), 0.5, 0x5EED);
          (fit ? fx : tx).add(tok[i]);
          (fit ? fy : ty).add(y);
        }
        int classes = 8;
        LinearProbe p =
            LinearProbe.fit(
                fx.toArray(new int[0][]),
                fy.stream().mapToInt(Integer::intValue).toArray(),
                m.config().codebookSize(),
                classes,
                400,
                1e-4);
        int[] cnt = new int[classes];
        for (int y : fy) cnt[y]++;
        int maj = 0;
        for (int c = 1; c < classes; c++) if (cnt[c] > cnt[maj]) maj = c;
        int mj = maj;
        long majHits = ty.stream().filter(y -> y == mj).count();
        LinearProbe.Accuracy acc =
            p.score(tx.toArray(new int[0][]), ty.stream().mapToInt(Integer::intValue).toArray());
        System.out.printf(
            "%-22s acc %.3f  balanced %.3f  majority %.3f  (n test %d)%n",
            names[q],
            acc.accuracy(),
            acc.balancedAccuracy(),
            (double) majHits / ty.size(),
            ty.size());
      }
    }
  }
}
