package mantis.latent;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.Arrays;
import java.util.Properties;

/**
 * Immutable configuration of a {@link LatentActionModel}: input size, token count, codebook, layer
 * widths, loss weights, dead-code replacement and the seed. Build with {@link #builder()}; {@code
 * build()} refuses a bad configuration with a message naming the field and the allowed range.
 */
public final class LatentActionConfig {

  private final int inputSizePx;
  private final int channels;
  private final int tokens;
  private final int codebookSize;
  private final int codeDim;
  private final int[] widths;
  private final float commitmentWeight;
  private final float learningRate;
  private final int deadCodeWindowSteps;
  private final int deadCodeMinUses;
  private final long seed;
  private final float motionWeight;
  private final float motionThreshold;
  private final boolean differenceInput;
  private final float codebookLearningRateScale;
  private final boolean encoderPooling;
  private final float reverseFraction;
  private final boolean localDecoder;
  private final int shiftRadius;
  private final boolean tokenGating;
  private final boolean noiseSubstitution;
  private final boolean encoderKeypoints;

  private LatentActionConfig(Builder b) {
    this.inputSizePx = b.inputSizePx;
    this.channels = b.channels;
    this.tokens = b.tokens;
    this.codebookSize = b.codebookSize;
    this.codeDim = b.codeDim;
    this.widths = b.widths.clone();
    this.commitmentWeight = b.commitmentWeight;
    this.learningRate = b.learningRate;
    this.deadCodeWindowSteps = b.deadCodeWindowSteps;
    this.deadCodeMinUses = b.deadCodeMinUses;
    this.seed = b.seed;
    this.motionWeight = b.motionWeight;
    this.motionThreshold = b.motionThreshold;
    this.differenceInput = b.differenceInput;
    this.codebookLearningRateScale = b.codebookLearningRateScale;
    this.encoderPooling = b.encoderPooling;
    this.reverseFraction = b.reverseFraction;
    this.localDecoder = b.localDecoder;
    this.shiftRadius = b.shiftRadius;
    this.tokenGating = b.tokenGating;
    this.noiseSubstitution = b.noiseSubstitution;
    this.encoderKeypoints = b.encoderKeypoints;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .optInputSizePx(inputSizePx)
        .optChannels(channels)
        .optTokens(tokens)
        .optCodebookSize(codebookSize)
        .optCodeDim(codeDim)
        .optWidths(widths)
        .optCommitmentWeight(commitmentWeight)
        .optLearningRate(learningRate)
        .optDeadCodeWindowSteps(deadCodeWindowSteps)
        .optDeadCodeMinUses(deadCodeMinUses)
        .optSeed(seed)
        .optMotionWeight(motionWeight)
        .optMotionThreshold(motionThreshold)
        .optDifferenceInput(differenceInput)
        .optCodebookLearningRateScale(codebookLearningRateScale)
        .optEncoderPooling(encoderPooling)
        .optReverseFraction(reverseFraction)
        .optLocalDecoder(localDecoder)
        .optShiftRadius(shiftRadius)
        .optTokenGating(tokenGating)
        .optNoiseSubstitution(noiseSubstitution)
        .optEncoderKeypoints(encoderKeypoints);
  }

  /** Side of the square input frames, pixels (frames are {@code inputSizePx x inputSizePx}). */
  public int inputSizePx() {
    return inputSizePx;
  }

  /** Channels per frame (3: RGB). */
  public int channels() {
    return channels;
  }

  /** Latent tokens per frame pair. */
  public int tokens() {
    return tokens;
  }

  /** Entries in the codebook; every token is in {@code [0, codebookSize)}. */
  public int codebookSize() {
    return codebookSize;
  }

  /** Dimension of one codebook entry. */
  public int codeDim() {
    return codeDim;
  }

  /** Channel widths of the three stride-2 convolution stages (encoder and decoder). */
  public int[] widths() {
    return widths.clone();
  }

  /** Weight of the commitment loss (beta in VQ-VAE). */
  public float commitmentWeight() {
    return commitmentWeight;
  }

  /** Adam learning rate. */
  public float learningRate() {
    return learningRate;
  }

  /**
   * A code used fewer than {@link #deadCodeMinUses()} times over this many training steps is
   * replaced.
   */
  public int deadCodeWindowSteps() {
    return deadCodeWindowSteps;
  }

  /** Minimum uses over the window for a code to count as alive; 0 disables replacement. */
  public int deadCodeMinUses() {
    return deadCodeMinUses;
  }

  /** Seed of the initial weights and of the dead-code replacement draws. */
  public long seed() {
    return seed;
  }

  /**
   * Extra reconstruction-loss weight on moving pixels: a pixel whose largest channel change between
   * frame t and frame t+H exceeds {@link #motionThreshold()} counts {@code 1 + motionWeight} times
   * (0 = plain MSE). Moving pixels are a few percent of a frame but carry all of the action.
   */
  public float motionWeight() {
    return motionWeight;
  }

  /**
   * Change (in [0, 1] intensity) above which a pixel counts as moving, for the loss and the
   * metrics.
   */
  public float motionThreshold() {
    return motionThreshold;
  }

  /** Whether the encoder also sees frame t+H minus frame t as three extra input channels. */
  public boolean differenceInput() {
    return differenceInput;
  }

  /**
   * Whether the encoder pools its last feature map over space (mean and max after one more 3x3
   * convolution) before the token projection, instead of flattening it: the tokens then describe
   * what moved and how, not where, and the decoder finds the where in frame t.
   */
  public boolean encoderPooling() {
    return encoderPooling;
  }

  /**
   * Fraction of each training batch whose pairs are played backwards (frame t+H as the start, frame
   * t as the target), drawn from the seed and the step. Scripted motion is largely predictable from
   * frame t alone (the arm heads for the object), so without this the decoder needs little from the
   * tokens; a reversed pair can only be rebuilt if the tokens say which way things moved.
   */
  public float reverseFraction() {
    return reverseFraction;
  }

  /**
   * Whether the decoder is local: frame t is seen through two stride-2 stages only (a receptive
   * field of about 20 pixels at 64 x 64, so it cannot relate the effector to a far-away object and
   * guess the motion) and the tokens enter only as per-channel offsets broadcast over space, never
   * as a spatial map: the tokens must say how things move, and the decoder applies that everywhere.
   */
  public boolean localDecoder() {
    return localDecoder;
  }

  /**
   * Radius, in cells of the decoder's S/4 feature map, of its token-driven soft shift (0 = none).
   * With radius r the tokens choose a distribution over the (2r+1)^2 displacements; the frame-t
   * features at S/4 are moved by it (a per-pair convolution) and the decoder sees them next to the
   * unmoved ones. Moving content is then one operation for the decoder instead of something its
   * convolutions must learn, so the tokens pay off by saying where things go. At 64 x 64, r = 4
   * covers +-16 pixels.
   */
  public int shiftRadius() {
    return shiftRadius;
  }

  /**
   * Whether the tokens also scale the decoder's feature maps per channel (FiLM: {@code x * (1 +
   * g(z)) + b(z)}) at every scale, not only shift them, so that "this kind of feature, if the
   * tokens say so" is one operation.
   */
  public boolean tokenGating() {
    return tokenGating;
  }

  /**
   * Whether training uses LAPA's noise-substitution VQ (NSVQ) instead of the straight-through
   * estimator: the decoder gets the encoder output plus noise of the quantisation error's size in a
   * random direction, and the loss is the reconstruction alone (no codebook or commitment term).
   * Inference always quantises.
   */
  public boolean noiseSubstitution() {
    return noiseSubstitution;
  }

  /**
   * Whether the encoder ends in a spatial soft-argmax over its S/4 feature map instead of a
   * flattened S/8 map: each channel becomes the expected (x, y) of its activation, so where things
   * are in frame t and frame t+H, and hence how far they moved, is linear in the features the
   * tokens are projected from.
   */
  public boolean encoderKeypoints() {
    return encoderKeypoints;
  }

  /** The codebook's learning rate relative to {@link #learningRate()}. */
  public float codebookLearningRateScale() {
    return codebookLearningRateScale;
  }

  /** Spatial side after the three stride-2 stages. */
  int bottleneckSidePx() {
    return inputSizePx / 8;
  }

  /** Writes this configuration as a properties file ({@link #read} reads it back). */
  public void store(Writer out) throws IOException {
    toProperties().store(out, "Mantis latent action model configuration");
  }

  /**
   * This configuration as properties, one key per builder option (the keys {@link #fromProperties}
   * reads).
   */
  public Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("format", "mantis-latent-config-1");
    p.setProperty("inputSizePx", Integer.toString(inputSizePx));
    p.setProperty("channels", Integer.toString(channels));
    p.setProperty("tokens", Integer.toString(tokens));
    p.setProperty("codebookSize", Integer.toString(codebookSize));
    p.setProperty("codeDim", Integer.toString(codeDim));
    p.setProperty("widths", widths[0] + "," + widths[1] + "," + widths[2]);
    p.setProperty("commitmentWeight", Float.toString(commitmentWeight));
    p.setProperty("learningRate", Float.toString(learningRate));
    p.setProperty("deadCodeWindowSteps", Integer.toString(deadCodeWindowSteps));
    p.setProperty("deadCodeMinUses", Integer.toString(deadCodeMinUses));
    p.setProperty("seed", Long.toString(seed));
    p.setProperty("motionWeight", Float.toString(motionWeight));
    p.setProperty("motionThreshold", Float.toString(motionThreshold));
    p.setProperty("differenceInput", Boolean.toString(differenceInput));
    p.setProperty("codebookLearningRateScale", Float.toString(codebookLearningRateScale));
    p.setProperty("encoderPooling", Boolean.toString(encoderPooling));
    p.setProperty("reverseFraction", Float.toString(reverseFraction));
    p.setProperty("localDecoder", Boolean.toString(localDecoder));
    p.setProperty("shiftRadius", Integer.toString(shiftRadius));
    p.setProperty("tokenGating", Boolean.toString(tokenGating));
    p.setProperty("noiseSubstitution", Boolean.toString(noiseSubstitution));
    p.setProperty("encoderKeypoints", Boolean.toString(encoderKeypoints));
    return p;
  }

  /** Reads a configuration written by {@link #store}. */
  public static LatentActionConfig read(Reader in) throws IOException {
    Properties p = new Properties();
    p.load(in);
    return fromProperties(p);
  }

  /**
   * A configuration from properties as written by {@link #toProperties}; unknown keys and bad
   * values are refused with an {@link IOException} naming them.
   */
  public static LatentActionConfig fromProperties(Properties p) throws IOException {
    for (String key : p.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        throw new IOException(
            "unknown latent action config key '" + key + "' (known: " + KEYS + ")");
      }
    }
    if (!"mantis-latent-config-1".equals(p.getProperty("format"))) {
      throw new IOException(
          "not a Mantis latent action config (format=" + p.getProperty("format") + ")");
    }
    try {
      String[] w = required(p, "widths").split(",");
      int[] widths = new int[w.length];
      for (int i = 0; i < w.length; i++) {
        widths[i] = Integer.parseInt(w[i].trim());
      }
      return builder()
          .optInputSizePx(Integer.parseInt(required(p, "inputSizePx")))
          .optChannels(Integer.parseInt(required(p, "channels")))
          .optTokens(Integer.parseInt(required(p, "tokens")))
          .optCodebookSize(Integer.parseInt(required(p, "codebookSize")))
          .optCodeDim(Integer.parseInt(required(p, "codeDim")))
          .optWidths(widths)
          .optCommitmentWeight(Float.parseFloat(required(p, "commitmentWeight")))
          .optLearningRate(Float.parseFloat(required(p, "learningRate")))
          .optDeadCodeWindowSteps(Integer.parseInt(required(p, "deadCodeWindowSteps")))
          .optDeadCodeMinUses(Integer.parseInt(required(p, "deadCodeMinUses")))
          .optSeed(Long.parseLong(required(p, "seed")))
          .optMotionWeight(Float.parseFloat(p.getProperty("motionWeight", "0")))
          .optMotionThreshold(Float.parseFloat(p.getProperty("motionThreshold", "0.1")))
          .optDifferenceInput(
              parseBoolean("differenceInput", p.getProperty("differenceInput", "false")))
          .optEncoderPooling(
              parseBoolean("encoderPooling", p.getProperty("encoderPooling", "false")))
          .optReverseFraction(Float.parseFloat(p.getProperty("reverseFraction", "0")))
          .optLocalDecoder(parseBoolean("localDecoder", p.getProperty("localDecoder", "false")))
          .optShiftRadius(Integer.parseInt(p.getProperty("shiftRadius", "0")))
          .optTokenGating(parseBoolean("tokenGating", p.getProperty("tokenGating", "false")))
          .optNoiseSubstitution(
              parseBoolean("noiseSubstitution", p.getProperty("noiseSubstitution", "false")))
          .optEncoderKeypoints(
              parseBoolean("encoderKeypoints", p.getProperty("encoderKeypoints", "false")))
          .optCodebookLearningRateScale(
              Float.parseFloat(p.getProperty("codebookLearningRateScale", "1")))
          .build();
    } catch (IllegalArgumentException e) {
      throw new IOException("bad latent action config: " + e.getMessage(), e);
    }
  }

  private static final java.util.Set<String> KEYS =
      java.util.Set.of(
          "format",
          "inputSizePx",
          "channels",
          "tokens",
          "codebookSize",
          "codeDim",
          "widths",
          "commitmentWeight",
          "learningRate",
          "deadCodeWindowSteps",
          "deadCodeMinUses",
          "seed",
          "motionWeight",
          "motionThreshold",
          "differenceInput",
          "codebookLearningRateScale",
          "encoderPooling",
          "reverseFraction",
          "localDecoder",
          "shiftRadius",
          "tokenGating",
          "noiseSubstitution",
          "encoderKeypoints");

  private static boolean parseBoolean(String key, String v) {
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  private static String required(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException("latent action config lacks key '" + key + "'");
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LatentActionConfig c)) {
      return false;
    }
    return inputSizePx == c.inputSizePx
        && channels == c.channels
        && tokens == c.tokens
        && codebookSize == c.codebookSize
        && codeDim == c.codeDim
        && Arrays.equals(widths, c.widths)
        && Float.compare(commitmentWeight, c.commitmentWeight) == 0
        && Float.compare(learningRate, c.learningRate) == 0
        && deadCodeWindowSteps == c.deadCodeWindowSteps
        && deadCodeMinUses == c.deadCodeMinUses
        && seed == c.seed
        && Float.compare(motionWeight, c.motionWeight) == 0
        && Float.compare(motionThreshold, c.motionThreshold) == 0
        && differenceInput == c.differenceInput
        && Float.compare(codebookLearningRateScale, c.codebookLearningRateScale) == 0
        && encoderPooling == c.encoderPooling
        && Float.compare(reverseFraction, c.reverseFraction) == 0
        && localDecoder == c.localDecoder
        && shiftRadius == c.shiftRadius
        && tokenGating == c.tokenGating
        && noiseSubstitution == c.noiseSubstitution
        && encoderKeypoints == c.encoderKeypoints;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(
        new long[] {
          inputSizePx,
          channels,
          tokens,
          codebookSize,
          codeDim,
          Arrays.hashCode(widths),
          Float.floatToIntBits(commitmentWeight),
          Float.floatToIntBits(learningRate),
          deadCodeWindowSteps,
          deadCodeMinUses,
          seed,
          Float.floatToIntBits(motionWeight),
          Float.floatToIntBits(motionThreshold),
          differenceInput ? 1 : 0,
          Float.floatToIntBits(codebookLearningRateScale),
          encoderPooling ? 1 : 0,
          Float.floatToIntBits(reverseFraction),
          localDecoder ? 1 : 0,
          shiftRadius,
          tokenGating ? 1 : 0,
          noiseSubstitution ? 1 : 0,
          encoderKeypoints ? 1 : 0
        });
  }

  @Override
  public String toString() {
    return "LatentActionConfig{input="
        + inputSizePx
        + "x"
        + inputSizePx
        + "x"
        + channels
        + ", tokens="
        + tokens
        + ", codebook="
        + codebookSize
        + "x"
        + codeDim
        + ", widths="
        + Arrays.toString(widths)
        + ", beta="
        + commitmentWeight
        + ", lr="
        + learningRate
        + ", deadCode="
        + deadCodeMinUses
        + "/"
        + deadCodeWindowSteps
        + " steps, motionWeight="
        + motionWeight
        + "@"
        + motionThreshold
        + ", differenceInput="
        + differenceInput
        + ", codebookLrScale="
        + codebookLearningRateScale
        + ", encoderPooling="
        + encoderPooling
        + ", reverseFraction="
        + reverseFraction
        + ", localDecoder="
        + localDecoder
        + ", shiftRadius="
        + shiftRadius
        + ", tokenGating="
        + tokenGating
        + ", nsvq="
        + noiseSubstitution
        + ", keypoints="
        + encoderKeypoints
        + ", seed="
        + seed
        + "}";
  }

  /**
   * Builder; every field is optional and defaults to the issue's setting (64x64 RGB, 4 tokens, 8
   * codes).
   */
  public static final class Builder {
    private int inputSizePx = 64;
    private int channels = 3;
    private int tokens = 4;
    private int codebookSize = 8;
    private int codeDim = 16;
    private int[] widths = {16, 32, 64};
    private float commitmentWeight = 0.25f;
    private float learningRate = 1e-3f;
    private int deadCodeWindowSteps = 20;
    private int deadCodeMinUses = 1;
    private long seed = 0;
    private float motionWeight = 0f;
    private float motionThreshold = 0.1f;
    private boolean differenceInput = false;
    private float codebookLearningRateScale = 1f;
    private boolean encoderPooling = false;
    private float reverseFraction = 0f;
    private boolean localDecoder = false;
    private int shiftRadius = 0;
    private boolean tokenGating = false;
    private boolean noiseSubstitution = false;
    private boolean encoderKeypoints = false;

    private Builder() {}

    /** See {@link LatentActionConfig#encoderKeypoints()}. */
    public Builder optEncoderKeypoints(boolean encoderKeypoints) {
      this.encoderKeypoints = encoderKeypoints;
      return this;
    }

    /** See {@link LatentActionConfig#noiseSubstitution()}. */
    public Builder optNoiseSubstitution(boolean noiseSubstitution) {
      this.noiseSubstitution = noiseSubstitution;
      return this;
    }

    /** See {@link LatentActionConfig#tokenGating()}. */
    public Builder optTokenGating(boolean tokenGating) {
      this.tokenGating = tokenGating;
      return this;
    }

    /** See {@link LatentActionConfig#shiftRadius()}. */
    public Builder optShiftRadius(int shiftRadius) {
      this.shiftRadius = shiftRadius;
      return this;
    }

    /** See {@link LatentActionConfig#reverseFraction()}. */
    public Builder optReverseFraction(float reverseFraction) {
      this.reverseFraction = reverseFraction;
      return this;
    }

    /** See {@link LatentActionConfig#localDecoder()}. */
    public Builder optLocalDecoder(boolean localDecoder) {
      this.localDecoder = localDecoder;
      return this;
    }

    /** See {@link LatentActionConfig#encoderPooling()}. */
    public Builder optEncoderPooling(boolean encoderPooling) {
      this.encoderPooling = encoderPooling;
      return this;
    }

    /** See {@link LatentActionConfig#motionWeight()}. */
    public Builder optMotionWeight(float motionWeight) {
      this.motionWeight = motionWeight;
      return this;
    }

    /** See {@link LatentActionConfig#motionThreshold()}. */
    public Builder optMotionThreshold(float motionThreshold) {
      this.motionThreshold = motionThreshold;
      return this;
    }

    /** See {@link LatentActionConfig#differenceInput()}. */
    public Builder optDifferenceInput(boolean differenceInput) {
      this.differenceInput = differenceInput;
      return this;
    }

    /** See {@link LatentActionConfig#codebookLearningRateScale()}. */
    public Builder optCodebookLearningRateScale(float scale) {
      this.codebookLearningRateScale = scale;
      return this;
    }

    public Builder optInputSizePx(int inputSizePx) {
      this.inputSizePx = inputSizePx;
      return this;
    }

    public Builder optChannels(int channels) {
      this.channels = channels;
      return this;
    }

    public Builder optTokens(int tokens) {
      this.tokens = tokens;
      return this;
    }

    public Builder optCodebookSize(int codebookSize) {
      this.codebookSize = codebookSize;
      return this;
    }

    public Builder optCodeDim(int codeDim) {
      this.codeDim = codeDim;
      return this;
    }

    /** Widths of the three convolution stages, e.g. {@code 16, 32, 64}. */
    public Builder optWidths(int... widths) {
      if (widths == null) {
        throw new IllegalArgumentException("widths must not be null");
      }
      this.widths = widths.clone();
      return this;
    }

    public Builder optCommitmentWeight(float commitmentWeight) {
      this.commitmentWeight = commitmentWeight;
      return this;
    }

    public Builder optLearningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optDeadCodeWindowSteps(int deadCodeWindowSteps) {
      this.deadCodeWindowSteps = deadCodeWindowSteps;
      return this;
    }

    public Builder optDeadCodeMinUses(int deadCodeMinUses) {
      this.deadCodeMinUses = deadCodeMinUses;
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public LatentActionConfig build() {
      if (inputSizePx < 8 || inputSizePx > 512 || inputSizePx % 8 != 0) {
        throw new IllegalArgumentException(
            "inputSizePx must be a multiple of 8 in [8, 512] (three stride-2 stages), got "
                + inputSizePx);
      }
      if (channels < 1 || channels > 4) {
        throw new IllegalArgumentException("channels must be in [1, 4], got " + channels);
      }
      if (channels != 3) {
        throw new IllegalArgumentException(
            "channels must be 3 (frames are mantis.core.Frame RGB8), got " + channels);
      }
      if (tokens < 1 || tokens > 64) {
        throw new IllegalArgumentException("tokens must be in [1, 64], got " + tokens);
      }
      if (codebookSize < 2 || codebookSize > 4096) {
        throw new IllegalArgumentException(
            "codebookSize must be in [2, 4096], got " + codebookSize);
      }
      if (codeDim < 1 || codeDim > 1024) {
        throw new IllegalArgumentException("codeDim must be in [1, 1024], got " + codeDim);
      }
      if (widths.length != 3) {
        throw new IllegalArgumentException(
            "widths must name exactly 3 stage widths, got "
                + widths.length
                + ": "
                + Arrays.toString(widths));
      }
      for (int w : widths) {
        if (w < 1 || w > 1024) {
          throw new IllegalArgumentException(
              "every width must be in [1, 1024], got " + Arrays.toString(widths));
        }
      }
      if (!(commitmentWeight >= 0f) || !Float.isFinite(commitmentWeight)) {
        throw new IllegalArgumentException(
            "commitmentWeight must be finite and >= 0, got " + commitmentWeight);
      }
      if (!(learningRate > 0f) || !Float.isFinite(learningRate)) {
        throw new IllegalArgumentException(
            "learningRate must be finite and > 0, got " + learningRate);
      }
      if (deadCodeWindowSteps < 1) {
        throw new IllegalArgumentException(
            "deadCodeWindowSteps must be >= 1, got " + deadCodeWindowSteps);
      }
      if (deadCodeMinUses < 0) {
        throw new IllegalArgumentException(
            "deadCodeMinUses must be >= 0 (0 disables dead-code replacement), got "
                + deadCodeMinUses);
      }
      if (!(motionWeight >= 0f) || !Float.isFinite(motionWeight)) {
        throw new IllegalArgumentException(
            "motionWeight must be finite and >= 0, got " + motionWeight);
      }
      if (!(motionThreshold > 0f && motionThreshold < 1f)) {
        throw new IllegalArgumentException(
            "motionThreshold must be in (0, 1), got " + motionThreshold);
      }
      if (!(codebookLearningRateScale > 0f) || !Float.isFinite(codebookLearningRateScale)) {
        throw new IllegalArgumentException(
            "codebookLearningRateScale must be finite and > 0, got " + codebookLearningRateScale);
      }
      if (shiftRadius < 0 || shiftRadius > inputSizePx / 8) {
        throw new IllegalArgumentException(
            "shiftRadius must be in [0, inputSizePx / 8 = "
                + inputSizePx / 8
                + "] (cells of the S/4 map), got "
                + shiftRadius);
      }
      if (encoderKeypoints && encoderPooling) {
        throw new IllegalArgumentException(
            "encoderKeypoints and encoderPooling cannot be combined");
      }
      if (tokenGating && localDecoder) {
        throw new IllegalArgumentException("tokenGating and localDecoder cannot be combined");
      }
      if (shiftRadius > 0 && localDecoder) {
        throw new IllegalArgumentException("shiftRadius and localDecoder cannot be combined");
      }
      if (!(reverseFraction >= 0f && reverseFraction <= 1f)) {
        throw new IllegalArgumentException(
            "reverseFraction must be in [0, 1], got " + reverseFraction);
      }
      return new LatentActionConfig(this);
    }
  }
}
