package mantis.model.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;

/**
 * Normalisation of the action decoder's outputs: the standard deviation of each chunk point's joint
 * change from the current position (target at step k minus measured position), per step and joint.
 * The decoder predicts changes divided by these.
 *
 * @param chunkLength H
 * @param joints joints per point
 * @param deltaStdRad H x joints, row-major, every value &gt; 0
 */
public record ActionStats(int chunkLength, int joints, double[] deltaStdRad) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Floor on a standard deviation, radians. */
  static final double MIN_STD_RAD = 1e-3;

  public ActionStats {
    if (chunkLength < 1 || joints < 1) {
      throw new IllegalArgumentException("chunkLength and joints must be >= 1");
    }
    deltaStdRad = deltaStdRad.clone();
    if (deltaStdRad.length != chunkLength * joints) {
      throw new IllegalArgumentException(
          "deltaStdRad has " + deltaStdRad.length + " values, expected " + chunkLength * joints);
    }
    for (double v : deltaStdRad) {
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException("deltaStdRad values must be finite and > 0, got " + v);
      }
    }
  }

  @Override
  public double[] deltaStdRad() {
    return deltaStdRad.clone();
  }

  double std(int k, int j) {
    return deltaStdRad[k * joints + j];
  }

  /** Unit standard deviations (for a network that has seen no actions yet). */
  public static ActionStats unit(int chunkLength, int joints) {
    double[] s = new double[chunkLength * joints];
    Arrays.fill(s, 1.0);
    return new ActionStats(chunkLength, joints, s);
  }

  /** The statistics of the labelled examples (those with joints and targets). */
  public static ActionStats of(List<PolicyExample> examples, int chunkLength, int joints) {
    double[] sum = new double[chunkLength * joints];
    long n = 0;
    for (PolicyExample e : examples) {
      double[] t = e.labels().targetsRad();
      if (t == null || !e.hasJoints()) {
        continue;
      }
      n++;
      for (int k = 0; k < chunkLength; k++) {
        for (int j = 0; j < joints; j++) {
          double d = t[k * joints + j] - e.jointPositionsRad()[j];
          sum[k * joints + j] += d * d;
        }
      }
    }
    if (n == 0) {
      return unit(chunkLength, joints);
    }
    double[] std = new double[sum.length];
    for (int i = 0; i < std.length; i++) {
      std[i] = Math.max(MIN_STD_RAD, Math.sqrt(sum[i] / n));
    }
    return new ActionStats(chunkLength, joints, std);
  }

  /** JSON form, as stored in a bundle's {@code stats.json}. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("chunkLength", chunkLength);
    root.put("joints", joints);
    ArrayNode a = root.putArray("deltaStdRad");
    for (double v : deltaStdRad) {
      a.add(v);
    }
    return root.toPrettyString();
  }

  /**
   * Reads {@link #toJson()}.
   *
   * @throws IllegalArgumentException when a field is missing or invalid
   */
  public static ActionStats fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("stats.json is not JSON: " + e.getMessage(), e);
    }
    for (String f : List.of("chunkLength", "joints", "deltaStdRad")) {
      if (root == null || !root.has(f)) {
        throw new IllegalArgumentException("stats.json: field '" + f + "' is missing");
      }
    }
    JsonNode a = root.get("deltaStdRad");
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).asDouble();
    }
    return new ActionStats(root.get("chunkLength").asInt(), root.get("joints").asInt(), v);
  }
}
