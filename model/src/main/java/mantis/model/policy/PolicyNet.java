package mantis.model.policy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Mantis policy network on DJL NDArrays, with its own Adam optimiser.
 *
 * <pre>
 * frame (S x S) -> 8 px patches -> linear + ReLU (x2), + position  -> patch features P (N x C)
 * marks: geometry + colour, and P sampled at the centroid          -> mark embeddings E (M x C)
 * words: embedding, width-3 context, attention pooling (4 queries)  -> instruction vector I
 * pointer heads over E (additive attention with I): object, goal, effector
 * trunk MLP(pooled P, I, pointed embeddings and positions, joints)  -> h
 * heads: latent token logits (T x codes), object trace (K x 2), effector trace (K x 2)
 * action decoder MLP(effector trace, effector position, token probabilities, joints) -> H x joints changes
 * </pre>
 *
 * The action decoder is an inverse model: it turns the planned effector path (pixels) into joint
 * targets. While training on labelled episodes it reads the tracked effector path (teacher forcing)
 * where there is one; at inference it reads the trunk's prediction.
 *
 * <p>Not thread-safe; one network per training run, or read-only sharing of its weights through
 * {@link #forward} from several threads (each with its own manager).
 */
final class PolicyNet implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;
  private static final int QUERIES = 4;
  private static final int WEIGHTS_MAGIC = 0x4D504E31; // "MPN1"

  PolicyConfig config;
  final int vocabSize;
  private final NDManager manager;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final Map<String, NDArray> adamM = new LinkedHashMap<>();
  private final Map<String, NDArray> adamV = new LinkedHashMap<>();
  private long step;

  /** Which parameters the optimiser updates. */
  private PolicyLearner.Trainable trainable = PolicyLearner.Trainable.ALL;

  private record Spec(String name, Shape shape, double std) {}

  PolicyNet(PolicyConfig config, int vocabSize) {
    this.config = config;
    this.vocabSize = vocabSize;
    this.manager = NDManager.newBaseManager(defaultDevice());
    Random rnd = new Random(config.seed());
    for (Spec s : specs()) {
      float[] data = new float[(int) s.shape().size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) (rnd.nextGaussian() * s.std());
      }
      add(s, data);
    }
  }

  static Device defaultDevice() {
    return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }

  NDManager manager() {
    return manager;
  }

  long step() {
    return step;
  }

  long parameterCount() {
    long n = 0;
    for (NDArray p : params.values()) {
      n += p.size();
    }
    return n;
  }

  private List<Spec> specs() {
    PolicyConfig c = this.config;
    int patchIn = 3 * c.patchPx() * c.patchPx();
    int n = c.grid() * c.grid();
    int w = c.width();
    int d = c.wordDim();
    int h = c.hidden();
    int jf = Features.jointFeatures(c.joints());
    int trunkIn = 2 * w + w + 3 * w + 3 * 2 + 2 * 2 + jf;
    int decIn = decoderInputs(c);
    List<Spec> s = new ArrayList<>();
    linear(s, "patch1", patchIn, w);
    linear(s, "patch2", w, w);
    s.add(new Spec("patch.pos", new Shape(n, w), 0.1));
    linear(s, "mark1", Features.MARK_GEOMETRY + w, w);
    linear(s, "mark2", w, w);
    s.add(new Spec("word.emb", new Shape(vocabSize, d), 1.0));
    linear(s, "word.ctx", 3 * d, w);
    s.add(new Spec("word.query", new Shape(w, QUERIES), Math.sqrt(1.0 / w)));
    linear(s, "instr", QUERIES * w, w);
    for (String head : new String[] {"obj", "goal", "eff"}) {
      s.add(new Spec(head + ".wm", new Shape(w, w), Math.sqrt(1.0 / w)));
      s.add(new Spec(head + ".wi", new Shape(w, w), Math.sqrt(1.0 / w)));
      s.add(new Spec(head + ".v", new Shape(w, 1), Math.sqrt(1.0 / w)));
    }
    linear(s, "trunk1", trunkIn, h);
    linear(s, "trunk2", h, h);
    linear(s, "tok", h, c.tokens() * c.codebookSize());
    linear(s, "trace", h, c.traceLength() * 2);
    linear(s, "etrace", h, c.traceLength() * 2);
    linear(s, "dec1", decIn, h);
    linear(s, "dec2", h, h);
    linear(s, "dec3", h, c.chunkLength() * c.joints());
    return s;
  }

  /** Inputs of the action decoder: its conditioning, plus (flow head) the noisy chunk and time. */
  private static int decoderInputs(PolicyConfig c) {
    int cond =
        c.tokens() * c.codebookSize()
            + c.traceLength() * 2
            + 2
            + Features.jointFeatures(c.joints());
    if (c.goalRelativeDecoder()) {
      cond += 3 * 2;
    }
    return c.flowSteps() > 0 ? cond + c.chunkLength() * c.joints() + 1 : cond;
  }

  /**
   * Switches the action head to {@code newConfig}'s (regression or flow matching): the decoder's
   * weights are drawn afresh for the new shapes (they are trained in finetuning only; pretraining
   * never updates them). Everything else is kept.
   */
  void resetDecoder(PolicyConfig newConfig) {
    Random rnd = new Random(newConfig.seed() * 7919L + 17);
    this.config = newConfig;
    for (Spec s : specs()) {
      if (s.name().startsWith("dec")) {
        float[] data = new float[(int) s.shape().size()];
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (rnd.nextGaussian() * s.std());
        }
        NDArray prev = params.remove(s.name());
        if (prev != null) {
          prev.close();
          adamM.remove(s.name()).close();
          adamV.remove(s.name()).close();
        }
        add(s, data);
      }
    }
  }

  private static void linear(List<Spec> s, String name, int in, int out) {
    s.add(new Spec(name + ".w", new Shape(in, out), Math.sqrt(2.0 / in)));
    s.add(new Spec(name + ".b", new Shape(out), 0.0));
  }

  private void add(Spec s, float[] data) {
    NDArray p = manager.create(data, s.shape());
    p.setRequiresGradient(true);
    params.put(s.name(), p);
    adamM.put(s.name(), manager.zeros(s.shape()));
    adamV.put(s.name(), manager.zeros(s.shape()));
  }

  // ------------------------------------------------------------------ forward

  /** The network's outputs for a batch (arrays in the caller's manager). */
  record Out(
      NDArray tokenLogits,
      NDArray objectLogits,
      NDArray goalLogits,
      NDArray effectorLogits,
      NDArray trace,
      NDArray effectorTrace,
      NDArray action,
      NDArray decoderCondition) {}

  Out forward(NDManager sub, Features f) {
    return forward(sub, f, false);
  }

  /**
   * @param teacherForcing feed the decoder the labelled effector trace where the batch has one
   */
  Out forward(NDManager sub, Features f, boolean teacherForcing) {
    PolicyConfig c = config;
    int b = f.batch;
    int s = c.inputSizePx();
    int p = c.patchPx();
    int g = c.grid();
    int n = g * g;
    int w = c.width();
    int m = c.maxMarks();
    int l = c.maxWords();
    int d = c.wordDim();
    int jf = Features.jointFeatures(c.joints());

    // cut into patches by Features; bytes to floats here, in one vectorised pass
    NDArray patches =
        sub.create(java.nio.ByteBuffer.wrap(f.image), new Shape(b * n, 3 * p * p), DataType.UINT8)
            .toType(DataType.FLOAT32, false)
            .muli(4f / 255f)
            .subi(2f);
    NDArray x = relu(lin(patches, "patch1")).reshape(b, n, w).add(params.get("patch.pos"));
    x = relu(lin(x.reshape(b * n, w), "patch2")).reshape(b, n, w);
    NDArray pooled = x.mean(new int[] {1}).concat(x.max(new int[] {1}), 1); // (B, 2w)

    NDArray geom = sub.create(f.markGeometry, new Shape(b, m, Features.MARK_GEOMETRY));
    NDArray sample = sub.create(f.markSample, new Shape(b, m, n));
    NDArray present = sub.create(f.markPresent, new Shape(b, m));
    NDArray sampled = sample.matMul(x); // (B, M, w)
    NDArray e =
        relu(lin(geom.concat(sampled, 2).reshape(b * m, Features.MARK_GEOMETRY + w), "mark1"));
    e = relu(lin(e, "mark2")).reshape(b, m, w).mul(present.expandDims(2));

    NDArray ids = sub.create(f.words, new Shape(b, l));
    NDArray wordMask = sub.create(f.wordPresent, new Shape(b, l));
    NDArray emb =
        ids.oneHot(vocabSize)
            .toType(DataType.FLOAT32, false)
            .reshape(b * l, vocabSize)
            .matMul(params.get("word.emb"))
            .reshape(b, l, d)
            .mul(wordMask.expandDims(2));
    NDArray zeros = sub.zeros(new Shape(b, 1, d));
    NDArray prev = zeros.concat(emb.get(":, 0:" + (l - 1) + ", :"), 1);
    NDArray next = emb.get(":, 1:, :").concat(zeros, 1);
    NDArray ctx =
        relu(lin(NDArrays3.concat(prev, emb, next).reshape(b * l, 3 * d), "word.ctx"))
            .reshape(b, l, w);
    NDArray scores =
        ctx.reshape(b * l, w)
            .matMul(params.get("word.query"))
            .reshape(b, l, QUERIES)
            .add(wordMask.sub(1f).mul(1e4f).expandDims(2));
    NDArray attn = scores.softmax(1); // over words
    NDArray instr =
        relu(lin(attn.transpose(0, 2, 1).matMul(ctx).reshape(b, QUERIES * w), "instr")); // (B, w)

    NDArray markMaskBias = present.sub(1f).mul(1e4f);
    NDArray objLogits = pointer("obj", e, instr, markMaskBias, b, m, w);
    NDArray goalLogits = pointer("goal", e, instr, markMaskBias, b, m, w);
    NDArray effLogits = pointer("eff", e, instr, markMaskBias, b, m, w);
    NDArray xy = geom.get(":, :, 0:2");
    NDArray[] picked = new NDArray[6];
    NDArray[] logits = {objLogits, goalLogits, effLogits};
    for (int i = 0; i < 3; i++) {
      NDArray a = logits[i].softmax(1).expandDims(1); // (B, 1, M)
      picked[i] = a.matMul(e).reshape(b, w);
      picked[3 + i] = a.matMul(xy).reshape(b, 2);
    }
    NDArray joints = sub.create(f.joints, new Shape(b, jf));
    NDArray trunkIn =
        NDArrays3.concat1(
            pooled,
            instr,
            picked[0],
            picked[1],
            picked[2],
            picked[3],
            picked[4],
            picked[5],
            picked[3].sub(picked[5]),
            picked[4].sub(picked[3]),
            joints);
    NDArray h = relu(lin(relu(lin(trunkIn, "trunk1")), "trunk2"));
    NDArray tok = lin(h, "tok").reshape(b, c.tokens(), c.codebookSize());
    NDArray trace = lin(h, "trace");
    NDArray etrace = lin(h, "etrace");
    NDArray tokProb = tok.softmax(2).reshape(b, c.tokens() * c.codebookSize());
    NDArray planned = etrace;
    if (teacherForcing && f.effectorTraceMask != null) {
      NDArray mask = sub.create(f.effectorTraceMask, new Shape(b, 1));
      NDArray lab = sub.create(f.effectorTraceLabels, new Shape(b, c.traceLength() * 2));
      planned = lab.mul(mask).add(etrace.mul(mask.neg().add(1f)));
    }
    NDArray decIn =
        c.goalRelativeDecoder()
            ? NDArrays3.concat1(
                planned,
                picked[5],
                tokProb,
                joints,
                picked[3].sub(picked[5]),
                picked[4].sub(picked[3]),
                picked[3])
            : NDArrays3.concat1(planned, picked[5], tokProb, joints);
    NDArray action;
    if (c.flowSteps() == 0) {
      action = decoder(decIn);
    } else if (teacherForcing) {
      action = null; // the flow loss queries the decoder at noisy chunks itself
    } else {
      action = integrateFlow(sub, decIn, b);
    }
    return new Out(
        tok,
        objLogits,
        goalLogits,
        effLogits,
        trace.reshape(b, c.traceLength(), 2),
        etrace.reshape(b, c.traceLength(), 2),
        action,
        decIn);
  }

  private NDArray decoder(NDArray in) {
    return lin(relu(lin(relu(lin(in, "dec1")), "dec2")), "dec3");
  }

  /**
   * The flow head's chunk: Euler integration of the learned velocity field from x = 0 (the noise
   * distribution's mean, so a prediction is deterministic) at t = 0 to t = 1.
   */
  private NDArray integrateFlow(NDManager sub, NDArray cond, int b) {
    int hj = config.chunkLength() * config.joints();
    int steps = config.flowSteps();
    NDArray x = sub.zeros(new Shape(b, hj));
    for (int i = 0; i < steps; i++) {
      NDArray t = sub.full(new Shape(b, 1), (float) i / steps);
      NDArray v = decoder(NDArrays3.concat1(cond, x, t));
      x = x.add(v.div((float) steps));
    }
    return x;
  }

  private NDArray pointer(
      String head, NDArray e, NDArray instr, NDArray maskBias, int b, int m, int w) {
    NDArray a =
        e.reshape(b * m, w)
            .matMul(params.get(head + ".wm"))
            .reshape(b, m, w)
            .add(instr.matMul(params.get(head + ".wi")).expandDims(1))
            .tanh();
    return a.reshape(b * m, w).matMul(params.get(head + ".v")).reshape(b, m).add(maskBias);
  }

  private NDArray lin(NDArray x, String name) {
    return x.matMul(params.get(name + ".w")).addi(params.get(name + ".b"));
  }

  private static NDArray relu(NDArray x) {
    return ai.djl.nn.Activation.relu(x);
  }

  // ------------------------------------------------------------------ training

  /** Loss weights of one training phase. */
  record LossWeights(float tokens, float grounding, float trace, float action) {
    static final LossWeights PRETRAIN = new LossWeights(1f, 1f, 1f, 0f);
    static final LossWeights FINETUNE = new LossWeights(0f, 1f, 1f, 1f);
  }

  /** The losses of one step (NaN where a term had no labels). */
  record Losses(long step, float total, float tokens, float grounding, float trace, float action) {}

  Losses trainStep(Features f, LossWeights lw, float learningRate) {
    float[] parts = new float[5];
    try (NDManager sub = manager.newSubManager()) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Out o = forward(sub, f, lw.action() > 0);
        NDArray total = sub.zeros(new Shape());
        float[] terms = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        if (lw.tokens() > 0) {
          NDArray t =
              maskedCe(
                  sub,
                  o.tokenLogits().reshape(f.batch * config.tokens(), config.codebookSize()),
                  f.tokenLabels);
          if (t != null) {
            total = total.add(GraphConstants.times(t, lw.tokens()));
            terms[0] = t.getFloat();
          }
        }
        if (lw.grounding() > 0) {
          NDArray gsum = null;
          NDArray[] heads = {o.objectLogits(), o.goalLogits(), o.effectorLogits()};
          int[][] labels = {f.objectLabels, f.goalLabels, f.effectorLabels};
          for (int i = 0; i < heads.length; i++) {
            NDArray ce = maskedCe(sub, heads[i], labels[i]);
            if (ce != null) {
              gsum = gsum == null ? ce : gsum.add(ce);
            }
          }
          if (gsum != null) {
            total = total.add(GraphConstants.times(gsum, lw.grounding()));
            terms[1] = gsum.getFloat();
          }
        }
        if (lw.trace() > 0 && sum(f.traceMask) > 0) {
          NDArray mask = sub.create(f.traceMask, new Shape(f.batch, 1, 1));
          NDArray lab = sub.create(f.traceLabels, new Shape(f.batch, config.traceLength(), 2));
          NDArray t =
              GraphConstants.dividedBy(
                  o.trace().sub(lab).abs().mul(mask).sum(),
                  sum(f.traceMask) * config.traceLength() * 2);
          total = total.add(GraphConstants.times(t, lw.trace()));
          terms[2] = t.getFloat();
        }
        if (lw.trace() > 0 && sum(f.effectorTraceMask) > 0) {
          NDArray mask = sub.create(f.effectorTraceMask, new Shape(f.batch, 1, 1));
          NDArray lab =
              sub.create(f.effectorTraceLabels, new Shape(f.batch, config.traceLength(), 2));
          NDArray t =
              GraphConstants.dividedBy(
                  o.effectorTrace().sub(lab).abs().mul(mask).sum(),
                  sum(f.effectorTraceMask) * config.traceLength() * 2);
          total = total.add(GraphConstants.times(t, lw.trace()));
          terms[2] = Float.isNaN(terms[2]) ? t.getFloat() : terms[2] + t.getFloat();
        }
        if (lw.action() > 0 && sum(f.actionMask) > 0 && config.flowSteps() > 0) {
          // Flow matching (rectified flow): x_t = (1 - t) noise + t chunk; the decoder learns the
          // velocity chunk - noise at (x_t, t), per example t ~ U(0, 1), noise ~ N(0, I), both
          // drawn from the step number so a run is reproducible.
          int hj = config.chunkLength() * config.joints();
          Random r = new Random(config.seed() * 1_000_003L + step);
          float[] tv = new float[f.batch];
          float[] ev = new float[f.batch * hj];
          for (int i = 0; i < tv.length; i++) {
            tv[i] = r.nextFloat();
          }
          for (int i = 0; i < ev.length; i++) {
            ev[i] = (float) r.nextGaussian();
          }
          NDArray t = sub.create(tv, new Shape(f.batch, 1));
          NDArray noise = sub.create(ev, new Shape(f.batch, hj));
          NDArray mask = sub.create(f.actionMask, new Shape(f.batch, 1));
          NDArray lab = sub.create(f.actionLabels, new Shape(f.batch, hj));
          NDArray xt = noise.mul(t.neg().add(1f)).add(lab.mul(t));
          NDArray v = decoder(NDArrays3.concat1(o.decoderCondition(), xt, t));
          NDArray a =
              GraphConstants.dividedBy(
                  v.sub(lab.sub(noise)).square().mul(mask).sum(), sum(f.actionMask) * hj);
          total = total.add(GraphConstants.times(a, lw.action()));
          terms[3] = a.getFloat();
        } else if (lw.action() > 0 && sum(f.actionMask) > 0) {
          int hj = config.chunkLength() * config.joints();
          NDArray mask = sub.create(f.actionMask, new Shape(f.batch, 1));
          NDArray lab = sub.create(f.actionLabels, new Shape(f.batch, hj));
          NDArray diff = o.action().sub(lab);
          // Huber (delta 1) on normalised changes
          NDArray ad = diff.abs();
          NDArray hub =
              GraphConstants.times(GraphConstants.atMost(ad, 1f).square(), 0.5f)
                  .add(GraphConstants.atLeast(ad.sub(1f), 0f));
          NDArray a = GraphConstants.dividedBy(hub.mul(mask).sum(), sum(f.actionMask) * hj);
          total = total.add(GraphConstants.times(a, lw.action()));
          terms[3] = a.getFloat();
        }
        gc.backward(total);
        parts[0] = total.getFloat();
        System.arraycopy(terms, 0, parts, 1, 4);
      }
      step++;
      adam(sub, learningRate);
    }
    return new Losses(step, parts[0], parts[1], parts[2], parts[3], parts[4]);
  }

  private static float sum(float[] v) {
    float s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }

  /** Mean cross-entropy over rows whose label is >= 0; null when there is none. */
  private static NDArray maskedCe(NDManager sub, NDArray logits, int[] labels) {
    int rows = labels.length;
    float[] mask = new float[rows];
    int[] safe = new int[rows];
    int count = 0;
    for (int i = 0; i < rows; i++) {
      if (labels[i] >= 0) {
        mask[i] = 1f;
        safe[i] = labels[i];
        count++;
      }
    }
    if (count == 0) {
      return null;
    }
    long classes = logits.getShape().get(1);
    NDArray onehot = sub.create(safe).oneHot((int) classes).toType(DataType.FLOAT32, false);
    NDArray logp = logits.logSoftmax(1);
    return GraphConstants.dividedBy(
        logp.mul(onehot).sum(new int[] {1}).mul(sub.create(mask)).sum(), -count);
  }

  void setTrainable(PolicyLearner.Trainable t) {
    this.trainable = t;
  }

  private boolean frozen(String name) {
    switch (trainable) {
      case DECODER:
        return !name.startsWith("dec");
      case TRUNK_AND_DECODER:
        return perception(name);
      default:
        return false;
    }
  }

  private static boolean perception(String name) {
    return name.startsWith("patch")
        || name.startsWith("mark")
        || name.startsWith("word")
        || name.startsWith("instr")
        || name.startsWith("obj.")
        || name.startsWith("goal.")
        || name.startsWith("eff.");
  }

  private void adam(NDManager sub, float lr) {
    double bc1 = 1 - Math.pow(BETA1, step);
    double bc2 = 1 - Math.pow(BETA2, step);
    float stepSize = (float) (lr * Math.sqrt(bc2) / bc1);
    for (Map.Entry<String, NDArray> en : params.entrySet()) {
      NDArray p = en.getValue();
      NDArray g = p.getGradient();
      g.attach(sub);
      if (frozen(en.getKey())) {
        g.muli(0f);
        continue;
      }
      NDArray m = adamM.get(en.getKey());
      NDArray v = adamV.get(en.getKey());
      m.muli(BETA1).addi(g.mul(1 - BETA1));
      v.muli(BETA2).addi(g.square().muli(1 - BETA2));
      NDArray denom = v.sqrt();
      denom.attach(sub);
      denom.addi(EPS);
      NDArray update = m.div(denom);
      update.attach(sub);
      p.subi(update.muli(stepSize));
      g.muli(0f);
    }
  }

  /**
   * Restarts the optimiser (moments and step count), keeping the weights: used between pretraining
   * and finetuning.
   */
  void resetOptimizer() {
    for (String k : params.keySet()) {
      adamM.get(k).muli(0f);
      adamV.get(k).muli(0f);
    }
    step = 0;
  }

  // ------------------------------------------------------------------ persistence

  /** Weights only (no optimiser state), raw float bits. */
  byte[] weightBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(WEIGHTS_MAGIC);
      out.writeInt(params.size());
      for (Map.Entry<String, NDArray> en : params.entrySet()) {
        out.writeUTF(en.getKey());
        float[] data = en.getValue().toFloatArray();
        out.writeInt(data.length);
        for (float v : data) {
          out.writeInt(Float.floatToRawIntBits(v));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces the weights with {@link #weightBytes()} of a network with the same configuration and
   * vocabulary.
   *
   * @throws IOException naming the first mismatch
   */
  void loadWeights(byte[] data) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != WEIGHTS_MAGIC) {
        throw new IOException("not a Mantis policy weights file");
      }
      int count = in.readInt();
      if (count != params.size()) {
        throw new IOException(
            "weights file has " + count + " parameters, the architecture has " + params.size());
      }
      for (Map.Entry<String, NDArray> en : params.entrySet()) {
        String name = in.readUTF();
        if (!name.equals(en.getKey())) {
          throw new IOException(
              "weights file has parameter '" + name + "' where '" + en.getKey() + "' was expected");
        }
        int len = in.readInt();
        if (len != en.getValue().size()) {
          throw new IOException(
              "parameter '"
                  + name
                  + "' has "
                  + len
                  + " values, the architecture needs "
                  + en.getValue().size());
        }
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
          v[i] = Float.intBitsToFloat(in.readInt());
        }
        en.getValue().set(v);
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
