package mantis.model.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import mantis.core.Mark;
import mantis.model.text.Vocabulary;

/**
 * The network's inputs for a batch, as flat Java arrays (no engine types): image, marks, words and
 * joints, plus the labels scaled the way the losses read them. Built once per batch on the caller's
 * thread.
 */
final class Features {
  /**
   * Values per mark: x, y, width, height, sqrt(area), r, g, b, present, fill ratio, and its motion
   * since the episode's start (dx, dy).
   */
  static final int MARK_GEOMETRY = 12;

  /**
   * Joint features: sin and cos of each position and a has-joints flag. Velocities are left out on
   * purpose: with them a policy cloned from a few episodes learns to keep doing what the arm was
   * doing (it stalled in front of objects it had to push once it had stopped).
   */
  static int jointFeatures(int joints) {
    return 2 * joints + 1;
  }

  /** Trace offsets are stored as (pixels / input size) times this. */
  static final float TRACE_SCALE = 8f;

  final int batch;

  /**
   * B x N x (3 x P x P) bytes: the frame already cut into patches, each patch channel-major then
   * row-major; the network scales them to floats ((v / 255 - 0.5) x 4).
   */
  final byte[] image;

  final float[] markGeometry; // B x M x 9
  final float[] markSample; // B x M x N (bilinear weights over the patch grid)
  final float[] markPresent; // B x M
  final int[] words; // B x L
  final float[] wordPresent; // B x L
  final float[] joints; // B x (2J+1)
  final double[] jointPositions; // B x J (zeros without joints)

  /** The marks used per example (the largest by area, at most M), in the order of the mark rows. */
  final List<List<Mark>> usedMarks;

  // labels (only filled by withLabels)
  int[] tokenLabels; // B x T, -1 unknown
  int[] objectLabels; // B, -1 unknown
  int[] goalLabels;
  int[] effectorLabels;
  float[] traceLabels; // B x K x 2 offsets from the labelled object mark
  float[] traceMask; // B
  float[] effectorTraceLabels; // B x K x 2 offsets from the labelled effector mark
  float[] effectorTraceMask; // B
  float[] actionLabels; // B x H*J normalised deltas
  float[] actionMask; // B

  private Features(int batch, PolicyConfig c) {
    int s = c.inputSizePx();
    int m = c.maxMarks();
    int n = c.grid() * c.grid();
    this.batch = batch;
    image = new byte[batch * 3 * s * s];
    markGeometry = new float[batch * m * MARK_GEOMETRY];
    markSample = new float[batch * m * n];
    markPresent = new float[batch * m];
    words = new int[batch * c.maxWords()];
    wordPresent = new float[batch * c.maxWords()];
    joints = new float[batch * jointFeatures(c.joints())];
    jointPositions = new double[batch * c.joints()];
    usedMarks = new ArrayList<>(batch);
  }

  /** Inputs only. */
  static Features of(List<PolicyExample> examples, PolicyConfig c, Vocabulary vocab) {
    Features f = new Features(examples.size(), c);
    for (int b = 0; b < examples.size(); b++) {
      f.fill(b, examples.get(b), c, vocab);
    }
    return f;
  }

  /** Inputs and labels; action labels are normalised with {@code stats}. */
  static Features withLabels(
      List<PolicyExample> examples, PolicyConfig c, Vocabulary vocab, ActionStats stats) {
    Features f = of(examples, c, vocab);
    int bsz = examples.size();
    int t = c.tokens();
    int k = c.traceLength();
    int hj = c.chunkLength() * c.joints();
    f.tokenLabels = new int[bsz * t];
    f.objectLabels = new int[bsz];
    f.goalLabels = new int[bsz];
    f.effectorLabels = new int[bsz];
    f.traceLabels = new float[bsz * k * 2];
    f.traceMask = new float[bsz];
    f.effectorTraceLabels = new float[bsz * k * 2];
    f.effectorTraceMask = new float[bsz];
    f.actionLabels = new float[bsz * hj];
    f.actionMask = new float[bsz];
    java.util.Arrays.fill(f.tokenLabels, -1);
    for (int b = 0; b < bsz; b++) {
      PolicyExample e = examples.get(b);
      PolicyLabels l = e.labels();
      List<Mark> used = f.usedMarks.get(b);
      if (l.latentTokens() != null) {
        if (l.latentTokens().length != t) {
          throw new IllegalArgumentException(
              "example has " + l.latentTokens().length + " latent tokens, the network " + t);
        }
        System.arraycopy(l.latentTokens(), 0, f.tokenLabels, b * t, t);
      }
      f.objectLabels[b] = remap(l.objectMark(), e.marks(), used);
      f.goalLabels[b] = remap(l.goalMark(), e.marks(), used);
      f.effectorLabels[b] = remap(l.effectorMark(), e.marks(), used);
      if (l.tracePx() != null && f.objectLabels[b] >= 0) {
        Mark o = used.get(f.objectLabels[b]);
        double s = c.inputSizePx();
        for (int i = 0; i < k; i++) {
          f.traceLabels[(b * k + i) * 2] =
              (float) ((l.tracePx()[2 * i] - o.centroid().xPx()) / s * TRACE_SCALE);
          f.traceLabels[(b * k + i) * 2 + 1] =
              (float) ((l.tracePx()[2 * i + 1] - o.centroid().yPx()) / s * TRACE_SCALE);
        }
        f.traceMask[b] = 1f;
      }
      if (l.effectorTracePx() != null && f.effectorLabels[b] >= 0) {
        Mark o = used.get(f.effectorLabels[b]);
        double s = c.inputSizePx();
        for (int i = 0; i < k; i++) {
          f.effectorTraceLabels[(b * k + i) * 2] =
              (float) ((l.effectorTracePx()[2 * i] - o.centroid().xPx()) / s * TRACE_SCALE);
          f.effectorTraceLabels[(b * k + i) * 2 + 1] =
              (float) ((l.effectorTracePx()[2 * i + 1] - o.centroid().yPx()) / s * TRACE_SCALE);
        }
        f.effectorTraceMask[b] = 1f;
      }
      if (l.targetsRad() != null && e.hasJoints()) {
        for (int i = 0; i < c.chunkLength(); i++) {
          for (int j = 0; j < c.joints(); j++) {
            double d = l.targetsRad()[i * c.joints() + j] - e.jointPositionsRad()[j];
            f.actionLabels[b * hj + i * c.joints() + j] = (float) (d / stats.std(i, j));
          }
        }
        f.actionMask[b] = 1f;
      }
    }
    return f;
  }

  private static int remap(int index, List<Mark> all, List<Mark> used) {
    if (index < 0 || index >= all.size()) {
      return -1;
    }
    return used.indexOf(all.get(index));
  }

  /** The at most {@code max} largest marks, in their original order. */
  static List<Mark> largest(List<Mark> marks, int max) {
    if (marks.size() <= max) {
      return marks;
    }
    List<Mark> sorted = new ArrayList<>(marks);
    sorted.sort(Comparator.comparingDouble(Mark::areaPx).reversed());
    List<Mark> keep = sorted.subList(0, max);
    List<Mark> out = new ArrayList<>(max);
    for (Mark m : marks) {
      if (keep.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  private void fill(int b, PolicyExample e, PolicyConfig c, Vocabulary vocab) {
    int s = c.inputSizePx();
    if (e.rgb().length != s * s * 3) {
      throw new IllegalArgumentException(
          "frame has "
              + e.rgb().length
              + " bytes, the network reads "
              + s
              + "x"
              + s
              + " RGB ("
              + s * s * 3
              + " bytes)");
    }
    byte[] rgb = e.rgb();
    int patch = c.patchPx();
    int grid = c.grid();
    int patchLen = 3 * patch * patch;
    int base = b * 3 * s * s;
    for (int y = 0; y < s; y++) {
      int gy = y / patch;
      int py = y % patch;
      for (int x = 0; x < s; x++) {
        int gx = x / patch;
        int at = base + (gy * grid + gx) * patchLen + py * patch + x % patch;
        int src = 3 * (y * s + x);
        image[at] = rgb[src];
        image[at + patch * patch] = rgb[src + 1];
        image[at + 2 * patch * patch] = rgb[src + 2];
      }
    }
    List<Mark> used = largest(e.marks(), c.maxMarks());
    usedMarks.add(used);
    int g = c.grid();
    int n = g * g;
    for (int i = 0; i < used.size(); i++) {
      Mark m = used.get(i);
      int row = b * c.maxMarks() + i;
      int o = row * MARK_GEOMETRY;
      markGeometry[o] = (float) (m.centroid().xPx() / s - 0.5) * 2f;
      markGeometry[o + 1] = (float) (m.centroid().yPx() / s - 0.5) * 2f;
      markGeometry[o + 2] = (float) (m.box().widthPx() / s) * 4f;
      markGeometry[o + 3] = (float) (m.box().heightPx() / s) * 4f;
      markGeometry[o + 4] = (float) (Math.sqrt(Math.max(0, m.areaPx())) / s) * 4f;
      markGeometry[o + 5] = (((m.meanRgb() >> 16) & 0xff) / 255f - 0.5f) * 4f;
      markGeometry[o + 6] = (((m.meanRgb() >> 8) & 0xff) / 255f - 0.5f) * 4f;
      markGeometry[o + 7] = ((m.meanRgb() & 0xff) / 255f - 0.5f) * 4f;
      markGeometry[o + 8] = 1f;
      double boxArea = m.box().widthPx() * m.box().heightPx();
      markGeometry[o + 9] = boxArea > 0 ? (float) Math.min(1.5, m.areaPx() / boxArea) * 2f : 0f;
      if (e.markMotionPx() != null) {
        int at = e.marks().indexOf(m);
        markGeometry[o + 10] = (float) (e.markMotionPx()[2 * at] / s * TRACE_SCALE);
        markGeometry[o + 11] = (float) (e.markMotionPx()[2 * at + 1] / s * TRACE_SCALE);
      }
      markPresent[row] = 1f;
      // bilinear weights over patch centres ((gx + 0.5) * patch - 0.5 px)
      double u = (m.centroid().xPx() + 0.5) / c.patchPx() - 0.5;
      double v = (m.centroid().yPx() + 0.5) / c.patchPx() - 0.5;
      u = Math.max(0, Math.min(g - 1, u));
      v = Math.max(0, Math.min(g - 1, v));
      int u0 = (int) Math.floor(u);
      int v0 = (int) Math.floor(v);
      int u1 = Math.min(g - 1, u0 + 1);
      int v1 = Math.min(g - 1, v0 + 1);
      float fu = (float) (u - u0);
      float fv = (float) (v - v0);
      int so = row * n;
      markSample[so + v0 * g + u0] += (1 - fu) * (1 - fv);
      markSample[so + v0 * g + u1] += fu * (1 - fv);
      markSample[so + v1 * g + u0] += (1 - fu) * fv;
      markSample[so + v1 * g + u1] += fu * fv;
    }
    int[] ids = vocab.encode(e.instruction(), c.maxWords());
    for (int i = 0; i < ids.length; i++) {
      words[b * c.maxWords() + i] = ids[i];
      wordPresent[b * c.maxWords() + i] = ids[i] == Vocabulary.PAD_ID ? 0f : 1f;
    }
    int jf = jointFeatures(c.joints());
    if (e.hasJoints()) {
      if (e.jointPositionsRad().length != c.joints()) {
        throw new IllegalArgumentException(
            "example has " + e.jointPositionsRad().length + " joints, the network " + c.joints());
      }
      for (int j = 0; j < c.joints(); j++) {
        double q = e.jointPositionsRad()[j];
        jointPositions[b * c.joints() + j] = q;
        joints[b * jf + j] = (float) Math.sin(q);
        joints[b * jf + c.joints() + j] = (float) Math.cos(q);
      }
      joints[b * jf + 2 * c.joints()] = 1f;
    }
  }
}
