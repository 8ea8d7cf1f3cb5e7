package mantis.ros.peers;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The real ROS tools for an interop test. Where they are missing the test is skipped with the
 * reason, except where {@link RosInstallation#required()} (CI): there it fails.
 */
public final class RequireRos {
  private static RosInstallation cached;

  private RequireRos() {}

  /** The installation, or abort/fail the calling test. */
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
