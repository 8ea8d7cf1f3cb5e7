package mantis.ros.peers;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code roscore} (master, parameter server, rosout) on a port of its own, with its logs in
 * a private {@code ROS_HOME}. {@link #start()} returns once the master answers XML-RPC; {@link
 * #kill()} stops it abruptly (as a crash would) and {@link #start()} may be called again to bring a
 * fresh master up on the same port.
 */
public final class RosCoreProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RosCoreProcess.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final RosInstallation ros;
  private final int port;
  private final Path rosHome;
  private Process process;

  private RosCoreProcess(RosInstallation ros, int port, Path rosHome) {
    this.ros = ros;
    this.port = port;
    this.rosHome = rosHome;
  }

  /** A roscore on a free local port; not started yet. */
  public static RosCoreProcess onFreePort(RosInstallation ros) throws IOException {
    return new RosCoreProcess(ros, freePort(), Files.createTempDirectory("mantis-roshome-"));
  }

  /** The master URI, e.g. {@code http://localhost:43121/}. */
  public URI uri() {
    return URI.create("http://localhost:" + port + "/");
  }

  public int port() {
    return port;
  }

  /** The ROS_HOME holding this master's logs. */
  public Path rosHome() {
    return rosHome;
  }

  /**
   * Environment for ROS tools talking to this master: ROS_MASTER_URI, ROS_HOME, ROS_LOG_DIR,
   * ROS_IP=127.0.0.1 and PYTHONUNBUFFERED=1.
   */
  public Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("ROS_MASTER_URI", uri().toString());
    env.put("ROS_HOME", rosHome.toString());
    env.put("ROS_LOG_DIR", rosHome.resolve("log").toString());
    env.put("ROS_IP", "127.0.0.1");
    env.remove("ROS_HOSTNAME");
    env.put("PYTHONUNBUFFERED", "1");
    return env;
  }

  /** Starts roscore and waits until the master answers {@code getPid}. */
  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("roscore on port " + port + " is already running");
    }
    ProcessBuilder pb =
        new ProcessBuilder(ros.roscore().toString(), "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(rosHome.resolve("roscore.out").toFile()));
    pb.environment().putAll(environment());
    pb.environment().remove("ROS_HOSTNAME");
    process = pb.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "roscore exited with "
                + process.exitValue()
                + "; see "
                + rosHome.resolve("roscore.out"));
      }
      if (masterAnswers(uri())) {
        LOG.info("roscore up at {} (ROS_HOME {})", uri(), rosHome);
        return;
      }
      sleep(100);
    }
    kill();
    throw new IOException("roscore did not answer on " + uri() + " within " + START_TIMEOUT);
  }

  /** True while the master answers XML-RPC. */
  public boolean isUp() {
    return masterAnswers(uri());
  }

  /** Kills roscore and its children (rosmaster, rosout) with SIGKILL, like a crash. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (masterAnswers(uri()) && System.nanoTime() < deadline) {
      sleep(50);
    }
    process = null;
  }

  /** Stops roscore (SIGTERM, then SIGKILL after 5 s). */
  @Override
  public synchronized void close() {
    if (process == null) {
      return;
    }
    var children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
    process = null;
  }

  /** True when {@code master} answers an XML-RPC {@code getPid} with code 1. */
  public static boolean masterAnswers(URI master) {
    String body =
        "<?xml version=\"1.0\"?><methodCall><methodName>getPid</methodName><params>"
            + "<param><value><string>/mantis_probe</string></value></param></params></methodCall>";
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
      HttpRequest req =
          HttpRequest.newBuilder(master)
              .timeout(Duration.ofSeconds(1))
              .header("Content-Type", "text/xml")
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
              .build();
      HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
      return resp.statusCode() == 200
          && resp.body().replaceAll("\\s", "").contains("<data><value><int>1</int></value>");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
