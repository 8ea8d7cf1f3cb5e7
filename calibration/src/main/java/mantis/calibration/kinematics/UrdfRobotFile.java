package mantis.calibration.kinematics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/** The robot YAML that names a URDF ({@link RobotModels#load}). */
final class UrdfRobotFile {
  private static final Set<String> KEYS =
      Set.of(
          "urdf", "name", "base_link", "tool_link", "max_acceleration_rad_per_s2", "base_in_table");
  private static final Set<String> BASE_KEYS = Set.of("x_m", "y_m", "z_m", "yaw_rad");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private UrdfRobotFile() {}

  /** True when {@code yaml} is a mapping with a {@code urdf} key (false when it is not YAML). */
  static boolean isUrdfRobot(Path yaml) {
    try {
      JsonNode root = YAML.readTree(Files.readString(yaml, StandardCharsets.UTF_8));
      return root != null && root.isObject() && root.has("urdf");
    } catch (IOException e) {
      return false;
    }
  }

  static RobotModel read(Path yaml) {
    String text;
    try {
      text = Files.readString(yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read robot description " + yaml + ": " + e, e);
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(yaml + ": not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(yaml + ": expected a mapping with a urdf key");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException(
            yaml
                + ": unknown key '"
                + k
                + "'; known keys: "
                + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    String urdfName = text(root, "urdf", yaml);
    double accel = number(root, "max_acceleration_rad_per_s2", yaml, true, Double.NaN);
    if (!(accel > 0) || !Double.isFinite(accel)) {
      throw new IllegalArgumentException(
          yaml + ": max_acceleration_rad_per_s2 must be finite and > 0, got " + accel);
    }
    Path dir = yaml.toAbsolutePath().getParent();
    Path urdfPath = dir == null ? Path.of(urdfName) : dir.resolve(urdfName);
    UrdfRobot urdf;
    try {
      urdf = UrdfReader.read(urdfPath);
    } catch (IOException e) {
      throw new UncheckedIOException(yaml + ": cannot read its URDF " + urdfPath + ": " + e, e);
    }
    String name = root.has("name") ? text(root, "name", yaml) : urdf.name();
    SerialChain chain;
    if (root.has("base_link") || root.has("tool_link")) {
      String base = root.has("base_link") ? text(root, "base_link", yaml) : urdf.rootLink();
      String tool = text(root, "tool_link", yaml);
      chain = urdf.serialChain(base, tool);
    } else {
      chain = urdf.serialChain();
    }
    double bx = 0;
    double by = 0;
    double bz = 0;
    double yaw = 0;
    if (root.has("base_in_table")) {
      JsonNode b = root.get("base_in_table");
      if (!b.isObject()) {
        throw new IllegalArgumentException(
            yaml + ": base_in_table must be a mapping of x_m, y_m, z_m, yaw_rad");
      }
      for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!BASE_KEYS.contains(k)) {
          throw new IllegalArgumentException(
              yaml
                  + ": base_in_table: unknown key '"
                  + k
                  + "'; known keys: x_m, y_m, z_m, yaw_rad");
        }
      }
      bx = number(b, "x_m", yaml, false, 0);
      by = number(b, "y_m", yaml, false, 0);
      bz = number(b, "z_m", yaml, false, 0);
      yaw = number(b, "yaw_rad", yaml, false, 0);
    }
    return RobotModels.fromChain(name, chain, accel, bx, by, bz, yaw);
  }

  private static String text(JsonNode node, String key, Path source) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(source + ": missing key '" + key + "'");
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(source + ": '" + key + "' must be a non-empty string");
    }
    return v.asText().trim();
  }

  private static double number(
      JsonNode node, String key, Path source, boolean required, double fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(source + ": missing key '" + key + "'");
      }
      return fallback;
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalArgumentException(
          source + ": '" + key + "' must be a finite number, got " + v);
    }
    return v.asDouble();
  }
}
