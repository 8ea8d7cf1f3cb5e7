package mantis.model.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and writes {@code model-card.json}, with one precise message per problem. */
final class CardJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String F = ModelCard.FILE_NAME + ": ";

  private static final List<String> TOP =
      List.of(
          "formatVersion",
          "architecture",
          "inputSizePx",
          "normalization",
          "jointNames",
          "chunkLength",
          "chunkPeriodNanos",
          "codebook",
          "trainingDataDigest",
          "evaluation",
          "files");

  private CardJson() {}

  static String write(ModelCard card) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(card) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write model card", e);
    }
  }

  static ModelCard read(String json) throws BundleException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new BundleException(F + "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new BundleException(F + "expected a JSON object");
    }
    JsonNode version = root.get("formatVersion");
    if (version == null) {
      throw new BundleException(F + "missing field 'formatVersion'");
    }
    if (!version.isInt()) {
      throw new BundleException(F + "field 'formatVersion' must be an integer, got " + version);
    }
    if (version.intValue() != ModelCard.FORMAT_VERSION) {
      throw new BundleException(
          F
              + "unknown format version "
              + version.intValue()
              + " (this build reads "
              + ModelCard.FORMAT_VERSION
              + ")");
    }
    fields(root, "", TOP);
    JsonNode arch = object(root, "architecture");
    fields(arch, "architecture.", List.of("name", "sizes"));
    JsonNode norm = object(root, "normalization");
    fields(norm, "normalization.", List.of("mean", "std"));
    JsonNode code = object(root, "codebook");
    fields(code, "codebook.", List.of("tokens", "codebookSize"));
    try {
      Map<String, Integer> sizes = new LinkedHashMap<>();
      JsonNode sizesNode = object(arch, "sizes", "architecture.sizes");
      for (Iterator<Map.Entry<String, JsonNode>> it = sizesNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        sizes.put(e.getKey(), integer(e.getValue(), "architecture.sizes." + e.getKey()));
      }
      Map<String, Double> evaluation = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object(root, "evaluation").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        evaluation.put(e.getKey(), number(e.getValue(), "evaluation." + e.getKey()));
      }
      Map<String, String> files = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object(root, "files").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        files.put(e.getKey(), text(e.getValue(), "files." + e.getKey()));
      }
      List<String> joints = new ArrayList<>();
      JsonNode jointsNode = array(root.get("jointNames"), "jointNames");
      for (int i = 0; i < jointsNode.size(); i++) {
        joints.add(text(jointsNode.get(i), "jointNames[" + i + "]"));
      }
      JsonNode period = root.get("chunkPeriodNanos");
      if (!period.isIntegralNumber() || !period.canConvertToLong()) {
        throw new BundleException(F + "field 'chunkPeriodNanos' must be an integer, got " + period);
      }
      return new ModelCard(
          version.intValue(),
          new ModelCard.Architecture(text(arch.get("name"), "architecture.name"), sizes),
          integer(root.get("inputSizePx"), "inputSizePx"),
          new ModelCard.Normalization(
              numbers(norm.get("mean"), "normalization.mean"),
              numbers(norm.get("std"), "normalization.std")),
          joints,
          integer(root.get("chunkLength"), "chunkLength"),
          period.longValue(),
          new ModelCard.Codebook(
              integer(code.get("tokens"), "codebook.tokens"),
              integer(code.get("codebookSize"), "codebook.codebookSize")),
          text(root.get("trainingDataDigest"), "trainingDataDigest"),
          evaluation,
          files);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BundleException(F + e.getMessage(), e);
    }
  }

  /** Refuses a missing or an unknown field, naming it. */
  private static void fields(JsonNode node, String prefix, List<String> expected)
      throws BundleException {
    for (String name : expected) {
      if (!node.has(name) || node.get(name).isNull()) {
        throw new BundleException(F + "missing field '" + prefix + name + "'");
      }
    }
    Set<String> known = Set.copyOf(expected);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new BundleException(
            F
                + "unknown field '"
                + prefix
                + name
                + "' (format version "
                + ModelCard.FORMAT_VERSION
                + " has "
                + expected
                + ")");
      }
    }
  }

  private static JsonNode object(JsonNode parent, String name) throws BundleException {
    return object(parent, name, name);
  }

  private static JsonNode object(JsonNode parent, String name, String field)
      throws BundleException {
    JsonNode n = parent.get(name);
    if (n == null || !n.isObject()) {
      throw new BundleException(F + "field '" + field + "' must be an object, got " + n);
    }
    return n;
  }

  private static JsonNode array(JsonNode n, String field) throws BundleException {
    if (n == null || !n.isArray()) {
      throw new BundleException(F + "field '" + field + "' must be an array, got " + n);
    }
    return n;
  }

  private static int integer(JsonNode n, String field) throws BundleException {
    if (n == null || !n.isInt()) {
      throw new BundleException(F + "field '" + field + "' must be an integer, got " + n);
    }
    return n.intValue();
  }

  private static double number(JsonNode n, String field) throws BundleException {
    if (n == null || !n.isNumber()) {
      throw new BundleException(F + "field '" + field + "' must be a number, got " + n);
    }
    return n.doubleValue();
  }

  private static List<Double> numbers(JsonNode n, String field) throws BundleException {
    array(n, field);
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      out.add(number(n.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  private static String text(JsonNode n, String field) throws BundleException {
    if (n == null || !n.isTextual()) {
      throw new BundleException(F + "field '" + field + "' must be a string, got " + n);
    }
    return n.textValue();
  }
}
