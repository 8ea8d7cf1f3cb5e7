package mantis.server.rossim;

import static org.junit.jupiter.api.Assertions.fail;

import mantis.ros.peers.RosInstallation;
import org.junit.jupiter.api.Assumptions;

/**
 * The real ROS 1 tools for a server test that needs them: the test is skipped where they are
 * missing, except where {@link RosInstallation#required()} (CI), where it fails.
 */
public final class RequireRosTools {
  private static RosInstallation cached;

  private RequireRosTools() {}

  public static synchronized RosInstallation installation() {
    if (cached == null) {
      cached = RosInstallation.detect();
    }
    if (!cached.available()) {
      String why = "ROS 1 tools missing: " + String.join("; ", cached.missing());
      if (RosInstallation.required()) {
        fail(why + " (" + RosInstallation.REQUIRE_ENV + " or CI is set, so this is a failure)");
      }
      Assumptions.abort(why);
    }
    return cached;
  }
}
