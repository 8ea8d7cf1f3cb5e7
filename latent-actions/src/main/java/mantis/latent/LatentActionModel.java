package mantis.latent;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import mantis.core.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LAPA latent action model.
 *
 * <p>Encoder: frame t and frame t+H concatenated along channels (6 x S x S), three 3x3 stride-2
 * convolutions with ReLU, then a linear projection to {@code tokens x codeDim}. Bottleneck: each of
 * the token vectors is replaced by its nearest codebook entry (straight-through gradient), trained
 * with the VQ-VAE codebook loss and a commitment loss. Dead codes (used fewer than {@code
 * deadCodeMinUses} times over {@code deadCodeWindowSteps} training steps) are re-initialised to
 * randomly drawn encoder outputs of the current batch, so every code stays in use. Decoder: frame t
 * goes through its own three stride-2 convolutions; the quantised tokens are projected linearly to
 * a {@code widths[2] x S/8 x S/8} map and added at the bottleneck; then three nearest-upsample +
 * 3x3 convolution stages (with skip connections from the frame-t path) predict the residual over
 * frame t. The PyTorch engine has no transposed convolution, hence upsample + convolve.
 *
 * <p>Parameters are plain tensors initialised from a {@link Random} seeded by the configuration,
 * trained with Adam implemented here, so a seed gives the same weights, tokens and training
 * trajectory on CPU. The model runs on the first GPU when the engine sees one, else on CPU.
 * Instances are not thread-safe.
 */
public final class LatentActionModel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LatentActionModel.class);
  private static final String CONFIG_FILE = "config.properties";
  private static final String WEIGHTS_FILE = "weights.bin";
  private static final int WEIGHTS_MAGIC = 0x4D4C4131; // "MLA1"
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final LatentActionConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final Map<String, NDArray> adamM = new LinkedHashMap<>();
  private final Map<String, NDArray> adamV = new LinkedHashMap<>();
  private final long[] usageInWindow;
  private long step;
  private boolean closed;

  private LatentActionModel(LatentActionConfig config, Device device) {
    this.config = config;
    this.manager = NDManager.newBaseManager(device);
    this.usageInWindow = new long[config.codebookSize()];
  }

  /** A freshly initialised model (weights drawn from the configuration's seed). */
  public static LatentActionModel create(LatentActionConfig config) {
    Engine engine = Engine.getInstance();
    engine.setRandomSeed((int) config.seed());
    LatentActionModel m = new LatentActionModel(config, defaultDevice());
    m.initParameters();
    LOG.info(
        "created latent action model {} on {} ({} parameters)",
        config,
        m.manager.getDevice(),
        m.parameterCount());
    return m;
  }

  /**
   * Loads a model written by {@link #save(Path)}: configuration, weights, codebook and optimiser
   * state.
   */
  public static LatentActionModel load(Path dir) throws IOException {
    LatentActionConfig config;
    try (Reader r = Files.newBufferedReader(dir.resolve(CONFIG_FILE), StandardCharsets.UTF_8)) {
      config = LatentActionConfig.read(r);
    }
    Engine.getInstance().setRandomSeed((int) config.seed());
    LatentActionModel m = new LatentActionModel(config, defaultDevice());
    try (DataInputStream in =
        new DataInputStream(
            new BufferedInputStream(Files.newInputStream(dir.resolve(WEIGHTS_FILE))))) {
      m.readState(in);
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  private static Device defaultDevice() {
    return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }

  public LatentActionConfig config() {
    return config;
  }

  /** Training steps taken so far. */
  public long stepCount() {
    return step;
  }

  /** Number of trainable scalars, codebook included. */
  public long parameterCount() {
    long n = 0;
    for (NDArray p : params.values()) {
      n += p.size();
    }
    return n;
  }

  /** Device description, e.g. {@code cpu()} or {@code gpu(0)}. */
  public String deviceName() {
    return manager.getDevice().toString();
  }

  /** A copy of the codebook, {@code [codebookSize][codeDim]}. */
  public float[][] codebook() {
    ensureOpen();
    float[] flat = params.get("vq.codebook").toFloatArray();
    float[][] out = new float[config.codebookSize()][];
    for (int k = 0; k < out.length; k++) {
      out[k] = Arrays.copyOfRange(flat, k * config.codeDim(), (k + 1) * config.codeDim());
    }
    return out;
  }

  /** Every parameter's values by name (copies), for inspection and tests. */
  public Map<String, float[]> parameterValues() {
    ensureOpen();
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  // ------------------------------------------------------------------ public inference

  /** Tokens of one pair, {@code tokens} values in {@code [0, codebookSize)}. */
  public int[] encode(Frame frameT, Frame frameTPlusH) {
    return encode(new FramePairs(List.of(frameT), List.of(frameTPlusH)))[0];
  }

  /** Tokens of every pair of the batch, {@code [pairs][tokens]}. */
  public int[][] encode(FramePairs pairs) {
    ensureOpen();
    try (NDManager sub = manager.newSubManager()) {
      NDArray a = toTensor(sub, pairs.framesT(), "framesT");
      NDArray b = toTensor(sub, pairs.framesTPlusH(), "framesTPlusH");
      NDArray ze = encoder(sub, a, b); // (B*T, D)
      NDArray idx = nearestCode(sub, ze);
      long[] flat = idx.toLongArray();
      int[][] out = new int[pairs.size()][config.tokens()];
      for (int i = 0; i < flat.length; i++) {
        out[i / config.tokens()][i % config.tokens()] = (int) flat[i];
      }
      return out;
    }
  }

  /**
   * The decoder's prediction of frame t+H from frame t and the tokens, as HWC RGB floats (nominally
   * in [0, 1], not clamped).
   */
  public float[] reconstructPixels(Frame frameT, int[] tokens) {
    ensureOpen();
    checkTokens(tokens);
    try (NDManager sub = manager.newSubManager()) {
      NDArray a = toTensor(sub, List.of(frameT), "frameT");
      NDArray onehot = oneHot(sub, tokens);
      NDArray zq = onehot.matMul(params.get("vq.codebook"));
      NDArray out = decoder(sub, a, zq, 1); // (1, 3, S, S)
      float[] chw = out.toFloatArray();
      int s = config.inputSizePx();
      float[] hwc = new float[chw.length];
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < s * s; i++) {
          hwc[i * 3 + c] = chw[c * s * s + i];
        }
      }
      return hwc;
    }
  }

  /**
   * The decoder's predictions of frame t+H for a batch: element i from {@code framesT.get(i)} and
   * {@code tokens[i]}, each as HWC RGB floats (not clamped).
   */
  public float[][] reconstructPixels(List<Frame> framesT, int[][] tokens) {
    ensureOpen();
    if (framesT.size() != tokens.length || tokens.length == 0) {
      throw new IllegalArgumentException(
          "need one token row per frame and at least one frame, got "
              + framesT.size()
              + " frames and "
              + tokens.length
              + " token rows");
    }
    int n = tokens.length;
    int[] flat = new int[n * config.tokens()];
    for (int i = 0; i < n; i++) {
      checkTokens(tokens[i]);
      System.arraycopy(tokens[i], 0, flat, i * config.tokens(), config.tokens());
    }
    try (NDManager sub = manager.newSubManager()) {
      NDArray a = toTensor(sub, framesT, "framesT");
      NDArray zq = oneHot(sub, flat).matMul(params.get("vq.codebook"));
      float[] chw = decoder(sub, a, zq, n).toFloatArray();
      int s = config.inputSizePx();
      int plane = s * s;
      float[][] out = new float[n][3 * plane];
      for (int k = 0; k < n; k++) {
        int base = k * 3 * plane;
        for (int c = 0; c < 3; c++) {
          for (int i = 0; i < plane; i++) {
            out[k][i * 3 + c] = chw[base + c * plane + i];
          }
        }
      }
      return out;
    }
  }

  /** The decoder's prediction of frame t+H as an RGB8 frame (clamped and rounded). */
  public Frame reconstruct(Frame frameT, int[] tokens) {
    float[] hwc = reconstructPixels(frameT, tokens);
    byte[] rgb = new byte[hwc.length];
    for (int i = 0; i < hwc.length; i++) {
      float v = Math.max(0f, Math.min(1f, hwc[i]));
      rgb[i] = (byte) Math.round(v * 255f);
    }
    int s = config.inputSizePx();
    return Frame.wrapRgb(s, s, rgb);
  }

  // ------------------------------------------------------------------ training

  /** One Adam step on the batch; returns the losses measured before the update. */
  public TrainStepResult trainStep(FramePairs batch) {
    ensureOpen();
    int b = batch.size();
    int t = config.tokens();
    float recon;
    float cbLoss;
    float commit;
    float total;
    long[] codes;
    float[] zeFlat;
    if (config.reverseFraction() > 0f) {
      batch = partlyReversed(batch);
    }
    try (NDManager sub = manager.newSubManager()) {
      NDArray a = toTensor(sub, batch.framesT(), "framesT");
      NDArray target = toTensor(sub, batch.framesTPlusH(), "framesTPlusH");
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray ze = encoder(sub, a, target); // (B*T, D)
        NDArray idx = nearestCode(sub, ze.stopGradient());
        NDArray onehot = idx.oneHot(config.codebookSize()).toType(DataType.FLOAT32, false);
        NDArray zq = onehot.matMul(params.get("vq.codebook"));
        NDArray codebookLoss = zq.sub(ze.stopGradient()).square().mean();
        NDArray commitmentLoss = ze.sub(zq.stopGradient()).square().mean();
        NDArray zst;
        if (config.noiseSubstitution()) {
          // LAPA's NSVQ: ze plus noise as large as the quantisation error, in a random direction;
          // gradients reach
          // both the encoder and the codebook through the error's norm
          NDArray v = noise(sub, b * t);
          NDArray errNorm = zq.sub(ze).square().sum(new int[] {1}, true).add(1e-12f).sqrt();
          NDArray vUnit = v.div(v.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
          zst = ze.add(errNorm.mul(vUnit));
        } else {
          zst = ze.add(zq.sub(ze).stopGradient());
        }
        NDArray pred = decoder(sub, a, zst, b);
        NDArray sqErr = pred.sub(target).square();
        NDArray reconLoss;
        if (config.motionWeight() > 0f) {
          NDArray moving =
              target
                  .sub(a)
                  .abs()
                  .max(new int[] {1}, true)
                  .gt(config.motionThreshold())
                  .toType(DataType.FLOAT32, false);
          reconLoss = sqErr.mul(moving.mul(config.motionWeight()).add(1f)).mean();
        } else {
          reconLoss = sqErr.mean();
        }
        NDArray loss =
            config.noiseSubstitution()
                ? reconLoss
                : reconLoss
                    .add(codebookLoss)
                    .add(GraphConstants.times(commitmentLoss, config.commitmentWeight()));
        gc.backward(loss);
        recon = reconLoss.getFloat();
        cbLoss = codebookLoss.getFloat();
        commit = commitmentLoss.getFloat();
        total = loss.getFloat();
        codes = idx.toLongArray();
        zeFlat = ze.stopGradient().toFloatArray();
      }
      step++;
      adamUpdate(sub);
    }
    int[] hist = new int[config.codebookSize()];
    for (long c : codes) {
      hist[(int) c]++;
      usageInWindow[(int) c]++;
    }
    double entropy = 0;
    for (int h : hist) {
      if (h > 0) {
        double p = (double) h / codes.length;
        entropy -= p * Math.log(p);
      }
    }
    int replaced = 0;
    if (config.deadCodeMinUses() > 0 && step % config.deadCodeWindowSteps() == 0) {
      replaced = replaceDeadCodes(zeFlat, b * t);
      Arrays.fill(usageInWindow, 0);
    }
    return new TrainStepResult(
        step, total, recon, cbLoss, commit, (float) Math.exp(entropy), replaced);
  }

  /**
   * Standard normal noise {@code (rows, codeDim)} drawn from (seed, step), so a resumed run draws
   * the same.
   */
  private NDArray noise(NDManager sub, int rows) {
    Random r = new Random(config.seed() * 0xA0761D6478BD642FL + step);
    float[] v = new float[rows * config.codeDim()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return sub.create(v, new Shape(rows, config.codeDim()));
  }

  /** The batch with a seeded random subset of its pairs played backwards (see the config). */
  private FramePairs partlyReversed(FramePairs batch) {
    Random r = new Random(config.seed() * 0xD1B54A32D192ED03L + step);
    List<Frame> a = new ArrayList<>(batch.framesT());
    List<Frame> b = new ArrayList<>(batch.framesTPlusH());
    for (int i = 0; i < a.size(); i++) {
      if (r.nextFloat() < config.reverseFraction()) {
        Frame tmp = a.get(i);
        a.set(i, b.get(i));
        b.set(i, tmp);
      }
    }
    return new FramePairs(a, b);
  }

  private int replaceDeadCodes(float[] ze, int rows) {
    int d = config.codeDim();
    NDArray codebook = params.get("vq.codebook");
    float[] cb = codebook.toFloatArray();
    // drawn from (seed, step) so that a resumed run replaces exactly as an uninterrupted one
    Random replacementRandom = new Random(config.seed() * 0x9E3779B97F4A7C15L + step);
    int replaced = 0;
    for (int k = 0; k < config.codebookSize(); k++) {
      if (usageInWindow[k] < config.deadCodeMinUses()) {
        int r = replacementRandom.nextInt(rows);
        for (int j = 0; j < d; j++) {
          cb[k * d + j] = ze[r * d + j] + 0.01f * (float) replacementRandom.nextGaussian();
        }
        // fresh Adam moments for the new code
        adamM.get("vq.codebook").set(new NDIndex("{}", k), 0f);
        adamV.get("vq.codebook").set(new NDIndex("{}", k), 0f);
        LOG.debug(
            "step {}: code {} used {} times in the window, re-initialised from encoder output {}",
            step,
            k,
            usageInWindow[k],
            r);
        replaced++;
      }
    }
    if (replaced > 0) {
      codebook.set(cb);
    }
    return replaced;
  }

  private void adamUpdate(NDManager sub) {
    float lr = config.learningRate();
    double bc1 = 1 - Math.pow(BETA1, step);
    double bc2 = 1 - Math.pow(BETA2, step);
    float stepSize = (float) (lr * Math.sqrt(bc2) / bc1);
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      NDArray g = p.getGradient();
      g.attach(sub);
      NDArray m = adamM.get(e.getKey());
      NDArray v = adamV.get(e.getKey());
      m.muli(BETA1).addi(g.mul(1 - BETA1));
      v.muli(BETA2).addi(g.square().muli(1 - BETA2));
      // m and v live in the model's manager: attach every temporary derived from them to the step's
      // manager
      NDArray denom = tmp(sub, v.sqrt()).addi(EPS);
      float scale = e.getKey().equals("vq.codebook") ? config.codebookLearningRateScale() : 1f;
      NDArray update = tmp(sub, m.div(denom)).muli(stepSize * scale);
      p.subi(update);
      g.muli(0f);
    }
  }

  // ------------------------------------------------------------------ network

  private NDArray encoder(NDManager sub, NDArray a, NDArray b) {
    NDArray x =
        config.differenceInput() ? NDArrays.concat(new NDList(a, b, b.sub(a)), 1) : a.concat(b, 1);
    x = convRelu(x, "enc.c1", 2);
    x = convRelu(x, "enc.c2", 2);
    if (config.encoderKeypoints()) {
      return linear(keypoints(sub, conv(x, "enc.kp", 1)), "enc.fc").reshape(-1, config.codeDim());
    }
    x = convRelu(x, "enc.c3", 2);
    if (config.encoderPooling()) {
      x = convRelu(x, "enc.c4", 1);
      Shape sh = x.getShape();
      x = x.reshape(sh.get(0), sh.get(1), -1);
      x = x.mean(new int[] {2}).concat(x.max(new int[] {2}), 1); // (B, 2 w2)
    } else {
      x = x.reshape(x.getShape().get(0), -1);
    }
    x = linear(x, "enc.fc");
    return x.reshape(-1, config.codeDim());
  }

  /**
   * Spatial soft-argmax: per channel, a softmax over the positions of {@code x} (B, C, H, W) and
   * the expected image coordinates under it, in [-1, 1]; returns (B, 2C) = all x coordinates, then
   * all y coordinates.
   */
  private static NDArray keypoints(NDManager sub, NDArray x) {
    Shape sh = x.getShape();
    int h = (int) sh.get(2);
    int w = (int) sh.get(3);
    float[] gx = new float[h * w];
    float[] gy = new float[h * w];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        gx[i * w + j] = -1f + 2f * (j + 0.5f) / w;
        gy[i * w + j] = -1f + 2f * (i + 0.5f) / h;
      }
    }
    NDArray p = x.reshape(sh.get(0), sh.get(1), (long) h * w).softmax(2);
    NDArray ex = p.mul(sub.create(gx)).sum(new int[] {2});
    NDArray ey = p.mul(sub.create(gy)).sum(new int[] {2});
    return ex.concat(ey, 1);
  }

  private NDArray decoder(NDManager sub, NDArray frameT, NDArray zq, int batch) {
    if (config.localDecoder()) {
      return localDecoder(frameT, zq, batch);
    }
    int w2 = config.widths()[2];
    int s = config.bottleneckSidePx();
    NDArray c1 = convRelu(frameT, "ctx.c1", 2); // w0 x S/2
    NDArray c2 = convRelu(c1, "ctx.c2", 2); // w1 x S/4
    NDArray c3 = convRelu(c2, "ctx.c3", 2); // w2 x S/8
    NDArray z = zq.reshape(batch, (long) config.tokens() * config.codeDim());
    NDArray tok = linear(z, "dec.tok");
    NDArray x = gate(c3, z, "dec.g3", batch).add(tok.reshape(batch, w2, s, s));
    x = convRelu(x, "dec.c3", 1);
    // the tokens again, broadcast over space as per-channel offsets at every finer scale
    x = gate(upsample(x), z, "dec.g2", batch).add(linear(z, "dec.t2").reshape(batch, -1, 1, 1));
    x = convRelu(x, "dec.c2", 1).add(c2);
    if (config.shiftRadius() > 0) {
      x = x.add(convRelu(c2.concat(softShift(sub, c2, z, batch), 1), "dec.m2", 1));
    }
    x = gate(upsample(x), z, "dec.g1", batch).add(linear(z, "dec.t1").reshape(batch, -1, 1, 1));
    x = convRelu(x, "dec.c1", 1).add(c1);
    x = gate(upsample(x), z, "dec.g0", batch).add(linear(z, "dec.t0").reshape(batch, -1, 1, 1));
    NDArray residual = conv(x, "dec.out", 1);
    return frameT.add(residual);
  }

  /**
   * Moves feature map {@code f} (B, C, H, W) of each pair by a token-chosen distribution over the
   * (2r+1)^2 displacements: a per-pair depthwise convolution whose kernel is the softmax of a
   * linear map of the tokens.
   */
  private NDArray softShift(NDManager sub, NDArray f, NDArray z, int batch) {
    int r = config.shiftRadius();
    int k = 2 * r + 1;
    Shape fs = f.getShape();
    long c = fs.get(1);
    NDArray alpha = linear(z, "dec.shift").softmax(1); // (B, k*k)
    NDArray kernel =
        alpha.reshape(batch, 1, 1, k, k).broadcast(batch, c, 1, k, k).reshape(batch * c, 1, k, k);
    NDArray bias = sub.zeros(new Shape(batch * c));
    NDArray in = f.reshape(1, batch * c, fs.get(2), fs.get(3));
    NDArray out =
        in.getNDArrayInternal()
            .convolution(
                in,
                kernel,
                bias,
                new Shape(1, 1),
                new Shape(r, r),
                new Shape(1, 1),
                (int) (batch * c))
            .singletonOrThrow();
    return out.reshape(fs);
  }

  /** {@code x * (1 + g(z))} per channel when token gating is on, else {@code x}. */
  private NDArray gate(NDArray x, NDArray z, String name, int batch) {
    if (!config.tokenGating()) {
      return x;
    }
    return x.mul(linear(z, name).reshape(batch, -1, 1, 1).add(1f));
  }

  private NDArray localDecoder(NDArray frameT, NDArray zq, int batch) {
    NDArray c1 = convRelu(frameT, "ctx.c1", 2); // w0 x S/2
    NDArray c2 = convRelu(c1, "ctx.c2", 2); // w1 x S/4
    NDArray z = zq.reshape(batch, (long) config.tokens() * config.codeDim());
    NDArray x = c2.add(linear(z, "dec.t2").reshape(batch, -1, 1, 1));
    x = convRelu(x, "dec.c2", 1).add(c2);
    x = upsample(x).add(linear(z, "dec.t1").reshape(batch, -1, 1, 1));
    x = convRelu(x, "dec.c1", 1).add(c1);
    x = upsample(x).add(linear(z, "dec.t0").reshape(batch, -1, 1, 1));
    return frameT.add(conv(x, "dec.out", 1));
  }

  private static NDArray upsample(NDArray x) {
    // nearest-neighbour x2: view as (B, C, H, 1, W, 1), broadcast to (B, C, H, 2, W, 2), fold back
    Shape s = x.getShape();
    long b = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(b, c, h, 1, w, 1).broadcast(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w);
  }

  private NDArray conv(NDArray x, String name, int stride) {
    NDList out =
        x.getNDArrayInternal()
            .convolution(
                x,
                params.get(name + ".w"),
                params.get(name + ".b"),
                new Shape(stride, stride),
                new Shape(1, 1),
                new Shape(1, 1),
                1);
    return out.singletonOrThrow();
  }

  private NDArray convRelu(NDArray x, String name, int stride) {
    return GraphConstants.atLeast(conv(x, name, stride), 0f);
  }

  private NDArray linear(NDArray x, String name) {
    return x.getNDArrayInternal()
        .linear(x, params.get(name + ".w"), params.get(name + ".b"))
        .singletonOrThrow();
  }

  private NDArray nearestCode(NDManager sub, NDArray ze) {
    NDArray cb = tmp(sub, params.get("vq.codebook").stopGradient());
    NDArray cbNorm = tmp(sub, cb.square().sum(new int[] {1}));
    NDArray dist =
        ze.square()
            .sum(new int[] {1}, true)
            .sub(ze.matMul(tmp(sub, cb.transpose())).mul(2f))
            .add(cbNorm);
    return dist.argMin(1);
  }

  private NDArray oneHot(NDManager sub, int[] tokens) {
    NDArray idx = sub.create(tokens);
    return idx.oneHot(config.codebookSize()).toType(DataType.FLOAT32, false);
  }

  private static NDArray tmp(NDManager sub, NDArray x) {
    x.attach(sub);
    return x;
  }

  private NDArray toTensor(NDManager sub, List<Frame> frames, String what) {
    int s = config.inputSizePx();
    int plane = s * s;
    float[] data = new float[frames.size() * 3 * plane];
    for (int n = 0; n < frames.size(); n++) {
      Frame f = frames.get(n);
      if (f == null) {
        throw new IllegalArgumentException(what + "[" + n + "] is null");
      }
      if (f.widthPx() != s || f.heightPx() != s) {
        throw new IllegalArgumentException(
            what
                + "["
                + n
                + "] is "
                + f.widthPx()
                + "x"
                + f.heightPx()
                + " but the model takes "
                + s
                + "x"
                + s
                + " frames; resize before calling");
      }
      byte[] rgb = f.rgbUnsafe();
      int base = n * 3 * plane;
      for (int i = 0; i < plane; i++) {
        data[base + i] = (rgb[3 * i] & 0xFF) / 255f;
        data[base + plane + i] = (rgb[3 * i + 1] & 0xFF) / 255f;
        data[base + 2 * plane + i] = (rgb[3 * i + 2] & 0xFF) / 255f;
      }
    }
    return sub.create(data, new Shape(frames.size(), 3, s, s));
  }

  private void checkTokens(int[] tokens) {
    if (tokens == null || tokens.length != config.tokens()) {
      throw new IllegalArgumentException(
          "expected "
              + config.tokens()
              + " tokens, got "
              + (tokens == null ? "null" : tokens.length));
    }
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= config.codebookSize()) {
        throw new IllegalArgumentException(
            "token "
                + i
                + " is "
                + tokens[i]
                + ", outside the codebook [0, "
                + config.codebookSize()
                + ")");
      }
    }
  }

  // ------------------------------------------------------------------ parameters

  private List<ParamSpec> specs() {
    int[] w = config.widths();
    int s = config.bottleneckSidePx();
    int td = config.tokens() * config.codeDim();
    int c = config.channels();
    List<ParamSpec> l = new ArrayList<>();
    convSpec(l, "enc.c1", w[0], (config.differenceInput() ? 3 : 2) * c, 1f);
    convSpec(l, "enc.c2", w[1], w[0], 1f);
    if (config.encoderKeypoints()) {
      convSpec(l, "enc.kp", w[1], w[1], 1f);
      l.add(
          new ParamSpec("enc.fc.w", new Shape(td, 2L * w[1]), (float) Math.sqrt(1.0 / (2 * w[1]))));
    } else {
      convSpec(l, "enc.c3", w[2], w[1], 1f);
    }
    if (config.encoderKeypoints()) {
      // the projection is already in place
    } else if (config.encoderPooling()) {
      convSpec(l, "enc.c4", w[2], w[2], 1f);
      l.add(
          new ParamSpec("enc.fc.w", new Shape(td, 2L * w[2]), (float) Math.sqrt(1.0 / (2 * w[2]))));
    } else {
      l.add(
          new ParamSpec(
              "enc.fc.w",
              new Shape(td, (long) w[2] * s * s),
              (float) Math.sqrt(1.0 / (w[2] * s * s))));
    }
    l.add(new ParamSpec("enc.fc.b", new Shape(td), 0f));
    l.add(new ParamSpec("vq.codebook", new Shape(config.codebookSize(), config.codeDim()), 1f));
    convSpec(l, "ctx.c1", w[0], c, 1f);
    convSpec(l, "ctx.c2", w[1], w[0], 1f);
    if (config.localDecoder()) {
      l.add(new ParamSpec("dec.t2.w", new Shape(w[1], td), (float) Math.sqrt(1.0 / td)));
      l.add(new ParamSpec("dec.t2.b", new Shape(w[1]), 0f));
      l.add(new ParamSpec("dec.t1.w", new Shape(w[1], td), (float) Math.sqrt(1.0 / td)));
      l.add(new ParamSpec("dec.t1.b", new Shape(w[1]), 0f));
      l.add(new ParamSpec("dec.t0.w", new Shape(w[0], td), (float) Math.sqrt(1.0 / td)));
      l.add(new ParamSpec("dec.t0.b", new Shape(w[0]), 0f));
      convSpec(l, "dec.c2", w[1], w[1], 1f);
      convSpec(l, "dec.c1", w[0], w[1], 1f);
      convSpec(l, "dec.out", c, w[0], 0.1f);
      return l;
    }
    convSpec(l, "ctx.c3", w[2], w[1], 1f);
    l.add(
        new ParamSpec(
            "dec.tok.w", new Shape((long) w[2] * s * s, td), (float) Math.sqrt(1.0 / td)));
    l.add(new ParamSpec("dec.tok.b", new Shape((long) w[2] * s * s), 0f));
    l.add(new ParamSpec("dec.t2.w", new Shape(w[2], td), (float) Math.sqrt(1.0 / td)));
    l.add(new ParamSpec("dec.t2.b", new Shape(w[2]), 0f));
    l.add(new ParamSpec("dec.t1.w", new Shape(w[1], td), (float) Math.sqrt(1.0 / td)));
    l.add(new ParamSpec("dec.t1.b", new Shape(w[1]), 0f));
    l.add(new ParamSpec("dec.t0.w", new Shape(w[0], td), (float) Math.sqrt(1.0 / td)));
    l.add(new ParamSpec("dec.t0.b", new Shape(w[0]), 0f));
    convSpec(l, "dec.c3", w[2], w[2], 1f);
    convSpec(l, "dec.c2", w[1], w[2], 1f);
    convSpec(l, "dec.c1", w[0], w[1], 1f);
    convSpec(l, "dec.out", c, w[0], 0.1f);
    if (config.tokenGating()) {
      float g = 0.1f * (float) Math.sqrt(1.0 / td);
      l.add(new ParamSpec("dec.g3.w", new Shape(w[2], td), g));
      l.add(new ParamSpec("dec.g3.b", new Shape(w[2]), 0f));
      l.add(new ParamSpec("dec.g2.w", new Shape(w[2], td), g));
      l.add(new ParamSpec("dec.g2.b", new Shape(w[2]), 0f));
      l.add(new ParamSpec("dec.g1.w", new Shape(w[1], td), g));
      l.add(new ParamSpec("dec.g1.b", new Shape(w[1]), 0f));
      l.add(new ParamSpec("dec.g0.w", new Shape(w[0], td), g));
      l.add(new ParamSpec("dec.g0.b", new Shape(w[0]), 0f));
    }
    if (config.shiftRadius() > 0) {
      int k = 2 * config.shiftRadius() + 1;
      l.add(new ParamSpec("dec.shift.w", new Shape((long) k * k, td), (float) Math.sqrt(1.0 / td)));
      l.add(new ParamSpec("dec.shift.b", new Shape((long) k * k), 0f));
      convSpec(l, "dec.m2", w[1], 2 * w[1], 1f);
    }
    return l;
  }

  private static void convSpec(List<ParamSpec> l, String name, int out, int in, float gain) {
    l.add(
        new ParamSpec(
            name + ".w", new Shape(out, in, 3, 3), gain * (float) Math.sqrt(2.0 / (in * 9))));
    l.add(new ParamSpec(name + ".b", new Shape(out), 0f));
  }

  private record ParamSpec(String name, Shape shape, float std) {}

  private void initParameters() {
    Random rnd = new Random(config.seed());
    for (ParamSpec spec : specs()) {
      float[] data = new float[(int) spec.shape().size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) (rnd.nextGaussian() * spec.std());
      }
      addParam(spec, data);
    }
  }

  private void addParam(ParamSpec spec, float[] data) {
    NDArray p = manager.create(data, spec.shape());
    p.setRequiresGradient(true);
    params.put(spec.name(), p);
    adamM.put(spec.name(), manager.zeros(spec.shape()));
    adamV.put(spec.name(), manager.zeros(spec.shape()));
  }

  // ------------------------------------------------------------------ persistence

  /**
   * Writes the configuration ({@code config.properties}), the weights, codebook, Adam moments, step
   * count and dead-code state ({@code weights.bin}, raw float bits) into {@code dir}, created if
   * needed. {@link #load} restores them bit-exactly.
   */
  public void save(Path dir) throws IOException {
    ensureOpen();
    Files.createDirectories(dir);
    try (Writer w = Files.newBufferedWriter(dir.resolve(CONFIG_FILE), StandardCharsets.UTF_8)) {
      config.store(w);
    }
    Path tmpFile = dir.resolve(WEIGHTS_FILE + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmpFile)))) {
      out.writeInt(WEIGHTS_MAGIC);
      out.writeLong(step);
      for (long u : usageInWindow) {
        out.writeLong(u);
      }
      out.writeInt(params.size());
      for (String name : params.keySet()) {
        out.writeUTF(name);
        writeArray(out, params.get(name));
        writeArray(out, adamM.get(name));
        writeArray(out, adamV.get(name));
      }
    }
    Files.move(
        tmpFile,
        dir.resolve(WEIGHTS_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
    float[] data = a.toFloatArray();
    out.writeInt(data.length);
    for (float f : data) {
      out.writeInt(Float.floatToRawIntBits(f));
    }
  }

  private void readState(DataInputStream in) throws IOException {
    if (in.readInt() != WEIGHTS_MAGIC) {
      throw new IOException("not a Mantis latent action weights file");
    }
    step = in.readLong();
    for (int k = 0; k < usageInWindow.length; k++) {
      usageInWindow[k] = in.readLong();
    }
    List<ParamSpec> specs = specs();
    int n = in.readInt();
    if (n != specs.size()) {
      throw new IOException(
          "weights file has " + n + " parameters, the configuration needs " + specs.size());
    }
    for (ParamSpec spec : specs) {
      String name = in.readUTF();
      if (!name.equals(spec.name())) {
        throw new IOException(
            "weights file has parameter '" + name + "' where '" + spec.name() + "' was expected");
      }
      float[] p = readArray(in, spec);
      float[] m = readArray(in, spec);
      float[] v = readArray(in, spec);
      addParam(spec, p);
      adamM.get(name).set(m);
      adamV.get(name).set(v);
    }
  }

  private static float[] readArray(DataInputStream in, ParamSpec spec) throws IOException {
    int len = in.readInt();
    if (len != spec.shape().size()) {
      throw new IOException(
          "parameter '"
              + spec.name()
              + "' has "
              + len
              + " values, expected "
              + spec.shape().size()
              + " for shape "
              + spec.shape());
    }
    float[] data = new float[len];
    for (int i = 0; i < len; i++) {
      data[i] = Float.intBitsToFloat(in.readInt());
    }
    return data;
  }

  // ------------------------------------------------------------------ cost

  /**
   * Floating-point operations (multiply and add counted separately) to encode and quantise one
   * pair.
   */
  public static long encodeFlopsPerPair(LatentActionConfig c) {
    int[] w = c.widths();
    long s = c.inputSizePx();
    long f = 0;
    f += (c.differenceInput() ? 3L * c.channels() * s * s : 0); // frame t+H minus frame t
    f += convFlops((c.differenceInput() ? 3L : 2L) * c.channels(), w[0], s / 2);
    f += convFlops(w[0], w[1], s / 4);
    long td = (long) c.tokens() * c.codeDim();
    if (c.encoderKeypoints()) {
      f += convFlops(w[1], w[1], s / 4) + 6L * w[1] * (s / 4) * (s / 4) + 2L * td * 2 * w[1];
      f += 3L * c.tokens() * c.codebookSize() * c.codeDim();
      return f;
    }
    f += convFlops(w[1], w[2], s / 8);
    if (c.encoderPooling()) {
      f += convFlops(w[2], w[2], s / 8) + 2L * w[2] * (s / 8) * (s / 8) + 2L * td * 2 * w[2];
    } else {
      f += 2L * td * w[2] * (s / 8) * (s / 8);
    }
    f += 3L * c.tokens() * c.codebookSize() * c.codeDim(); // distances
    return f;
  }

  /** Floating-point operations to rebuild frame t+H from frame t and the tokens (one pair). */
  public static long decodeFlopsPerPair(LatentActionConfig c) {
    int[] w = c.widths();
    long s = c.inputSizePx();
    long f = 0;
    f += convFlops(c.channels(), w[0], s / 2);
    f += convFlops(w[0], w[1], s / 4);
    if (c.localDecoder()) {
      f += 2L * c.tokens() * c.codeDim() * (w[0] + 2L * w[1]); // per-scale token offsets
      f += convFlops(w[1], w[1], s / 4);
      f += convFlops(w[1], w[0], s / 2);
      f += convFlops(w[0], c.channels(), s);
      return f;
    }
    f += convFlops(w[1], w[2], s / 8);
    f += 2L * c.tokens() * c.codeDim() * w[2] * (s / 8) * (s / 8);
    f += 2L * c.tokens() * c.codeDim() * (w[0] + w[1] + w[2]); // per-scale token offsets
    f += convFlops(w[2], w[2], s / 8);
    f += convFlops(w[2], w[1], s / 4);
    f += convFlops(w[1], w[0], s / 2);
    f += convFlops(w[0], c.channels(), s);
    if (c.tokenGating()) {
      f += 2L * c.tokens() * c.codeDim() * (2L * w[2] + w[1] + w[0]); // gates
      f +=
          (long) w[2] * (s / 8) * (s / 8)
              + (long) w[2] * (s / 4) * (s / 4)
              + (long) w[1] * (s / 2) * (s / 2)
              + (long) w[0] * s * s;
    }
    if (c.shiftRadius() > 0) {
      long k = 2L * c.shiftRadius() + 1;
      f += 2L * c.tokens() * c.codeDim() * k * k; // shift logits
      f += 2L * w[1] * k * k * (s / 4) * (s / 4); // per-pair depthwise shift
      f += convFlops(2L * w[1], w[1], s / 4);
    }
    return f;
  }

  private static long convFlops(long in, long out, long outSide) {
    return 2L * in * 9 * out * outSide * outSide;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("latent action model is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }
}
