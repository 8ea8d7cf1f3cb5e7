package mantis.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Loads robot descriptions ({@link RobotSpec}) from YAML.
 *
 * <p>The format, with positions in rad, velocities in rad/s and accelerations in rad/s²:
 *
 * <pre>
 * name: mantis-planar-3
 * joints:
 *   - name: shoulder
 *     min_position_rad: -2.6
 *     max_position_rad: 2.6
 *     max_velocity_rad_per_s: 2.0
 *     max_acceleration_rad_per_s2: 8.0
 * </pre>
 *
 * <p>Every key is required, unknown keys are rejected (a typo must not silently drop a limit), and
 * every error names the file, the joint and the key: missing key, wrong type, non-finite number,
 * {@code min >= max}, non-positive velocity or acceleration, duplicate joint or duplicate key.
 */
public final class RobotSpecs {
  /** Class-path resource of the simulator's arm. */
  public static final String MANTIS_PLANAR3_RESOURCE = "/mantis/robots/planar3.yaml";

  private static final Set<String> TOP_KEYS = Set.of("name", "joints");
  private static final List<String> JOINT_KEYS =
      List.of(
          "name",
          "min_position_rad",
          "max_position_rad",
          "max_velocity_rad_per_s",
          "max_acceleration_rad_per_s2");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private RobotSpecs() {}

  /**
   * Reads a robot description file.
   *
   * @throws IllegalArgumentException with a precise message when the description is invalid
   * @throws UncheckedIOException when the file cannot be read
   */
  public static RobotSpec load(Path yaml) {
    Objects.requireNonNull(yaml, "yaml");
    String text;
    try {
      text = Files.readString(yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read robot description " + yaml + ": " + e.getMessage(), e);
    }
    return parse(text, yaml.toString());
  }

  /** The simulator's planar 3-joint arm, from the bundled {@value #MANTIS_PLANAR3_RESOURCE}. */
  public static RobotSpec mantisPlanar3() {
    return Planar3Holder.SPEC;
  }

  /**
   * Parses a robot description from YAML text.
   *
   * @param yamlText the YAML document
   * @param source where it came from, used in error messages (a file name)
   * @throws IllegalArgumentException with a precise message when the description is invalid
   */
  public static RobotSpec parse(String yamlText, String source) {
    Objects.requireNonNull(yamlText, "yamlText");
    Objects.requireNonNull(source, "source");
    JsonNode root;
    try {
      root = YAML.readTree(yamlText);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new IllegalArgumentException(source + ": empty robot description");
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(
          source + ": the robot description must be a mapping with keys " + TOP_KEYS);
    }
    rejectUnknownKeys(root, TOP_KEYS, source, "top level");
    String robotName = requiredText(root, "name", source, "top level");
    JsonNode joints = root.get("joints");
    if (joints == null || joints.isNull()) {
      throw new IllegalArgumentException(source + ": missing key 'joints'");
    }
    if (!joints.isArray()) {
      throw new IllegalArgumentException(source + ": 'joints' must be a list of joints");
    }
    if (joints.isEmpty()) {
      throw new IllegalArgumentException(
          source + ": 'joints' is empty; a robot needs at least one joint");
    }
    List<JointLimits> limits = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < joints.size(); i++) {
      JsonNode j = joints.get(i);
      String where = "joints[" + i + "]";
      if (!j.isObject()) {
        throw new IllegalArgumentException(
            source + ": " + where + " must be a mapping with keys " + JOINT_KEYS);
      }
      String jointName = requiredText(j, "name", source, where);
      where = where + " (" + jointName + ")";
      rejectUnknownKeys(j, Set.copyOf(JOINT_KEYS), source, where);
      Integer previous = seen.putIfAbsent(jointName, i);
      if (previous != null) {
        throw new IllegalArgumentException(
            source
                + ": duplicate joint '"
                + jointName
                + "' at joints["
                + previous
                + "] and joints["
                + i
                + "]");
      }
      double min = requiredNumber(j, "min_position_rad", source, where);
      double max = requiredNumber(j, "max_position_rad", source, where);
      double vel = requiredNumber(j, "max_velocity_rad_per_s", source, where);
      double acc = requiredNumber(j, "max_acceleration_rad_per_s2", source, where);
      if (min >= max) {
        throw new IllegalArgumentException(
            source
                + ": "
                + where
                + ": min_position_rad ("
                + min
                + ") must be < max_position_rad ("
                + max
                + ")");
      }
      if (vel <= 0) {
        throw new IllegalArgumentException(
            source + ": " + where + ": max_velocity_rad_per_s must be > 0, got " + vel);
      }
      if (acc <= 0) {
        throw new IllegalArgumentException(
            source + ": " + where + ": max_acceleration_rad_per_s2 must be > 0, got " + acc);
      }
      limits.add(new JointLimits(jointName, min, max, vel, acc));
    }
    return new RobotSpec(robotName, limits);
  }

  private static void rejectUnknownKeys(
      JsonNode node, Set<String> allowed, String source, String where) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            source
                + ": "
                + where
                + ": unknown key '"
                + key
                + "' (expected "
                + sorted(allowed)
                + ")");
      }
    }
  }

  private static List<String> sorted(Set<String> keys) {
    List<String> list = new ArrayList<>(keys);
    list.sort(null);
    return list;
  }

  private static String requiredText(JsonNode node, String key, String source, String where) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(source + ": " + where + ": missing key '" + key + "'");
    }
    if (!v.isTextual() && !v.isNumber()) {
      throw new IllegalArgumentException(
          source + ": " + where + ": '" + key + "' must be a string");
    }
    String text = v.asText().strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException(source + ": " + where + ": '" + key + "' is blank");
    }
    return text;
  }

  private static double requiredNumber(JsonNode node, String key, String source, String where) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(source + ": " + where + ": missing key '" + key + "'");
    }
    double d;
    if (v.isNumber()) {
      d = v.doubleValue();
    } else if (v.isTextual()) {
      // YAML writes .inf / .nan as special floats; anything else textual is an error.
      String t = v.asText().strip();
      d =
          switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default ->
                throw new IllegalArgumentException(
                    source + ": " + where + ": '" + key + "' must be a number, got '" + t + "'");
          };
    } else {
      throw new IllegalArgumentException(
          source + ": " + where + ": '" + key + "' must be a number");
    }
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException(
          source + ": " + where + ": '" + key + "' must be finite, got " + d);
    }
    return d;
  }

  private static final class Planar3Holder {
    static final RobotSpec SPEC = loadResource(MANTIS_PLANAR3_RESOURCE);

    private static RobotSpec loadResource(String resource) {
      try (InputStream in = RobotSpecs.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(
              "bundled robot description " + resource + " is missing from the class path");
        }
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read bundled robot description " + resource, e);
      }
    }
  }
}
