package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.security.AuditLog;
import mantis.security.BearerToken;
import mantis.security.ServerSecurity;
import mantis.sim.TaskFamily;
import mantis.teleop.BridgedTeleop;
import mantis.teleop.SimTeleop;
import mantis.teleop.Teleop;
import mantis.teleop.dashboard.DashboardServer;
import picocli.CommandLine.Option;

/**
 * The teleop dashboard flags shared by {@code serve} and {@code demo}, and the wiring: a {@link
 * SimTeleop} (or, with {@code --dashboard-arm bridge}, a {@link BridgedTeleop} on a bridged real
 * arm) whose shadow policy is the same server over an in-process channel, behind a {@link
 * DashboardServer}. With {@code serve}'s security ({@code --tokens-file}, {@code --tls-cert},
 * {@code --audit-log}, {@code --insecure}) the dashboard takes the server's tokens with their
 * roles, serves HTTPS with the same certificate, and writes to the same audit log.
 */
final class DashboardOptions {
  @Option(
      names = "--dashboard-arm",
      paramLabel = "sim|bridge",
      description =
          "The arm the dashboard drives: sim (default: a simulated arm in this process) or bridge (a real "
              + "arm behind `mantis bridge` with arm_service.port set; needs --arm-service, --ros-master or "
              + "ROS_MASTER_URI, and --camera-topic).")
  String arm = "sim";

  @Option(
      names = "--arm-service",
      paramLabel = "HOST:PORT",
      description = "With --dashboard-arm bridge: the bridge's ArmService (its arm_service.port).")
  String armService;

  @Option(
      names = "--arm-token-file",
      paramLabel = "FILE",
      description = "With --dashboard-arm bridge: send the bearer token in FILE to the ArmService.")
  Path armTokenFile;

  @Option(
      names = "--arm-tls-ca",
      paramLabel = "PEM",
      description = "With --dashboard-arm bridge: reach the ArmService over TLS, trusting this CA.")
  Path armTlsCa;

  @Option(
      names = "--arm-tls-cert",
      paramLabel = "PEM",
      description =
          "With --dashboard-arm bridge: mutual TLS client certificate (with --arm-tls-key, --arm-tls-ca).")
  Path armTlsCert;

  @Option(
      names = "--arm-tls-key",
      paramLabel = "PEM",
      description = "With --dashboard-arm bridge: the private key of --arm-tls-cert (PKCS#8).")
  Path armTlsKey;

  @Option(
      names = "--ros-master",
      paramLabel = "URI",
      description = "With --dashboard-arm bridge: the ROS master (default $ROS_MASTER_URI).")
  URI rosMaster;

  @Option(
      names = "--ros-host",
      paramLabel = "HOST",
      description =
          "With --dashboard-arm bridge: how ROS nodes reach the dashboard's node (default ROS_IP, "
              + "ROS_HOSTNAME, the host name).")
  String rosHost;

  @Option(
      names = "--camera-topic",
      paramLabel = "TOPIC",
      description =
          "With --dashboard-arm bridge: the camera, sensor_msgs/Image (rgb8/bgr8); a topic ending in "
              + "/compressed is read as sensor_msgs/CompressedImage (JPEG/PNG).")
  String cameraTopic;

  @Option(
      names = "--instruction-topic",
      paramLabel = "TOPIC",
      description =
          "With --dashboard-arm bridge: the instruction, std_msgs/String, latest wins (default /mantis/instruction).")
  String instructionTopic = "/mantis/instruction";

  @Option(
      names = "--instruction",
      paramLabel = "TEXT",
      description = "With --dashboard-arm bridge: the instruction until the topic says otherwise.")
  String instruction;

  @Option(
      names = "--dashboard-host",
      description =
          "Teleop dashboard address (default 127.0.0.1: this machine only; any other address needs a token, "
              + "and TLS (--tls-cert/--tls-key) or --insecure).")
  String host = "127.0.0.1";

  @Option(
      names = "--dashboard-token",
      paramLabel = "TOKEN",
      description =
          "The dashboard's token when the server has no tokens (--tokens-file), at least 16 characters: "
              + "the login page asks for it, scripts send 'Authorization: Bearer TOKEN'; it has every right (admin). "
              + "Given, it is asked for on every bind, loopback included. Prefer --dashboard-token-file (a command line "
              + "is visible to every user of the machine). Default: generated and printed where a login is needed (off "
              + "loopback, or behind a proxy named in --dashboard-allowed-hosts).")
  String token;

  @Option(
      names = "--dashboard-token-file",
      paramLabel = "FILE",
      description =
          "As --dashboard-token, read from the first non-blank line of FILE (keep it chmod 600).")
  Path tokenFile;

  @Option(
      names = "--dashboard-allowed-hosts",
      paramLabel = "NAME[,NAME...]",
      split = ",",
      description =
          "Further host names (or addresses) the dashboard answers to, e.g. a reverse proxy's name or this "
              + "machine's full DNS name. Always accepted: localhost and loopback addresses; off loopback also the bound "
              + "address, this machine's addresses and its host name. Other Host headers get 403 (DNS rebinding). A name "
              + "other than loopback makes a loopback dashboard ask for a login (others reach it through that name).")
  List<String> allowedHosts = List.of();

  @Option(
      names = "--recordings",
      paramLabel = "DIR",
      description = "Where the dashboard's teleop recordings go (default recordings/teleop).")
  Path recordings = Path.of("recordings", "teleop");

  /**
   * Refuses what {@code security} (the server's tokens, TLS, {@code --insecure}) does not allow the
   * dashboard: a {@code --dashboard-token} next to the server's tokens, plain HTTP off loopback
   * without {@code --insecure}. Returns the warning banner to print (empty when none).
   *
   * @throws IllegalArgumentException with the reason
   */
  List<String> checkSecurity(ServerSecurity security) {
    try {
      return DashboardServer.checkSettings(host, token(), allowedHosts, security);
    } catch (IllegalArgumentException e) {
      if (tokenFile != null
          && e.getMessage() != null
          && e.getMessage().startsWith("the dashboard token")) {
        throw new IllegalArgumentException(
            "--dashboard-token-file " + tokenFile + ": " + e.getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * The dashboard token: {@code --dashboard-token}, or the first non-blank line of {@code
   * --dashboard-token-file} (read on each call), or null.
   *
   * @throws IllegalArgumentException when both are given, or the file cannot be read or holds no
   *     token
   */
  String token() {
    if (tokenFile == null) {
      return token;
    }
    if (token != null) {
      throw new IllegalArgumentException(
          "give either --dashboard-token or --dashboard-token-file, not both");
    }
    return BearerToken.readSecretLine(tokenFile, "--dashboard-token-file");
  }

  /**
   * Refuses bad access or arm flags before anything starts ({@link IllegalArgumentException} with
   * the reason). The token itself is judged by {@link #checkSecurity}, which knows whether the
   * server has tokens.
   */
  void check() {
    token();
    DashboardServer.checkAccessSettings(host, null, allowedHosts);
    String a = arm == null ? "" : arm.toLowerCase(Locale.ROOT);
    if (!a.equals("sim") && !a.equals("bridge")) {
      throw new IllegalArgumentException(
          "--dashboard-arm must be sim or bridge, got '" + arm + "'");
    }
    if (a.equals("bridge")) {
      if (armService == null || armService.isBlank()) {
        throw new IllegalArgumentException(
            "--dashboard-arm bridge needs --arm-service HOST:PORT (the bridge's "
                + "arm_service.port)");
      }
      if (rosMaster() == null) {
        throw new IllegalArgumentException(
            "--dashboard-arm bridge needs --ros-master URI (or ROS_MASTER_URI set)");
      }
      if (cameraTopic == null || cameraTopic.isBlank()) {
        throw new IllegalArgumentException(
            "--dashboard-arm bridge needs --camera-topic TOPIC (sensor_msgs/Image, "
                + "or a .../compressed CompressedImage topic)");
      }
      bridgedTeleop(
          InProcessChannelBuilder.forName("check").build(), 128, RobotSpecs.mantisPlanar3(), true);
    }
  }

  boolean bridged() {
    return "bridge".equalsIgnoreCase(arm);
  }

  private URI rosMaster() {
    if (rosMaster != null) {
      return rosMaster;
    }
    String env = System.getenv("ROS_MASTER_URI");
    return env == null || env.isBlank() ? null : URI.create(env.strip());
  }

  /** TLS and token for the bridge's ArmService, from the --arm-* flags. */
  private mantis.security.ClientSecurity armSecurity() {
    if ((armTlsCert != null || armTlsKey != null) && armTlsCa == null) {
      throw new IllegalArgumentException(
          "--arm-tls-cert and --arm-tls-key (mutual TLS) need --arm-tls-ca too");
    }
    return new mantis.security.ClientSecurity(
        armTlsCa == null
            ? java.util.Optional.empty()
            : java.util.Optional.of(
                new mantis.security.TlsClientConfig(
                    java.util.Optional.of(armTlsCa),
                    java.util.Optional.ofNullable(armTlsCert),
                    java.util.Optional.ofNullable(armTlsKey))),
        armTokenFile == null
            ? java.util.Optional.empty()
            : java.util.Optional.of(mantis.security.BearerToken.fromFile(armTokenFile)));
  }

  /**
   * Builds (and with {@code checkOnly} only validates, closing the channel) the bridged session.
   */
  private BridgedTeleop bridgedTeleop(
      ManagedChannel channel, int inputPx, RobotSpec robot, boolean checkOnly) {
    return bridgedTeleop(channel, inputPx, robot, AuditLog.none(), checkOnly);
  }

  private BridgedTeleop bridgedTeleop(
      ManagedChannel channel, int inputPx, RobotSpec robot, AuditLog audit, boolean checkOnly) {
    try {
      BridgedTeleop.Builder b =
          BridgedTeleop.builder()
              .setPolicyChannel(channel)
              .setArmTarget(armService)
              .optArmCredentials(armSecurity().channelCredentials())
              .setRosMaster(rosMaster())
              .setRobot(robot)
              .optInputPx(inputPx)
              .optInstructionTopic(
                  instructionTopic == null || instructionTopic.isBlank() ? null : instructionTopic)
              .optInstruction(instruction)
              .optAuditLog(audit)
              // the dashboard page lists the simulator's families; on a real arm the name only
              // labels the episode
              .optTasks(mantis.teleop.SimTeleop.TASKS);
      if (cameraTopic.strip().endsWith("/compressed")) {
        b.optCompressedImageTopic(cameraTopic.strip());
      } else {
        b.setImageTopic(cameraTopic.strip());
      }
      if (rosHost != null) {
        b.optRosHost(rosHost);
      }
      return b.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } finally {
      if (checkOnly) {
        channel.shutdownNow();
      }
    }
  }

  /** A running dashboard and what it owns. */
  static final class Running implements AutoCloseable {
    final DashboardServer dashboard;
    private final Teleop teleop;
    private final ManagedChannel channel;

    Running(DashboardServer dashboard, Teleop teleop, ManagedChannel channel) {
      this.dashboard = dashboard;
      this.teleop = teleop;
      this.channel = channel;
    }

    /**
     * The address to open. Never with the token in it (it would stay in browser history and logs):
     * the page asks for it.
     */
    String openUrl() {
      return dashboard.url();
    }

    @Override
    public void close() {
      dashboard.close();
      teleop.close();
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Starts a simulated teleop session against the server listening in-process under {@code
   * inProcessName}, and the dashboard on {@code port}; prints where to open it on {@code out}.
   */
  Running start(String inProcessName, int port, int inputPx, PrintStream out) {
    return start(inProcessName, port, inputPx, RobotSpecs.mantisPlanar3(), out);
  }

  /**
   * Starts the teleop session chosen by {@code --dashboard-arm} (the simulated arm, or the bridged
   * arm described by {@code robot}) against the server listening in-process under {@code
   * inProcessName}, and the dashboard on {@code port}; prints where to open it on {@code out}.
   */
  Running start(String inProcessName, int port, int inputPx, RobotSpec robot, PrintStream out) {
    return start(inProcessName, port, inputPx, robot, ServerSecurity.none(), out);
  }

  /**
   * As {@link #start(String, int, int, RobotSpec, PrintStream)} with the server's {@code security}:
   * its tokens and roles for the logins, its TLS certificate for HTTPS, its audit log for logins,
   * takeovers, e-stops, resets, command sources and recordings.
   */
  Running start(
      String inProcessName,
      int port,
      int inputPx,
      RobotSpec robot,
      ServerSecurity security,
      PrintStream out) {
    String dashboardToken = token();
    DashboardServer.Builder db =
        DashboardServer.builder()
            .optHost(host)
            .optPort(port)
            .optToken(dashboardToken)
            .optAllowedHosts(allowedHosts)
            .optSecurity(security);
    ManagedChannel channel = InProcessChannelBuilder.forName(inProcessName).build();
    Teleop teleop = null;
    try {
      DashboardServer dashboard;
      if (bridged()) {
        BridgedTeleop bridged = bridgedTeleop(channel, inputPx, robot, security.auditLog(), false);
        teleop = bridged;
        dashboard = db.setTeleop(bridged).build();
        bridged.start();
      } else {
        SimTeleop sim =
            SimTeleop.builder()
                .setPolicyChannel(channel)
                .optFamily(TaskFamily.REACH)
                .optSeed(1)
                .optInputPx(inputPx)
                .optRecordingsDir(recordings)
                .optAuditLog(security.auditLog())
                .build();
        teleop = sim;
        dashboard = db.setTeleop(sim).build();
        sim.start();
      }
      dashboard.start();
      Running r = new Running(dashboard, teleop, channel);
      out.println(
          "mantis: teleop dashboard at "
              + r.openUrl()
              + (bridged() ? " (bridged arm at " + armService + ")" : ""));
      if (dashboard.roleTokens()) {
        out.println(
            "mantis: the dashboard asks for one of the server's tokens (--tokens-file, security.tokens); "
                + "the token's role decides what its holder may do");
      } else if (dashboard.tokenRequired()) {
        out.println(
            dashboardToken == null
                ? "mantis: dashboard token (generated for this run; --dashboard-token-file sets one): "
                    + dashboard.token()
                : "mantis: the dashboard asks for the token given with "
                    + (tokenFile != null ? "--dashboard-token-file" : "--dashboard-token"));
      }
      return r;
    } catch (RuntimeException e) {
      if (teleop != null) {
        teleop.close();
      }
      channel.shutdownNow();
      throw e;
    }
  }
}
