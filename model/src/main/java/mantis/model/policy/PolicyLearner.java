package mantis.model.policy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import mantis.core.PixelPoint;
import mantis.core.RobotSpec;
import mantis.model.bundle.ModelBundle;
import mantis.model.bundle.ModelCard;
import mantis.model.text.Vocabulary;

/**
 * Trains the Mantis policy network: pretraining (latent tokens, grounding, trace) and finetuning
 * (action decoder), measuring, and writing model bundles. One learner per training run; not
 * thread-safe.
 */
public final class PolicyLearner implements AutoCloseable {
  /** What a training step optimises. */
  public enum Phase {
    /**
     * Latent action tokens, grounding (object, goal, effector marks) and the object's trace; no
     * actions.
     */
    PRETRAIN,
    /**
     * The action chunk, with the grounding and trace losses of the labelled episodes (no latent
     * tokens: the labelled set is not labelled by the latent action model, so a from-scratch
     * network trains on exactly what the finetuning set holds).
     */
    FINETUNE
  }

  /** Which weights later steps update. */
  public enum Trainable {
    /** Every weight. */
    ALL,
    /**
     * The trunk, the heads and the action decoder; the image, mark and word encoders and grounding
     * heads stay.
     */
    TRUNK_AND_DECODER,
    /** Only the action decoder. */
    DECODER
  }

  /** The losses of one step; NaN for a term without labels or not trained in the phase. */
  public record StepLosses(
      long step, double total, double tokens, double grounding, double trace, double action) {}

  /**
   * Measures on held-out examples.
   *
   * @param examples how many
   * @param tokenAccuracy share of latent tokens predicted right (over examples with token labels)
   * @param objectAccuracy share of examples whose object mark is the labelled one
   * @param goalAccuracy the same for the goal mark (push onto a target)
   * @param effectorAccuracy the same for the effector mark
   * @param traceErrorPx mean distance of predicted trace points from the labels, pixels
   * @param effectorTraceErrorPx the same for the effector's trace
   * @param actionErrorRad mean absolute joint error of the chunk's targets, radians
   */
  public record Metrics(
      int examples,
      double tokenAccuracy,
      double objectAccuracy,
      double goalAccuracy,
      double effectorAccuracy,
      double traceErrorPx,
      double effectorTraceErrorPx,
      double actionErrorRad) {}

  private PolicyConfig config;
  private final Vocabulary vocabulary;
  private ActionStats stats;
  private final PolicyNet net;

  private PolicyLearner(
      PolicyConfig config, Vocabulary vocabulary, ActionStats stats, PolicyNet net) {
    this.config = config;
    this.vocabulary = vocabulary;
    this.stats = stats;
    this.net = net;
  }

  /** A freshly initialised network (weights drawn from the configuration's seed). */
  public static PolicyLearner create(PolicyConfig config, Vocabulary vocabulary) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(vocabulary, "vocabulary");
    ai.djl.engine.Engine.getInstance().setRandomSeed(config.seed());
    return new PolicyLearner(
        config,
        vocabulary,
        ActionStats.unit(config.chunkLength(), config.joints()),
        new PolicyNet(config, vocabulary.size()));
  }

  /** Continues from a bundle (its weights, configuration, vocabulary and action statistics). */
  public static PolicyLearner fromBundle(Path dir, RobotSpec robot) throws IOException {
    MantisPolicyModel.Loaded l = MantisPolicyModel.read(dir, robot);
    PolicyNet net = l.network(dir);
    return new PolicyLearner(l.config(), l.vocabulary(), l.stats(), net);
  }

  /**
   * Switches the action head (see {@link PolicyConfig#withFlowSteps}): 0 the regression head, n
   * &ge; 1 a flow-matching head with n integration steps. The decoder's weights start afresh; call
   * before finetuning (pretraining never trains the decoder, so nothing learned is lost).
   */
  public void setActionHead(int flowSteps) {
    setActionHead(flowSteps, config.goalRelativeDecoder());
  }

  /**
   * Like {@link #setActionHead(int)}, also choosing whether the decoder reads goal-relative
   * positions (see {@link PolicyConfig#withGoalRelativeDecoder}).
   */
  public void setActionHead(int flowSteps, boolean goalRelative) {
    PolicyConfig next = config.withFlowSteps(flowSteps).withGoalRelativeDecoder(goalRelative);
    net.resetDecoder(next);
    config = next;
  }

  public PolicyConfig config() {
    return config;
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  public ActionStats actionStats() {
    return stats;
  }

  public long parameterCount() {
    return net.parameterCount();
  }

  /** Sets the action normalisation (computed from the finetuning set, before finetuning starts). */
  public void setActionStats(ActionStats newStats) {
    if (newStats.chunkLength() != config.chunkLength() || newStats.joints() != config.joints()) {
      throw new IllegalArgumentException(
          "action statistics are for H="
              + newStats.chunkLength()
              + " x "
              + newStats.joints()
              + " joints, the network has H="
              + config.chunkLength()
              + " x "
              + config.joints());
    }
    this.stats = newStats;
  }

  /** Chooses which weights later steps update (default {@link Trainable#ALL}). */
  public void setTrainable(Trainable trainable) {
    net.setTrainable(java.util.Objects.requireNonNull(trainable, "trainable"));
  }

  /** Restarts the optimiser (keeps the weights). */
  public void resetOptimizer() {
    net.resetOptimizer();
  }

  /** One optimiser step on {@code batch}. */
  public StepLosses trainStep(List<PolicyExample> batch, Phase phase, double learningRate) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    Features f = Features.withLabels(batch, config, vocabulary, stats);
    PolicyNet.Losses l =
        net.trainStep(
            f,
            phase == Phase.PRETRAIN
                ? PolicyNet.LossWeights.PRETRAIN
                : PolicyNet.LossWeights.FINETUNE,
            (float) learningRate);
    return new StepLosses(l.step(), l.total(), l.tokens(), l.grounding(), l.trace(), l.action());
  }

  /** Measures on {@code examples} (batched, no training). */
  public Metrics evaluate(List<PolicyExample> examples) {
    long tokOk = 0;
    long tokN = 0;
    int[] ok = new int[3];
    int[] n = new int[3];
    double traceErr = 0;
    long traceN = 0;
    double etraceErr = 0;
    long etraceN = 0;
    double actErr = 0;
    long actN = 0;
    for (int from = 0; from < examples.size(); from += 64) {
      List<PolicyExample> part = examples.subList(from, Math.min(examples.size(), from + 64));
      Features f = Features.withLabels(part, config, vocabulary, stats);
      Prediction[] preds = predict(f);
      for (int b = 0; b < part.size(); b++) {
        Prediction p = preds[b];
        for (int t = 0; t < config.tokens(); t++) {
          int lab = f.tokenLabels[b * config.tokens() + t];
          if (lab >= 0) {
            tokN++;
            tokOk += p.tokens[t] == lab ? 1 : 0;
          }
        }
        int[] labels = {f.objectLabels[b], f.goalLabels[b], f.effectorLabels[b]};
        int[] got = {p.object, p.goal, p.effector};
        for (int i = 0; i < 3; i++) {
          if (labels[i] >= 0) {
            n[i]++;
            ok[i] += labels[i] == got[i] ? 1 : 0;
          }
        }
        double[] tr = part.get(b).labels().tracePx();
        if (tr != null && p.object >= 0) {
          for (int k = 0; k < config.traceLength(); k++) {
            traceErr +=
                Math.hypot(p.tracePx[2 * k] - tr[2 * k], p.tracePx[2 * k + 1] - tr[2 * k + 1]);
            traceN++;
          }
        }
        double[] etr = part.get(b).labels().effectorTracePx();
        if (etr != null && p.effector >= 0) {
          for (int k = 0; k < config.traceLength(); k++) {
            etraceErr +=
                Math.hypot(
                    p.effectorTracePx[2 * k] - etr[2 * k],
                    p.effectorTracePx[2 * k + 1] - etr[2 * k + 1]);
            etraceN++;
          }
        }
        double[] targets = part.get(b).labels().targetsRad();
        if (targets != null && part.get(b).hasJoints()) {
          for (int i = 0; i < targets.length; i++) {
            actErr += Math.abs(p.targetsRad[i] - targets[i]);
            actN++;
          }
        }
      }
    }
    return new Metrics(
        examples.size(),
        ratio(tokOk, tokN),
        ratio(ok[0], n[0]),
        ratio(ok[1], n[1]),
        ratio(ok[2], n[2]),
        traceN == 0 ? Double.NaN : traceErr / traceN,
        etraceN == 0 ? Double.NaN : etraceErr / etraceN,
        actN == 0 ? Double.NaN : actErr / actN);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }

  /** Decoded outputs for one example. */
  static final class Prediction {
    int[] tokens;
    int object = -1;
    int goal = -1;
    int effector = -1;
    double[] tracePx; // K x 2, absolute pixels (relative to the predicted object mark)
    double[] effectorTracePx; // K x 2, absolute pixels (relative to the predicted effector mark)
    PixelPoint effectorOriginPx; // where the effector trace starts when not at its mark
    double[]
        targetsRad; // H x J absolute (when the example has joints), else the normalised changes
  }

  Prediction[] predict(Features f) {
    return decode(net, f, config, stats, null);
  }

  /**
   * Runs the network and decodes, in a sub-manager of {@code owner} (or of the network's manager).
   */
  static Prediction[] decode(
      PolicyNet net, Features f, PolicyConfig c, ActionStats stats, NDManager owner) {
    try (NDManager sub = (owner == null ? net.manager() : owner).newSubManager()) {
      PolicyNet.Out o = net.forward(sub, f);
      float[] tok = o.tokenLogits().toFloatArray();
      float[][] ptr = {
        o.objectLogits().toFloatArray(),
        o.goalLogits().toFloatArray(),
        o.effectorLogits().toFloatArray()
      };
      float[] trace = o.trace().toFloatArray();
      float[] etrace = o.effectorTrace().toFloatArray();
      float[] act = o.action().toFloatArray();
      Prediction[] out = new Prediction[f.batch];
      int m = c.maxMarks();
      int hj = c.chunkLength() * c.joints();
      for (int b = 0; b < f.batch; b++) {
        Prediction p = new Prediction();
        p.tokens = new int[c.tokens()];
        for (int t = 0; t < c.tokens(); t++) {
          p.tokens[t] = argmax(tok, (b * c.tokens() + t) * c.codebookSize(), c.codebookSize());
        }
        int used = f.usedMarks.get(b).size();
        if (used > 0) {
          p.object = argmax(ptr[0], b * m, used);
          p.goal = argmax(ptr[1], b * m, used);
          p.effector = argmax(ptr[2], b * m, used);
        }
        p.tracePx = new double[c.traceLength() * 2];
        double ox = 0;
        double oy = 0;
        if (p.object >= 0) {
          ox = f.usedMarks.get(b).get(p.object).centroid().xPx();
          oy = f.usedMarks.get(b).get(p.object).centroid().yPx();
        }
        double scale = c.inputSizePx() / Features.TRACE_SCALE;
        for (int k = 0; k < c.traceLength(); k++) {
          p.tracePx[2 * k] = ox + trace[(b * c.traceLength() + k) * 2] * scale;
          p.tracePx[2 * k + 1] = oy + trace[(b * c.traceLength() + k) * 2 + 1] * scale;
        }
        p.effectorTracePx = new double[c.traceLength() * 2];
        double ex = 0;
        double ey = 0;
        if (p.effector >= 0) {
          ex = f.usedMarks.get(b).get(p.effector).centroid().xPx();
          ey = f.usedMarks.get(b).get(p.effector).centroid().yPx();
        }
        for (int k = 0; k < c.traceLength(); k++) {
          p.effectorTracePx[2 * k] = ex + etrace[(b * c.traceLength() + k) * 2] * scale;
          p.effectorTracePx[2 * k + 1] = ey + etrace[(b * c.traceLength() + k) * 2 + 1] * scale;
        }
        p.targetsRad = new double[hj];
        boolean hasJoints = f.joints[b * Features.jointFeatures(c.joints()) + 2 * c.joints()] > 0;
        for (int k = 0; k < c.chunkLength(); k++) {
          for (int j = 0; j < c.joints(); j++) {
            double delta = act[b * hj + k * c.joints() + j] * stats.std(k, j);
            p.targetsRad[k * c.joints() + j] =
                hasJoints ? f.jointPositions[b * c.joints() + j] + delta : delta;
          }
        }
        out[b] = p;
      }
      return out;
    }
  }

  private static int argmax(float[] v, int from, int count) {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (v[from + i] > v[from + best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Writes a model bundle: weights, vocabulary, action statistics and the card.
   *
   * @param dataDigest SHA-256 (hex) of the training data description
   * @param evaluation figures to record in the card
   */
  public ModelCard saveBundle(
      Path dir, RobotSpec robot, String dataDigest, Map<String, Double> evaluation)
      throws IOException {
    if (robot.jointCount() != config.joints()) {
      throw new IllegalArgumentException(
          "robot "
              + robot.name()
              + " has "
              + robot.jointCount()
              + " joints, the network "
              + config.joints());
    }
    ModelCard card =
        new ModelCard(
            ModelCard.FORMAT_VERSION,
            new ModelCard.Architecture(PolicyConfig.ARCHITECTURE, config.toSizes()),
            config.inputSizePx(),
            ModelCard.Normalization.of(
                new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25}),
            robot.jointNames(),
            config.chunkLength(),
            config.chunkPeriodMs() * 1_000_000L,
            new ModelCard.Codebook(config.tokens(), config.codebookSize()),
            dataDigest,
            evaluation,
            Map.of());
    Map<String, byte[]> files = new java.util.TreeMap<>();
    files.put(MantisPolicyModel.WEIGHTS, net.weightBytes());
    files.put(MantisPolicyModel.VOCABULARY, vocabulary.toJson().getBytes(StandardCharsets.UTF_8));
    files.put(MantisPolicyModel.STATS, stats.toJson().getBytes(StandardCharsets.UTF_8));
    return ModelBundle.write(dir, card, files);
  }

  /**
   * Splits {@code examples} into batches of {@code size} in the given order (the last may be
   * smaller).
   */
  public static List<List<PolicyExample>> batches(List<PolicyExample> examples, int size) {
    List<List<PolicyExample>> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i += size) {
      out.add(examples.subList(i, Math.min(examples.size(), i + size)));
    }
    return out;
  }

  @Override
  public void close() {
    net.close();
  }
}
