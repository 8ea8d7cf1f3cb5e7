package mantis.ros.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A ROS tool or rospy script running against a master, with stdout and stderr captured in a file.
 * Start one with {@link #start}; read what it printed with {@link #output()}.
 */
public final class RosProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String description;

  private RosProcess(Process process, Path log, String description) {
    this.process = process;
    this.log = log;
    this.description = description;
  }

  /**
   * Starts {@code command} with the master's environment (see {@link
   * RosCoreProcess#environment()}), output going to a temporary file.
   */
  public static RosProcess start(Map<String, String> env, List<String> command) throws IOException {
    Path log = Files.createTempFile("mantis-rosproc-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().remove("ROS_HOSTNAME");
    return new RosProcess(pb.start(), log, String.join(" ", command));
  }

  /** {@code python script args...} with the installation's rospy-capable Python. */
  public static RosProcess python(
      RosInstallation ros, Map<String, String> env, Path script, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ros.python().toString());
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    return start(env, cmd);
  }

  /** {@code rostopic args...}. */
  public static RosProcess rostopic(RosInstallation ros, Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ros.rostopic().toString());
    cmd.addAll(List.of(args));
    return start(env, cmd);
  }

  /** Everything printed so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process handle, e.g. to kill it abruptly. */
  public Process process() {
    return process;
  }

  /**
   * Waits for exit; returns the exit code.
   *
   * @throws IOException if it does not exit within {@code timeout} (it is then killed)
   */
  public int waitFor(Duration timeout) throws IOException {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        close();
        throw new IOException(
            "'" + description + "' did not exit within " + timeout + "; output:\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return process.exitValue();
  }

  /** Polls {@link #output()} until it contains {@code text}; false on timeout or exit. */
  public boolean awaitOutput(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (output().contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        return output().contains(text);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** SIGINT-like stop (SIGTERM), then SIGKILL after 3 s, children included. */
  @Override
  public void close() {
    var children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }
}
