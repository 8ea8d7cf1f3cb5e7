package mantis.model.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A word-level vocabulary built from training instructions. Immutable and thread-safe.
 *
 * <p>Words are the maximal runs of letters and digits of the lower-cased instruction (anything else
 * separates words). Id {@value #PAD_ID} is {@value #PAD} (padding) and id {@value #UNK_ID} is
 * {@value #UNK} (any word not in the vocabulary, including words seen fewer than {@code minCount}
 * times). Other ids are assigned by descending count, then alphabetically, so the same instructions
 * always give the same vocabulary whatever their order.
 */
public final class Vocabulary {
  /** Padding token. */
  public static final String PAD = "<pad>";

  /** Unknown-word token. */
  public static final String UNK = "<unk>";

  /** Id of {@link #PAD}. */
  public static final int PAD_ID = 0;

  /** Id of {@link #UNK}. */
  public static final int UNK_ID = 1;

  /**
   * The JSON format version written by {@link #toJson()}; {@link #fromJson} reads only this one.
   */
  public static final int FORMAT_VERSION = 1;

  private static final String KIND = "mantis-vocabulary";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> words;
  private final Map<String, Integer> ids;
  private final int minCount;

  private Vocabulary(List<String> words, int minCount) {
    this.words = List.copyOf(words);
    this.minCount = minCount;
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < this.words.size(); i++) {
      m.put(this.words.get(i), i);
    }
    this.ids = Collections.unmodifiableMap(m);
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Splits an instruction into words: lower-cased (root locale), separated by anything that is not
   * a letter or digit.
   */
  public static List<String> tokenize(String instruction) {
    Objects.requireNonNull(instruction, "instruction");
    String lower = instruction.toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < lower.length(); ) {
      int cp = lower.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        word.appendCodePoint(cp);
      } else if (word.length() > 0) {
        out.add(word.toString());
        word.setLength(0);
      }
    }
    if (word.length() > 0) {
      out.add(word.toString());
    }
    return out;
  }

  /**
   * Encodes an instruction as exactly {@code maxTokens} ids: the words' ids in order, truncated to
   * {@code maxTokens}, then padded with {@link #PAD_ID}.
   *
   * @throws IllegalArgumentException if {@code maxTokens < 1}
   */
  public int[] encode(String instruction, int maxTokens) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    int[] out = new int[maxTokens];
    List<String> tokens = tokenize(instruction);
    for (int i = 0; i < Math.min(maxTokens, tokens.size()); i++) {
      out[i] = id(tokens.get(i));
    }
    return out;
  }

  /** The id of a word (as produced by {@link #tokenize}), or {@link #UNK_ID} if it is unknown. */
  public int id(String word) {
    Integer id = ids.get(Objects.requireNonNull(word, "word"));
    return id == null ? UNK_ID : id;
  }

  /**
   * The word of an id.
   *
   * @throws IndexOutOfBoundsException if {@code id} is not in {@code [0, size())}
   */
  public String word(int id) {
    if (id < 0 || id >= words.size()) {
      throw new IndexOutOfBoundsException("id " + id + " is outside [0, " + words.size() + ")");
    }
    return words.get(id);
  }

  /** The number of ids, including {@link #PAD} and {@link #UNK}. */
  public int size() {
    return words.size();
  }

  /** The minimum count a word needed to get its own id. */
  public int minCount() {
    return minCount;
  }

  /** All words in id order, including the reserved tokens. */
  public List<String> words() {
    return words;
  }

  /**
   * The JSON form: {@code {"kind", "formatVersion", "minCount", "words"}} with words in id order.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", KIND);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("minCount", minCount);
    ArrayNode arr = root.putArray("words");
    words.forEach(arr::add);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the JSON form written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException naming the problem if the text is not a valid vocabulary of
   *     format version {@value #FORMAT_VERSION}
   */
  public static Vocabulary fromJson(String json) {
    Objects.requireNonNull(json, "json");
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "vocabulary: not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("vocabulary: expected a JSON object");
    }
    JsonNode kind = root.get("kind");
    if (kind == null || !KIND.equals(kind.asText(null))) {
      throw new IllegalArgumentException(
          "vocabulary: field 'kind' must be \"" + KIND + "\", got " + kind);
    }
    JsonNode version = root.get("formatVersion");
    if (version == null || !version.isInt()) {
      throw new IllegalArgumentException(
          "vocabulary: missing or non-integer field 'formatVersion'");
    }
    if (version.intValue() != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "vocabulary: unknown format version "
              + version.intValue()
              + " (this build reads "
              + FORMAT_VERSION
              + ")");
    }
    JsonNode mc = root.get("minCount");
    if (mc == null || !mc.isInt() || mc.intValue() < 1) {
      throw new IllegalArgumentException(
          "vocabulary: field 'minCount' must be an integer >= 1, got " + mc);
    }
    JsonNode arr = root.get("words");
    if (arr == null || !arr.isArray()) {
      throw new IllegalArgumentException("vocabulary: missing array field 'words'");
    }
    List<String> words = new ArrayList<>();
    for (JsonNode w : arr) {
      if (!w.isTextual()) {
        throw new IllegalArgumentException(
            "vocabulary: word " + words.size() + " is not a string: " + w);
      }
      words.add(w.textValue());
    }
    if (words.size() < 2 || !PAD.equals(words.get(PAD_ID)) || !UNK.equals(words.get(UNK_ID))) {
      throw new IllegalArgumentException(
          "vocabulary: words must start with \"" + PAD + "\", \"" + UNK + "\"");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 2; i < words.size(); i++) {
      String w = words.get(i);
      List<String> t = tokenize(w);
      if (t.size() != 1 || !t.get(0).equals(w)) {
        throw new IllegalArgumentException(
            "vocabulary: word " + i + " \"" + w + "\" is not a single lower-case word");
      }
      if (!seen.add(w)) {
        throw new IllegalArgumentException("vocabulary: word \"" + w + "\" appears twice");
      }
    }
    return new Vocabulary(words, mc.intValue());
  }

  /** Writes {@link #toJson()} to a file, atomically (temporary file, then move). */
  public void write(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a file written by {@link #write}.
   *
   * @throws IOException if the file cannot be read or is not a valid vocabulary (the message names
   *     the file and the problem)
   */
  public static Vocabulary read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return fromJson(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && v.minCount == minCount && v.words.equals(words);
  }

  @Override
  public int hashCode() {
    return words.hashCode() * 31 + minCount;
  }

  @Override
  public String toString() {
    return "Vocabulary[size=" + words.size() + ", minCount=" + minCount + "]";
  }

  /** Builds a vocabulary from instructions. {@code minCount} is optional (default 1). */
  public static final class Builder {
    private final Map<String, Integer> counts = new HashMap<>();
    private int minCount = 1;

    private Builder() {}

    /** Words seen fewer than this many times map to {@link #UNK}; default 1. */
    public Builder optMinCount(int minCount) {
      this.minCount = minCount;
      return this;
    }

    /** Counts the words of one training instruction. */
    public Builder add(String instruction) {
      for (String w : tokenize(instruction)) {
        counts.merge(w, 1, Integer::sum);
      }
      return this;
    }

    /** Counts the words of each instruction. */
    public Builder addAll(Iterable<String> instructions) {
      for (String s : instructions) {
        add(s);
      }
      return this;
    }

    /**
     * Builds the vocabulary.
     *
     * @throws IllegalArgumentException if {@code minCount < 1}
     */
    public Vocabulary build() {
      if (minCount < 1) {
        throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
      }
      List<Map.Entry<String, Integer>> kept = new ArrayList<>();
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        if (e.getValue() >= minCount) {
          kept.add(e);
        }
      }
      kept.sort(
          Comparator.comparing((Map.Entry<String, Integer> e) -> e.getValue())
              .reversed()
              .thenComparing(Map.Entry::getKey));
      List<String> words = new ArrayList<>();
      words.add(PAD);
      words.add(UNK);
      kept.forEach(e -> words.add(e.getKey()));
      return new Vocabulary(words, minCount);
    }
  }
}
