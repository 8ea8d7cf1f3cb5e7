package mantis.ros.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the ROS 1 command-line tools and a rospy-capable Python are on this machine. Debian's
 * packages ({@code apt-get install ros-core python3-rospy ros-sensor-msgs ros-trajectory-msgs
 * python3-sensor-msgs python3-trajectory-msgs}) put them in {@code /usr/bin}.
 */
public final class RosInstallation {
  /** Environment variable that makes missing ROS tools a failure instead of a skip (CI sets it). */
  public static final String REQUIRE_ENV = "MANTIS_REQUIRE_ROS";

  private final Path roscore;
  private final Path rostopic;
  private final Path python;
  private final List<String> missing;

  private RosInstallation(Path roscore, Path rostopic, Path python, List<String> missing) {
    this.roscore = roscore;
    this.rostopic = rostopic;
    this.python = python;
    this.missing = List.copyOf(missing);
  }

  /** Looks for {@code roscore}, {@code rostopic} and a Python that can {@code import rospy}. */
  public static RosInstallation detect() {
    List<String> missing = new ArrayList<>();
    Path roscore = onPath("roscore").orElse(null);
    if (roscore == null) {
      missing.add("roscore (Debian package ros-core)");
    }
    Path rostopic = onPath("rostopic").orElse(null);
    if (rostopic == null) {
      missing.add("rostopic (Debian package ros-core)");
    }
    Path python = null;
    for (String candidate : List.of("/usr/bin/python3", "python3")) {
      Path p = candidate.startsWith("/") ? Path.of(candidate) : onPath(candidate).orElse(null);
      if (p != null && Files.isExecutable(p) && importsRospy(p)) {
        python = p;
        break;
      }
    }
    if (python == null) {
      missing.add(
          "a python3 that can import rospy, sensor_msgs and trajectory_msgs (Debian packages "
              + "python3-rospy python3-sensor-msgs python3-trajectory-msgs)");
    }
    return new RosInstallation(roscore, rostopic, python, missing);
  }

  /** True when every tool was found. */
  public boolean available() {
    return missing.isEmpty();
  }

  /** What is missing, one phrase per tool; empty when {@link #available()}. */
  public List<String> missing() {
    return missing;
  }

  /** True when the environment demands real ROS peers ({@value #REQUIRE_ENV}=1 or CI set). */
  public static boolean required() {
    String v = System.getenv(REQUIRE_ENV);
    if (v != null && !v.isBlank() && !v.equals("0")) {
      return true;
    }
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equals("false") && !ci.equals("0");
  }

  public Path roscore() {
    return require(roscore, "roscore");
  }

  public Path rostopic() {
    return require(rostopic, "rostopic");
  }

  /** A Python 3 interpreter that imports rospy. */
  public Path python() {
    return require(python, "python3 with rospy");
  }

  private Path require(Path p, String what) {
    if (p == null) {
      throw new IllegalStateException(what + " is not installed; missing: " + missing);
    }
    return p;
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static boolean importsRospy(Path python) {
    try {
      Process p =
          new ProcessBuilder(
                  python.toString(),
                  "-c",
                  "import rospy, sensor_msgs.msg, trajectory_msgs.msg, std_msgs.msg")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
