package mantis.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/** Temporary reader of core's planar3.yaml until RobotSpecs is published. */
final class Planar3 {
  private Planar3() {}

  static RobotSpec load() {
    String text;
    try (InputStream in = Planar3.class.getResourceAsStream("/mantis/robots/planar3.yaml")) {
      if (in == null) {
        throw new IllegalStateException("resource /mantis/robots/planar3.yaml not on the class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String name = null;
    List<JointLimits> joints = new ArrayList<>();
    String jn = null;
    double[] v = new double[4];
    int seen = 0;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      if (line.startsWith("- ")) {
        line = line.substring(2).strip();
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).strip();
      String val = line.substring(colon + 1).strip();
      switch (key) {
        case "name":
          if (name == null) {
            name = val;
          } else {
            jn = val;
            seen = 0;
          }
          break;
        case "min_position_rad": v[0] = Double.parseDouble(val); seen++; break;
        case "max_position_rad": v[1] = Double.parseDouble(val); seen++; break;
        case "max_velocity_rad_per_s": v[2] = Double.parseDouble(val); seen++; break;
        case "max_acceleration_rad_per_s2": v[3] = Double.parseDouble(val); seen++; break;
        default:
          break;
      }
      if (jn != null && seen == 4) {
        joints.add(new JointLimits(jn, v[0], v[1], v[2], v[3]));
        jn = null;
        seen = 0;
      }
    }
    return new RobotSpec(name, joints);
  }
}
