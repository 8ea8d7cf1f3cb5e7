package mantis.ros.msg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code .msg} texts of the supported types, and the two things ROS derives from them: the
 * md5sum (genmsg's algorithm) and the full definition text with dependencies appended.
 *
 * <p>The texts hold the same fields, in the same order, as the upstream {@code .msg} files; the
 * upstream comments are left out. Comments do not change the md5sum, and peers only compare
 * md5sums.
 */
final class MsgDefinitions {
  private static final Set<String> BUILTINS =
      Set.of(
          "bool",
          "int8",
          "uint8",
          "int16",
          "uint16",
          "int32",
          "uint32",
          "int64",
          "uint64",
          "float32",
          "float64",
          "string",
          "time",
          "duration",
          "char",
          "byte");
  private static final String SEPARATOR = "=".repeat(80);

  private static final Map<String, String> TEXTS =
      Map.ofEntries(
          Map.entry(
              "std_msgs/Header",
              """
          uint32 seq
          time stamp
          string frame_id
          """),
          Map.entry(
              "std_msgs/String",
              """
          string data
          """),
          Map.entry(
              "std_msgs/Bool",
              """
          bool data
          """),
          Map.entry("std_msgs/Empty", ""),
          Map.entry(
              "std_msgs/MultiArrayDimension",
              """
          string label
          uint32 size
          uint32 stride
          """),
          Map.entry(
              "std_msgs/MultiArrayLayout",
              """
          MultiArrayDimension[] dim
          uint32 data_offset
          """),
          Map.entry(
              "std_msgs/Float64MultiArray",
              """
          MultiArrayLayout layout
          float64[] data
          """),
          Map.entry(
              "sensor_msgs/Image",
              """
          Header header
          uint32 height
          uint32 width
          string encoding
          uint8 is_bigendian
          uint32 step
          uint8[] data
          """),
          Map.entry(
              "sensor_msgs/CompressedImage",
              """
          Header header
          string format
          uint8[] data
          """),
          Map.entry(
              "sensor_msgs/RegionOfInterest",
              """
          uint32 x_offset
          uint32 y_offset
          uint32 height
          uint32 width
          bool do_rectify
          """),
          Map.entry(
              "sensor_msgs/CameraInfo",
              """
          Header header
          uint32 height
          uint32 width
          string distortion_model
          float64[] D
          float64[9] K
          float64[9] R
          float64[12] P
          uint32 binning_x
          uint32 binning_y
          RegionOfInterest roi
          """),
          Map.entry(
              "sensor_msgs/JointState",
              """
          Header header
          string[] name
          float64[] position
          float64[] velocity
          float64[] effort
          """),
          Map.entry(
              "trajectory_msgs/JointTrajectoryPoint",
              """
          float64[] positions
          float64[] velocities
          float64[] accelerations
          float64[] effort
          duration time_from_start
          """),
          Map.entry(
              "trajectory_msgs/JointTrajectory",
              """
          Header header
          string[] joint_names
          JointTrajectoryPoint[] points
          """),
          Map.entry(
              "rosgraph_msgs/Clock",
              """
          time clock
          """),
          Map.entry(
              "rosgraph_msgs/Log",
              """
          byte DEBUG=1
          byte INFO=2
          byte WARN=4
          byte ERROR=8
          byte FATAL=16
          Header header
          byte level
          string name
          string msg
          string file
          string function
          uint32 line
          string[] topics
          """));

  private final Map<String, String> texts;
  private final Map<String, String> md5Cache = new HashMap<>();

  MsgDefinitions(Map<String, String> texts) {
    this.texts = Map.copyOf(texts);
  }

  static MsgDefinitions standard() {
    return new MsgDefinitions(TEXTS);
  }

  /** The standard texts and {@code more} (which may not redefine a standard type). */
  static MsgDefinitions standardWith(Map<String, String> more) {
    Map<String, String> all = new HashMap<>(TEXTS);
    for (Map.Entry<String, String> e : more.entrySet()) {
      if (all.putIfAbsent(e.getKey(), e.getValue()) != null) {
        throw new IllegalArgumentException("message type " + e.getKey() + " defined twice");
      }
    }
    return new MsgDefinitions(all);
  }

  String text(String type) {
    String text = texts.get(type);
    if (text == null) {
      throw new IllegalArgumentException("no definition for message type " + type);
    }
    return text;
  }

  /** genmsg's md5 text: constants, then fields, with nested message types replaced by md5sums. */
  String md5Text(String type) {
    List<String> constants = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    for (String[] decl : parse(type)) {
      String fieldType = decl[0];
      String name = decl[1];
      if (decl.length == 3) {
        constants.add(fieldType + " " + name + "=" + decl[2]);
      } else if (BUILTINS.contains(baseType(fieldType))) {
        fields.add(fieldType + " " + name);
      } else {
        fields.add(md5sum(resolve(type, baseType(fieldType))) + " " + name);
      }
    }
    List<String> all = new ArrayList<>(constants);
    all.addAll(fields);
    return String.join("\n", all).strip();
  }

  synchronized String md5sum(String type) {
    String cached = md5Cache.get(type);
    if (cached != null) {
      return cached;
    }
    String md5 = md5Hex(md5Text(type));
    md5Cache.put(type, md5);
    return md5;
  }

  /** The message text, then every dependency (depth first, each once) after a separator. */
  String fullText(String type) {
    Set<String> deps = new LinkedHashSet<>();
    collectDependencies(type, deps);
    StringBuilder out = new StringBuilder(text(type));
    for (String dep : deps) {
      out.append('\n')
          .append(SEPARATOR)
          .append('\n')
          .append("MSG: ")
          .append(dep)
          .append('\n')
          .append(text(dep));
    }
    return out.toString();
  }

  private void collectDependencies(String type, Set<String> deps) {
    for (String[] decl : parse(type)) {
      if (decl.length == 2 && !BUILTINS.contains(baseType(decl[0]))) {
        String dep = resolve(type, baseType(decl[0]));
        if (deps.add(dep)) {
          collectDependencies(dep, deps);
        }
      }
    }
  }

  /** Declarations of a message: {type, name} for fields, {type, name, value} for constants. */
  private List<String[]> parse(String type) {
    List<String[]> out = new ArrayList<>();
    for (String raw : text(type).split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] typeAndRest = line.split("\\s+", 2);
      if (typeAndRest.length < 2) {
        throw new IllegalArgumentException("bad line in " + type + ": '" + raw + "'");
      }
      String fieldType = typeAndRest[0];
      String rest = typeAndRest[1];
      int eq = rest.indexOf('=');
      int hash = rest.indexOf('#');
      if (eq >= 0 && (hash < 0 || eq < hash)) {
        String name = rest.substring(0, eq).strip();
        String value = rest.substring(eq + 1);
        // String constants keep everything after '=' (a '#' is part of the value).
        value = fieldType.equals("string") ? value.strip() : stripComment(value).strip();
        out.add(new String[] {fieldType, name, value});
      } else {
        out.add(new String[] {fieldType, stripComment(rest).strip()});
      }
    }
    return out;
  }

  private static String stripComment(String s) {
    int hash = s.indexOf('#');
    return hash < 0 ? s : s.substring(0, hash);
  }

  private static String baseType(String fieldType) {
    int bracket = fieldType.indexOf('[');
    return bracket < 0 ? fieldType : fieldType.substring(0, bracket);
  }

  private static String resolve(String owner, String base) {
    if (base.contains("/")) {
      return base;
    }
    if (base.equals("Header")) {
      return "std_msgs/Header";
    }
    return owner.substring(0, owner.indexOf('/') + 1) + base;
  }

  private static String md5Hex(String text) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }
}
