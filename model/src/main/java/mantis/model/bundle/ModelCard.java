package mantis.model.bundle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The model card of a bundle ({@code model-card.json}): what a loader needs to run the weights and
 * what a reader needs to trust them. Immutable; the constructor validates every field and names the
 * offending one in its message. Maps are copied into sorted, unmodifiable maps so the JSON form is
 * deterministic.
 *
 * @param formatVersion card format version, {@link #FORMAT_VERSION}
 * @param architecture network name and integer sizes
 * @param inputSizePx side of the square model input, pixels
 * @param normalization per-channel (R, G, B) mean and std applied to the input in [0, 1]
 * @param jointNames the joints the action decoder outputs, in order; must match the robot's
 * @param chunkLength points per action chunk (H)
 * @param chunkPeriodNanos time between consecutive chunk points, nanoseconds
 * @param codebook latent action tokens per step and codebook size
 * @param trainingDataDigest SHA-256 (64 lower-case hex digits) of the training data
 * @param evaluation evaluation figures, name to value (may be empty)
 * @param files bundle file name to SHA-256 (64 lower-case hex digits); empty before {@link
 *     ModelBundle#write} fills it
 */
public record ModelCard(
    int formatVersion,
    Architecture architecture,
    int inputSizePx,
    Normalization normalization,
    List<String> jointNames,
    int chunkLength,
    long chunkPeriodNanos,
    Codebook codebook,
    String trainingDataDigest,
    Map<String, Double> evaluation,
    Map<String, String> files) {

  /** The card format version this build writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** The card's file name inside a bundle. */
  public static final String FILE_NAME = "model-card.json";

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public ModelCard {
    if (formatVersion != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "formatVersion: unknown format version "
              + formatVersion
              + " (this build reads "
              + FORMAT_VERSION
              + ")");
    }
    Objects.requireNonNull(architecture, "architecture");
    if (inputSizePx < 1) {
      throw new IllegalArgumentException("inputSizePx must be >= 1, got " + inputSizePx);
    }
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(jointNames, "jointNames");
    jointNames = List.copyOf(jointNames);
    if (jointNames.isEmpty()) {
      throw new IllegalArgumentException("jointNames must not be empty");
    }
    if (new HashSet<>(jointNames).size() != jointNames.size()) {
      throw new IllegalArgumentException("jointNames has a duplicate: " + jointNames);
    }
    for (String j : jointNames) {
      if (j.isBlank()) {
        throw new IllegalArgumentException("jointNames has a blank name: " + jointNames);
      }
    }
    if (chunkLength < 1) {
      throw new IllegalArgumentException("chunkLength must be >= 1, got " + chunkLength);
    }
    if (chunkPeriodNanos <= 0) {
      throw new IllegalArgumentException("chunkPeriodNanos must be > 0, got " + chunkPeriodNanos);
    }
    Objects.requireNonNull(codebook, "codebook");
    requireSha256("trainingDataDigest", trainingDataDigest);
    Objects.requireNonNull(evaluation, "evaluation");
    TreeMap<String, Double> eval = new TreeMap<>();
    for (Map.Entry<String, Double> e : evaluation.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "evaluation: null name");
      Double v = e.getValue();
      if (name.isBlank()) {
        throw new IllegalArgumentException("evaluation: blank name");
      }
      if (v == null || !Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "evaluation." + name + " must be a finite number, got " + v);
      }
      eval.put(name, v);
    }
    evaluation = Collections.unmodifiableMap(eval);
    Objects.requireNonNull(files, "files");
    TreeMap<String, String> f = new TreeMap<>();
    for (Map.Entry<String, String> e : files.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "files: null file name");
      requireFileName(name);
      requireSha256("files." + name, e.getValue());
      f.put(name, e.getValue());
    }
    files = Collections.unmodifiableMap(f);
  }

  /** Returns a builder; {@link Builder#build()} validates. */
  public static Builder builder() {
    return new Builder();
  }

  /** This card with {@code files} replaced. */
  public ModelCard withFiles(Map<String, String> newFiles) {
    return new ModelCard(
        formatVersion,
        architecture,
        inputSizePx,
        normalization,
        jointNames,
        chunkLength,
        chunkPeriodNanos,
        codebook,
        trainingDataDigest,
        evaluation,
        newFiles);
  }

  /** This card with {@code evaluation} replaced. */
  public ModelCard withEvaluation(Map<String, Double> newEvaluation) {
    return new ModelCard(
        formatVersion,
        architecture,
        inputSizePx,
        normalization,
        jointNames,
        chunkLength,
        chunkPeriodNanos,
        codebook,
        trainingDataDigest,
        newEvaluation,
        files);
  }

  /** The JSON form ({@code model-card.json}), field names as the record components. */
  public String toJson() {
    return CardJson.write(this);
  }

  /**
   * Reads the JSON form. Every field is required and unknown fields are refused.
   *
   * @throws BundleException naming the missing, extra or invalid field
   */
  public static ModelCard fromJson(String json) throws BundleException {
    return CardJson.read(json);
  }

  static void requireSha256(String field, String hex) {
    if (hex == null) {
      throw new NullPointerException(field);
    }
    if (!SHA256_HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          field + " must be a SHA-256 as 64 lower-case hex digits, got \"" + hex + "\"");
    }
  }

  static void requireFileName(String name) {
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.contains("/")
        || name.contains("\\")
        || name.equals(FILE_NAME)) {
      throw new IllegalArgumentException(
          "files: \""
              + name
              + "\" is not a valid bundle file name (a plain name other than "
              + FILE_NAME
              + ")");
    }
  }

  /**
   * The network's name and integer sizes (for example {@code "width" -> 64}).
   *
   * @param name architecture name
   * @param sizes size name to positive value; sorted and unmodifiable
   */
  public record Architecture(String name, Map<String, Integer> sizes) {
    public Architecture {
      Objects.requireNonNull(name, "architecture.name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("architecture.name must not be blank");
      }
      Objects.requireNonNull(sizes, "architecture.sizes");
      TreeMap<String, Integer> s = new TreeMap<>();
      for (Map.Entry<String, Integer> e : sizes.entrySet()) {
        String k = Objects.requireNonNull(e.getKey(), "architecture.sizes: null name");
        Integer v = e.getValue();
        if (v == null || v < 1) {
          throw new IllegalArgumentException(
              "architecture.sizes." + k + " must be a positive integer, got " + v);
        }
        s.put(k, v);
      }
      sizes = Collections.unmodifiableMap(s);
    }
  }

  /**
   * Per-channel input normalisation: {@code (x - mean) / std} for R, G, B in [0, 1].
   *
   * @param mean 3 finite values
   * @param std 3 finite values, each &gt; 0
   */
  public record Normalization(List<Double> mean, List<Double> std) {
    public Normalization {
      mean = check("normalization.mean", mean, false);
      std = check("normalization.std", std, true);
    }

    /** Mean and std from arrays of 3. */
    public static Normalization of(double[] mean, double[] std) {
      return new Normalization(boxed(mean, "normalization.mean"), boxed(std, "normalization.std"));
    }

    private static List<Double> boxed(double[] a, String field) {
      Objects.requireNonNull(a, field);
      List<Double> l = new ArrayList<>(a.length);
      for (double d : a) {
        l.add(d);
      }
      return l;
    }

    private static List<Double> check(String field, List<Double> values, boolean positive) {
      Objects.requireNonNull(values, field);
      if (values.size() != 3) {
        throw new IllegalArgumentException(
            field + " must have 3 values (R, G, B), got " + values.size());
      }
      for (Double v : values) {
        if (v == null || !Double.isFinite(v) || (positive && v <= 0)) {
          throw new IllegalArgumentException(
              field + " must be " + (positive ? "finite and > 0" : "finite") + ", got " + values);
        }
      }
      return List.copyOf(values);
    }
  }

  /**
   * The latent action codebook.
   *
   * @param tokens latent tokens per step (e.g. 4)
   * @param codebookSize entries in the codebook (e.g. 8)
   */
  public record Codebook(int tokens, int codebookSize) {
    public Codebook {
      if (tokens < 1) {
        throw new IllegalArgumentException("codebook.tokens must be >= 1, got " + tokens);
      }
      if (codebookSize < 2) {
        throw new IllegalArgumentException(
            "codebook.codebookSize must be >= 2, got " + codebookSize);
      }
    }
  }

  /**
   * Builds a card. Required: architecture, inputSizePx, normalization, jointNames, chunkLength,
   * chunkPeriodNanos, codebook, trainingDataDigest. Optional: evaluation and files (default empty).
   */
  public static final class Builder {
    private Architecture architecture;
    private Integer inputSizePx;
    private Normalization normalization;
    private List<String> jointNames;
    private Integer chunkLength;
    private Long chunkPeriodNanos;
    private Codebook codebook;
    private String trainingDataDigest;
    private Map<String, Double> evaluation = Map.of();
    private Map<String, String> files = Map.of();

    private Builder() {}

    public Builder setArchitecture(String name, Map<String, Integer> sizes) {
      this.architecture = new Architecture(name, sizes);
      return this;
    }

    public Builder setInputSizePx(int inputSizePx) {
      this.inputSizePx = inputSizePx;
      return this;
    }

    public Builder setNormalization(double[] mean, double[] std) {
      this.normalization = Normalization.of(mean, std);
      return this;
    }

    public Builder setJointNames(List<String> jointNames) {
      this.jointNames = jointNames;
      return this;
    }

    public Builder setChunk(int chunkLength, long chunkPeriodNanos) {
      this.chunkLength = chunkLength;
      this.chunkPeriodNanos = chunkPeriodNanos;
      return this;
    }

    public Builder setCodebook(int tokens, int codebookSize) {
      this.codebook = new Codebook(tokens, codebookSize);
      return this;
    }

    public Builder setTrainingDataDigest(String sha256Hex) {
      this.trainingDataDigest = sha256Hex;
      return this;
    }

    public Builder optEvaluation(Map<String, Double> evaluation) {
      this.evaluation = evaluation;
      return this;
    }

    public Builder optFiles(Map<String, String> files) {
      this.files = files;
      return this;
    }

    /**
     * Builds and validates the card.
     *
     * @throws IllegalStateException naming the first required field not set
     * @throws IllegalArgumentException naming the first invalid field
     */
    public ModelCard build() {
      require(architecture, "architecture");
      require(inputSizePx, "inputSizePx");
      require(normalization, "normalization");
      require(jointNames, "jointNames");
      require(chunkLength, "chunkLength");
      require(codebook, "codebook");
      require(trainingDataDigest, "trainingDataDigest");
      return new ModelCard(
          FORMAT_VERSION,
          architecture,
          inputSizePx,
          normalization,
          jointNames,
          chunkLength,
          chunkPeriodNanos,
          codebook,
          trainingDataDigest,
          evaluation,
          files);
    }

    private static void require(Object value, String field) {
      if (value == null) {
        throw new IllegalStateException("model card: " + field + " is required but was not set");
      }
    }
  }
}
