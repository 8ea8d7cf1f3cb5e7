package mantis.app;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mantis.ros.node.RosNode;
import mantis.ros.node.ShutdownRequest;
import mantis.sim.TaskFamily;
import mantis.simros.RosSimRobot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mantis sim-ros}: the tabletop simulator as a ROS 1 robot. It runs until SIGTERM/SIGINT,
 * {@code --duration-s}, or a peer's slave API {@code shutdown} ({@code rosnode kill /mantis_sim},
 * or the master when another node takes its name): then the simulated robot stops publishing, the
 * node leaves the graph, the command logs who asked and exits 0.
 */
@Command(
    name = "sim-ros",
    mixinStandardHelpOptions = true,
    description =
        "Run the tabletop simulator as a ROS 1 robot: publishes /camera/image_raw (rgb8), "
            + "/camera/camera_info, /joint_states and the task instruction on /mantis/instruction "
            + "(latched), and executes trajectory_msgs/JointTrajectory from /arm_controller/command like "
            + "a ros_control JointTrajectoryController. Runs until stopped, --duration-s, or rosnode kill (then exits 0).")
final class SimRosCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(SimRosCommand.class);

  @Option(
      names = "--master",
      paramLabel = "URI",
      description = "ROS master URI (default: $ROS_MASTER_URI, else http://localhost:11311/).")
  String master;

  @Option(
      names = "--family",
      defaultValue = "reach",
      converter = Families.class,
      description = "reach (default), push_direction or push_to_target.")
  List<TaskFamily> families;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description =
          "Seed of the first episode; each finished episode starts the next (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--rate-hz",
      defaultValue = "20",
      description = "Camera images per second (default ${DEFAULT-VALUE}).")
  double rateHz;

  @Option(
      names = "--width",
      defaultValue = "640",
      description = "Image width, pixels (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--height",
      defaultValue = "480",
      description = "Image height, pixels (default ${DEFAULT-VALUE}).")
  int height;

  @Option(
      names = "--node-name",
      defaultValue = "mantis_sim",
      description = "ROS node name (default ${DEFAULT-VALUE}).")
  String nodeName;

  @Option(
      names = "--ros-host",
      paramLabel = "HOST",
      description =
          "Host or IP other nodes reach this one at (default: $ROS_IP, $ROS_HOSTNAME, the host name).")
  String rosHost;

  @Option(
      names = "--controller",
      defaultValue = "/arm_controller",
      description =
          "Trajectory controller namespace; commands arrive on <controller>/command (default ${DEFAULT-VALUE}).")
  String controller;

  @Option(
      names = "--duration-s",
      defaultValue = "0",
      description = "Stop after this many seconds (0: run until stopped).")
  double durationS;

  static URI masterUri(String option) {
    String m = option != null ? option : System.getenv("ROS_MASTER_URI");
    if (m == null || m.isBlank()) {
      m = "http://localhost:11311/";
    }
    URI uri = URI.create(m.trim());
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
      throw new IllegalArgumentException(
          "the ROS master URI must look like http://host:11311/, got '" + m + "'");
    }
    return uri;
  }

  @Override
  public Integer call() throws Exception {
    URI uri;
    RosSimRobot.Builder b = RosSimRobot.builder();
    try {
      if (families.size() != 1) {
        throw new IllegalArgumentException("--family takes one family, not all");
      }
      uri = masterUri(master);
      // Checked again by RosSimRobot's builder; here so that a usage error never touches ROS.
      if (!(rateHz > 0) || rateHz > 1000) {
        throw new IllegalArgumentException(
            "--rate-hz: the image rate must be in (0, 1000] Hz, got " + rateHz);
      }
      b.setFamily(families.get(0))
          .setSeed(seed)
          .optImageRateHz(rateHz)
          .optImageSize(width, height)
          .optController(controller);
    } catch (IllegalArgumentException e) {
      System.err.println("mantis sim-ros: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<ShutdownRequest> killed = new AtomicReference<>();
    AtomicReference<RosSimRobot> robotRef = new AtomicReference<>();
    // rosnode kill: stop the robot while the node is still up (it closes when the handler returns).
    RosNode.Builder nb =
        RosNode.builder()
            .setName(nodeName)
            .setMasterUri(uri)
            .optShutdownHandler(
                request -> {
                  log.warn(
                      "shutdown requested by {}: stopping the simulated robot and leaving the graph",
                      request);
                  killed.set(request);
                  RosSimRobot r = robotRef.get();
                  if (r != null) {
                    r.close();
                  }
                  stopped.countDown();
                });
    if (rosHost != null) {
      nb.optHost(rosHost);
    }
    RosNode node = nb.build();
    RosSimRobot robot;
    try {
      robot = b.setNode(node).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("mantis sim-ros: " + e.getMessage());
      return 2;
    }
    robotRef.set(robot);
    Thread hook =
        new Thread(
            () -> {
              robot.close();
              node.close();
              stopped.countDown();
            },
            "mantis-sim-ros-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    node.start();
    robot.start();
    System.out.println(
        "mantis sim-ros: node "
            + node.name()
            + " on "
            + uri
            + ", "
            + families.get(0).name().toLowerCase(java.util.Locale.ROOT)
            + " seed "
            + seed
            + ": '"
            + robot.instruction()
            + "'");
    boolean ended =
        durationS > 0
            ? stopped.await(Math.round(durationS * 1000), TimeUnit.MILLISECONDS)
            : await(stopped);
    if (ended && killed.get() == null) {
      return 0; // stopped by a signal: the hook closed everything
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyStopping) {
      return 0; // a signal came too: the hook closes everything
    }
    robot.close();
    node.close();
    System.out.println(
        "mantis sim-ros: "
            + robot.imagesPublished()
            + " images, "
            + robot.jointStatesPublished()
            + " joint states, "
            + robot.trajectoriesAccepted()
            + " trajectories followed ("
            + robot.trajectoriesRefused()
            + " refused), "
            + robot.episodesFinished()
            + " episodes finished");
    if (killed.get() != null) {
      log.info("mantis sim-ros: stopped (shutdown requested by {}); exiting", killed.get());
    }
    return 0;
  }

  private static boolean await(CountDownLatch latch) throws InterruptedException {
    latch.await();
    return true;
  }
}
