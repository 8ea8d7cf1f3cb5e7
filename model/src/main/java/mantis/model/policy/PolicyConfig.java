package mantis.model.policy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes of the Mantis policy network. Immutable; {@link #defaults()} is the shipped architecture.
 *
 * @param inputSizePx square frame side the network reads (frames are resized to it)
 * @param patchPx side of the square image patches (must divide {@code inputSizePx})
 * @param width channels of the patch features and of the mark, word and pooled embeddings
 * @param hidden width of the trunk and of the action decoder
 * @param wordDim word embedding size
 * @param maxWords instruction words read (longer instructions are cut)
 * @param maxMarks marks read per frame (the largest by area are kept)
 * @param tokens latent action tokens per prediction
 * @param codebookSize entries of the latent action codebook
 * @param traceLength K: future positions of the grounded mark's trace
 * @param chunkLength H: joint targets per action chunk
 * @param chunkPeriodMs time between two chunk points (and two trace points)
 * @param joints joints of the arm the action decoder drives
 * @param seed weight initialisation seed
 * @param flowSteps action head: 0 regresses the chunk; &ge; 1 is a flow-matching head integrated in
 *     this many Euler steps (see {@link #withFlowSteps})
 * @param goalRelativeDecoder the action decoder also reads where the grounded object is from the
 *     effector and where the goal is from the object (see {@link #withGoalRelativeDecoder})
 */
public record PolicyConfig(
    int inputSizePx,
    int patchPx,
    int width,
    int hidden,
    int wordDim,
    int maxWords,
    int maxMarks,
    int tokens,
    int codebookSize,
    int traceLength,
    int chunkLength,
    int chunkPeriodMs,
    int joints,
    int seed,
    int flowSteps,
    boolean goalRelativeDecoder) {

  /** Architecture name written into model cards. */
  public static final String ARCHITECTURE = "mantis-policy-1";

  public PolicyConfig {
    positive("inputSizePx", inputSizePx);
    positive("patchPx", patchPx);
    positive("width", width);
    positive("hidden", hidden);
    positive("wordDim", wordDim);
    positive("maxWords", maxWords);
    positive("maxMarks", maxMarks);
    positive("tokens", tokens);
    positive("traceLength", traceLength);
    positive("chunkLength", chunkLength);
    positive("chunkPeriodMs", chunkPeriodMs);
    positive("joints", joints);
    if (flowSteps < 0 || flowSteps > 100) {
      throw new IllegalArgumentException("flowSteps must be in [0, 100], got " + flowSteps);
    }
    if (codebookSize < 2) {
      throw new IllegalArgumentException("codebookSize must be >= 2, got " + codebookSize);
    }
    if (inputSizePx % patchPx != 0) {
      throw new IllegalArgumentException(
          "patchPx " + patchPx + " must divide inputSizePx " + inputSizePx);
    }
  }

  /** A configuration with the regression action head ({@code flowSteps} 0). */
  public PolicyConfig(
      int inputSizePx,
      int patchPx,
      int width,
      int hidden,
      int wordDim,
      int maxWords,
      int maxMarks,
      int tokens,
      int codebookSize,
      int traceLength,
      int chunkLength,
      int chunkPeriodMs,
      int joints,
      int seed) {
    this(
        inputSizePx,
        patchPx,
        width,
        hidden,
        wordDim,
        maxWords,
        maxMarks,
        tokens,
        codebookSize,
        traceLength,
        chunkLength,
        chunkPeriodMs,
        joints,
        seed,
        0,
        false);
  }

  /**
   * A copy with another action head: {@code steps} 0 regresses the chunk (Huber loss); {@code
   * steps} &ge; 1 is a flow-matching head (as in pi0) that integrates its learned velocity field
   * from zero noise in this many Euler steps.
   */
  public PolicyConfig withFlowSteps(int steps) {
    return copy(seed, steps, goalRelativeDecoder);
  }

  /**
   * A copy whose action decoder also reads goal-relative positions: the grounded object from the
   * effector and the goal (target zone) from the object, in the frame's pixels. Its weights are new
   * (see {@link PolicyLearner#setActionHead}).
   */
  public PolicyConfig withGoalRelativeDecoder(boolean on) {
    return copy(seed, flowSteps, on);
  }

  private PolicyConfig copy(int newSeed, int newFlowSteps, boolean newGoalRelative) {
    return new PolicyConfig(
        inputSizePx,
        patchPx,
        width,
        hidden,
        wordDim,
        maxWords,
        maxMarks,
        tokens,
        codebookSize,
        traceLength,
        chunkLength,
        chunkPeriodMs,
        joints,
        newSeed,
        newFlowSteps,
        newGoalRelative);
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }
  }

  /**
   * The shipped architecture: 128 px input, 8 px patches, 4 tokens of 8 codes, K = H = 8 at 100 ms.
   */
  public static PolicyConfig defaults() {
    return new PolicyConfig(128, 8, 64, 256, 32, 12, 12, 4, 8, 8, 8, 100, 3, 0);
  }

  /** Patches per side. */
  public int grid() {
    return inputSizePx / patchPx;
  }

  /** A copy with another seed. */
  public PolicyConfig withSeed(int newSeed) {
    return copy(newSeed, flowSteps, goalRelativeDecoder);
  }

  /**
   * The sizes as a model card's architecture map (every value >= 1; the seed is stored plus one).
   */
  public Map<String, Integer> toSizes() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("inputSizePx", inputSizePx);
    m.put("patchPx", patchPx);
    m.put("width", width);
    m.put("hidden", hidden);
    m.put("wordDim", wordDim);
    m.put("maxWords", maxWords);
    m.put("maxMarks", maxMarks);
    m.put("tokens", tokens);
    m.put("codebookSize", codebookSize);
    m.put("traceLength", traceLength);
    m.put("chunkLength", chunkLength);
    m.put("chunkPeriodMs", chunkPeriodMs);
    m.put("joints", joints);
    m.put("seedPlusOne", seed + 1);
    if (flowSteps > 0) {
      m.put("flowSteps", flowSteps);
    }
    if (goalRelativeDecoder) {
      m.put("goalRelativeDecoder", 1);
    }
    return m;
  }

  /**
   * Reads {@link #toSizes()} back.
   *
   * @throws IllegalArgumentException naming the first missing size
   */
  public static PolicyConfig fromSizes(Map<String, Integer> s) {
    return new PolicyConfig(
        get(s, "inputSizePx"),
        get(s, "patchPx"),
        get(s, "width"),
        get(s, "hidden"),
        get(s, "wordDim"),
        get(s, "maxWords"),
        get(s, "maxMarks"),
        get(s, "tokens"),
        get(s, "codebookSize"),
        get(s, "traceLength"),
        get(s, "chunkLength"),
        get(s, "chunkPeriodMs"),
        get(s, "joints"),
        get(s, "seedPlusOne") - 1,
        s.getOrDefault("flowSteps", 0),
        s.getOrDefault("goalRelativeDecoder", 0) == 1);
  }

  private static int get(Map<String, Integer> s, String key) {
    Integer v = s.get(key);
    if (v == null) {
      throw new IllegalArgumentException("architecture.sizes." + key + " is missing");
    }
    return v;
  }
}
