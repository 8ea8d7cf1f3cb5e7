package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mantis.core.MonotonicClock;
import mantis.ros.bridge.BridgeConfig;
import mantis.ros.bridge.BridgeNode;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.node.RosNode;
import mantis.ros.node.SubscriberOptions;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TestCertificates;
import mantis.security.TlsServerConfig;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The ROS bridge as a client of a real Mantis server with TLS and tokens on loopback, in a real ROS
 * graph (roscore, the rospy stand-in robot of the ros-bridge tests): with an operator token it
 * streams and the robot gets motion; with no token, a token the server does not know, or a viewer
 * token, the server refuses the Control stream, the bridge holds, logs one ERROR and keeps retrying
 * at its backoff.
 */
@Tag("ros")
class BridgeClientSecurityTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path ROBOT =
      Path.of("../ros-bridge/src/test/resources/mantis/ros/bridge/fake_robot.py");
  private static final Pattern RECONNECTS = Pattern.compile("reconnects=(\\d+)");
  static final String VIEWER = TokenStore.newToken();
  static final String OPERATOR = TokenStore.newToken();

  @TempDir static Path dir;
  private static RosCoreProcess core;
  private static RosProcess robot;
  private static RosNode watcher;
  private static final List<String> statuses = new CopyOnWriteArrayList<>();
  private static TestCertificates certs;
  private static MantisServer tlsServer;
  private static MantisServer mtlsServer;

  private final Logger coreLog = (Logger) LoggerFactory.getLogger("mantis.ros.bridge.BridgeCore");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void startAll() throws Exception {
    RosInstallation ros = RequireRos.installation();
    certs = TestCertificates.create(dir.resolve("tls"));
    TokenStore tokens =
        TokenStore.of(
            List.of(
                TokenEntry.forToken("lab-viewer", Role.VIEWER, VIEWER),
                TokenEntry.forToken("lab-bridge", Role.OPERATOR, OPERATOR)));
    tlsServer =
        server(
            ServerSecurity.builder()
                .optTokens(tokens)
                .optTls(TlsServerConfig.of(certs.server.cert(), certs.server.key()))
                .build());
    mtlsServer =
        server(
            ServerSecurity.builder()
                .optTokens(tokens)
                .optTls(
                    new TlsServerConfig(
                        certs.server.cert(), certs.server.key(), java.util.Optional.of(certs.ca)))
                .build());
    Files.writeString(dir.resolve("operator.token"), OPERATOR + "\n");
    Files.writeString(dir.resolve("viewer.token"), VIEWER + "\n");
    Files.writeString(dir.resolve("unknown.token"), TokenStore.newToken() + "\n");
    core = RosCoreProcess.onFreePort(ros);
    core.start();
    robot =
        RosProcess.python(
            ros,
            core.environment(),
            ROBOT,
            "--joints",
            "shoulder_joint,elbow_joint,wrist_joint",
            "--positions",
            "0.1,-0.2,0.3",
            "--command",
            "/arm_controller/command");
    assertTrue(robot.awaitOutput("READY", WAIT), robot.output());
    watcher =
        RosNode.builder()
            .setName("status_watcher")
            .setMasterUri(core.uri())
            .optHost("127.0.0.1")
            .build();
    watcher.start();
    watcher.subscribe(
        "/mantis/status",
        RosMessages.STRING,
        SubscriberOptions.defaults(),
        (RosString m) -> statuses.add(m.data()));
  }

  private static MantisServer server(ServerSecurity security) throws Exception {
    MonotonicClock clock = MonotonicClock.system();
    MantisServer s =
        TestServer.builder(
                TestServer.policy(
                    obs ->
                        TestServer.chunk(
                            obs.jointState().positionsRad(),
                            new double[] {0.15, -0.2, 0.3},
                            clock.nanoTime() + 1_000_000_000L)))
            .optHost("127.0.0.1")
            .optPort(0)
            .optSecurity(security)
            .build()
            .start();
    assertTrue(s.awaitServing(20, TimeUnit.SECONDS));
    return s;
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable c : new AutoCloseable[] {watcher, robot, core, tlsServer, mtlsServer}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    coreLog.addAppender(logs);
    statuses.clear();
  }

  @AfterEach
  void releaseLogs() {
    coreLog.detachAppender(logs);
  }

  private BridgeNode bridge(String node, MantisServer server, String security) throws Exception {
    BridgeConfig cfg =
        BridgeConfig.parse(
            """
        ros:
          master_uri: %s
          node_name: %s
          host: 127.0.0.1
        topics:
          image: /camera/image_raw
          joint_states: /joint_states
          controller: /arm_controller
        robot:
          joints: [shoulder_joint, elbow_joint, wrist_joint]
        server:
          target: localhost:%d
        %s
        bridge:
          default_instruction: reach the block
        """
                .formatted(core.uri(), node, server.port(), security.indent(2).stripTrailing()),
            "bridge.yaml",
            dir,
            Map.of());
    BridgeNode b = BridgeNode.builder().setConfig(cfg).build();
    b.start();
    return b;
  }

  /**
   * Trajectories with more than one point (motion, not holds) the robot printed after {@code from}.
   */
  private static long motions(int from) {
    return robot
        .output()
        .substring(from)
        .lines()
        .filter(l -> l.startsWith("CMD ") && !l.contains(" points=1 ") && !l.contains(" points=0 "))
        .count();
  }

  private List<String> errors() {
    List<String> out = new ArrayList<>();
    synchronized (logs) {
      for (ILoggingEvent e : logs.list) {
        if (e.getLevel() == Level.ERROR) {
          out.add(e.getFormattedMessage());
        }
      }
    }
    return out;
  }

  private static void awaitMotion(int from, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (motions(from) < 3) {
      assertTrue(
          System.nanoTime() < deadline,
          "no motion reached the robot " + what + ":\n" + robot.output().substring(from));
      Thread.sleep(100);
    }
  }

  @Test
  void withAnOperatorTokenOverTlsTheBridgeStreamsAndTheRobotMoves() throws Exception {
    int from = robot.output().length();
    BridgeNode b =
        bridge(
            "bridge_operator",
            tlsServer,
            """
        tls: {ca: %s}
        token_file: operator.token
        """
                .formatted(certs.ca));
    try {
      awaitMotion(from, "with the operator's token");
    } finally {
      b.close();
    }
    assertTrue(errors().isEmpty(), errors().toString());
  }

  @Test
  void withMutualTlsAndTheTokenFromTheEnvironmentTheBridgeStreams() throws Exception {
    int from = robot.output().length();
    BridgeConfig cfg =
        BridgeConfig.parse(
            """
        ros: {master_uri: %s, node_name: bridge_mtls, host: 127.0.0.1}
        topics: {image: /camera/image_raw, controller: /arm_controller}
        robot: {joints: [shoulder_joint, elbow_joint, wrist_joint]}
        server:
          target: localhost:%d
          tls: {ca: %s, cert: %s, key: %s}
        bridge: {default_instruction: reach the block}
        """
                .formatted(
                    core.uri(),
                    mtlsServer.port(),
                    certs.ca,
                    certs.client.cert(),
                    certs.client.key()),
            "bridge.yaml",
            dir,
            Map.of("MANTIS_TOKEN", OPERATOR));
    BridgeNode b = BridgeNode.builder().setConfig(cfg).build();
    b.start();
    try {
      awaitMotion(from, "over mutual TLS");
    } finally {
      b.close();
    }
  }

  /**
   * Runs a bridge for a few seconds and checks it held, said why once, and kept retrying at its
   * backoff.
   */
  private void assertRefused(String node, String security, String code) throws Exception {
    int from = robot.output().length();
    BridgeNode b = bridge(node, tlsServer, security);
    try {
      Thread.sleep(3500);
    } finally {
      b.close();
    }
    assertEquals(
        0, motions(from), "no motion while the server refuses:\n" + robot.output().substring(from));
    assertTrue(
        robot
            .output()
            .substring(from)
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("CMD ") && (l.contains(" points=1 ") || l.contains(" points=0 "))),
        "the bridge told the arm to hold:\n" + robot.output().substring(from));
    List<String> errors = errors();
    assertEquals(1, errors.size(), "one ERROR, however many refusals: " + errors);
    assertTrue(
        errors.get(0).startsWith("server refused the bridge's token: " + code), errors.get(0));
    String last = statuses.isEmpty() ? "" : statuses.get(statuses.size() - 1);
    assertTrue(last.startsWith("state=server_refused"), "heartbeat: " + statuses);
    Matcher m = RECONNECTS.matcher(last);
    assertTrue(m.find(), last);
    int reconnects = Integer.parseInt(m.group(1));
    // Backoff 100, 200, 400, 800, 1600 ms: about five retries in 3.5 s; a tight loop would make
    // thousands.
    assertTrue(
        reconnects >= 2 && reconnects <= 8, "retries at the backoff, not in a loop: " + last);
  }

  @Test
  void withoutATokenTheServerRefusesAndTheBridgeHoldsAndSaysSo() throws Exception {
    assertRefused(
        "bridge_none", "tls: {ca: %s}\n".formatted(certs.ca), "UNAUTHENTICATED: no credentials");
  }

  @Test
  void withATokenTheServerDoesNotKnowTheBridgeHoldsAndSaysSo() throws Exception {
    assertRefused(
        "bridge_unknown",
        "tls: {ca: %s}\ntoken_file: unknown.token\n".formatted(certs.ca),
        "UNAUTHENTICATED: unknown bearer token");
  }

  @Test
  void withAViewerTokenTheServerDeniesControlAndTheBridgeHoldsAndSaysSo() throws Exception {
    assertRefused(
        "bridge_viewer",
        "tls: {ca: %s}\ntoken_file: viewer.token\n".formatted(certs.ca),
        "PERMISSION_DENIED: mantis.v1.PolicyService/Control needs role operator or higher; token 'lab-viewer' has "
            + "role viewer");
  }
}
