package mantis.ros.bridge;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.Planar3RobotProvider;
import mantis.core.RobotSpec;
import mantis.core.spi.RobotRegistry;
import mantis.security.AuditLog;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.ExposurePolicy;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TlsClientConfig;
import mantis.security.TlsServerConfig;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;

/**
 * The bridge node's configuration: one typed object, loaded from YAML with {@link #load(Path)}.
 * Unknown keys are errors that name the key; every value is validated on construction. The keys,
 * with their defaults ({@code bridge.example.yaml} in this module is a complete example):
 *
 * <pre>
 * ros:
 *   master_uri: http://localhost:11311/   # default: $ROS_MASTER_URI, else this
 *   node_name: mantis_bridge
 *   host: null                            # how other nodes reach this one, and the one address the node listens on;
 *                                         #   default ROS_IP/ROS_HOSTNAME/host name
 * topics:
 *   image: /camera/image_raw              # sensor_msgs/Image (rgb8 or bgr8); exactly one of image
 *   compressed_image: null                #   and compressed_image (sensor_msgs/CompressedImage, JPEG/PNG)
 *   joint_states: /joint_states           # sensor_msgs/JointState
 *   controller: /arm_controller           # required; trajectories go to <controller>/command
 *   instruction: /mantis/instruction      # std_msgs/String; the latest wins
 *   estop: /mantis/estop                  # std_msgs/Bool; true latches the e-stop, false does nothing
 *   reset: null                           # std_msgs/Empty topic that clears the e-stop latch, e.g. /mantis/reset;
 *                                         #   default off: ROS 1 has no authentication, any node could publish it
 *   status: /mantis/status                # std_msgs/String heartbeat, latched
 * robot:
 *   id: arm                               # robot_id sent to the server
 *   spec: planar3                         # a RobotRegistry name (planar3) or a robot YAML path (relative: this file),
 *                                         #   plain or naming a URDF (see RobotModels#resolve)
 *   joints: [a, b, c]                     # required: ROS joint names, in the robot spec's joint order
 *   from_parameter: null                  # instead of spec: the URDF in this ROS parameter (/robot_description),
 *                                         #   read at start (see RobotDescription); joints then optional
 *   base_link: null                       # with from_parameter: the chain's ends (both or neither)
 *   tool_link: null
 *   max_acceleration_rad_per_s2: null     # required with from_parameter: URDF has no acceleration limits
 * controller:
 *   interface: topic                      # or follow_joint_trajectory: goals of control_msgs/FollowJointTrajectory
 *   action_ns: null                       # default <topics.controller>/follow_joint_trajectory
 *   path_tolerance: {position: 0, velocity: 0, acceleration: 0}   # every joint; all 0: none sent
 *   goal_tolerance: {position: 0, velocity: 0, acceleration: 0}
 *   goal_time_tolerance_ms: 0             # 0: the action server's default
 * server:
 *   target: localhost:50051               # the Mantis server, host:port
 *   tls:                                  # absent: plain text; present: TLS
 *     ca: null                            # CA of the server's certificate; default the JVM's trusted CAs
 *     cert: null                          # mutual TLS: this bridge's certificate chain, with key
 *     key: null                           # its PKCS#8 private key
 *   token_file: null                      # bearer token sent on every call (first line); default $MANTIS_TOKEN
 *   insecure: false                       # true: send the token in plain text to a host that is not loopback
 *   deadline_ms: 2000                     # deadline of unary calls (Describe)
 *   stream_idle_timeout_ms: 2000          # no chunk for this long while one is awaited: the stream is lost
 *   reconnect_min_ms: 100                 # reconnect backoff, doubling from min to max
 *   reconnect_max_ms: 5000                # (a server that answers again is reconnected at once)
 *   control_rate_hz: 20                   # observations are sent at most this often
 *   watchdog_timeout_ms: 100              # hold when the next chunk is this late (see BridgeCore)
 *   keepalive_time_ms: 30000              # ping a connection silent this long while a call is open (>= 10000)
 *   keepalive_timeout_ms: 10000           # no answer to a ping this long: the connection is dead
 * arm_service:
 *   port: 0                               # serve mantis.v1.ArmService on this port; 0 = disabled
 *   host: 127.0.0.1                       # not loopback: needs tls and tokens (or mantis bridge --insecure)
 *   tls:                                  # absent: plain text
 *     cert_chain: null                    # this service's certificate chain (PEM), with private_key
 *     private_key: null                   # PKCS#8 PEM
 *     client_ca: null                     # mutual TLS: clients must present a certificate signed by it
 *   tokens_file: null                     # tokens made by 'mantis token create --tokens-file'
 *   tokens: []                            # and/or listed here: {name, role, sha256}
 *   max_streams: 4                        # StreamCommands calls open at once; more: RESOURCE_EXHAUSTED
 *   # (insecure is not a key: 'mantis bridge --insecure' serves a non-loopback host without TLS and tokens)
 * bridge:
 *   default_instruction: null             # used until the instruction topic says otherwise
 *   audit_log: null                       # JSON lines: command sources, e-stops, resets, holds, refused calls
 *   heartbeat_hz: 2
 *   max_input_age_ms: 500                 # frames and joint states older than this are not sent
 *   hold_time_from_start_ms: 50           # time_from_start of a hold trajectory's one point
 * </pre>
 *
 * <p>Relative file paths (robot spec, TLS files, token and tokens files, audit log) resolve against
 * the config file's folder. Files named by {@code server:} are read and checked when the config is
 * parsed (errors name the key and the file); the ArmService's TLS files and bind address are
 * checked by {@link #checkArmService()} ({@code mantis bridge --check-config}) and by {@link
 * BridgeNode#start()}, before it joins the graph.
 *
 * @param ros how to join the ROS graph
 * @param topics the topic bindings
 * @param robot which robot and its ROS joint names
 * @param server the Mantis policy server
 * @param armService the bridge's own ArmService endpoint
 * @param bridge bridge behaviour
 * @param controller how trajectories reach the arm's controller: the command topic or the
 *     FollowJointTrajectory action
 */
public record BridgeConfig(
    Ros ros,
    Topics topics,
    Robot robot,
    Server server,
    ArmService armService,
    Bridge bridge,
    Controller controller) {
  /** The master URI used when neither the file nor {@code ROS_MASTER_URI} gives one. */
  public static final String DEFAULT_MASTER_URI = "http://localhost:11311/";

  public BridgeConfig {
    Objects.requireNonNull(ros, "ros");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(robot, "robot");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(armService, "armService");
    Objects.requireNonNull(bridge, "bridge");
    controller = controller == null ? Controller.topic() : controller;
  }

  /** The same config with the default controller interface (the command topic). */
  public BridgeConfig(
      Ros ros, Topics topics, Robot robot, Server server, ArmService armService, Bridge bridge) {
    this(ros, topics, robot, server, armService, bridge, null);
  }

  /**
   * How the bridge joins the ROS graph.
   *
   * @param masterUri the ROS master
   * @param nodeName this node's name
   * @param host the host other nodes use to reach this node, whose address the node listens on;
   *     empty for the RosNode default
   */
  public record Ros(URI masterUri, String nodeName, Optional<String> host) {
    public Ros {
      Objects.requireNonNull(masterUri, "ros.master_uri");
      check(nodeName != null && !nodeName.isBlank(), "ros.node_name must not be empty");
      host = host == null ? Optional.empty() : host;
    }
  }

  /**
   * Topic bindings. Exactly one of {@code image} and {@code compressedImage} is present.
   *
   * @param image sensor_msgs/Image topic
   * @param compressedImage sensor_msgs/CompressedImage topic
   * @param jointStates sensor_msgs/JointState topic
   * @param controller the controller's namespace; trajectories go to {@link #command()}
   * @param instruction std_msgs/String topic
   * @param estop std_msgs/Bool topic
   * @param reset std_msgs/Empty topic that clears the e-stop latch, or empty: off (any ROS node
   *     could publish it)
   * @param status std_msgs/String heartbeat topic
   */
  public record Topics(
      Optional<String> image,
      Optional<String> compressedImage,
      String jointStates,
      String controller,
      String instruction,
      String estop,
      Optional<String> reset,
      String status) {
    public Topics {
      image = image == null ? Optional.empty() : image;
      reset = reset == null ? Optional.empty() : reset;
      compressedImage = compressedImage == null ? Optional.empty() : compressedImage;
      check(
          image.isPresent() != compressedImage.isPresent(),
          image.isPresent()
              ? "topics: give either 'image' or 'compressed_image', not both"
              : "topics: one of 'image' (sensor_msgs/Image) or 'compressed_image' (sensor_msgs/CompressedImage) is required");
      image.ifPresent(t -> topic(t, "topics.image"));
      compressedImage.ifPresent(t -> topic(t, "topics.compressed_image"));
      topic(jointStates, "topics.joint_states");
      topic(controller, "topics.controller");
      topic(instruction, "topics.instruction");
      topic(estop, "topics.estop");
      reset.ifPresent(t -> topic(t, "topics.reset"));
      topic(status, "topics.status");
    }

    /** The trajectory command topic: {@code <controller>/command}. */
    public String command() {
      String c =
          controller.endsWith("/") ? controller.substring(0, controller.length() - 1) : controller;
      return c + "/command";
    }

    static void topic(String name, String key) {
      check(name != null && !name.isBlank(), key + " must not be empty");
      check(!name.contains(" "), key + " must not contain spaces, got '" + name + "'");
    }
  }

  /**
   * The robot.
   *
   * @param id the robot id sent to the server
   * @param specSource where the spec came from: a bundled name, a path, or {@code "parameter
   *     /robot_description"}
   * @param spec the robot's joint limits, in the order of the server's chunks; null only while a
   *     {@code fromParameter} robot is not yet read from the parameter server
   * @param joints the ROS joint names, one per spec joint, in spec order (empty while unresolved
   *     unless given in the file)
   * @param fromParameter where to read the robot's URDF from the ROS parameter server, when the
   *     config asks for that ({@code robot.from_parameter})
   */
  public record Robot(
      String id,
      String specSource,
      RobotSpec spec,
      List<String> joints,
      Optional<FromParameter> fromParameter) {
    public Robot {
      check(id != null && !id.isBlank(), "robot.id must not be empty");
      Objects.requireNonNull(specSource, "specSource");
      fromParameter = fromParameter == null ? Optional.empty() : fromParameter;
      joints = joints == null ? List.of() : List.copyOf(joints);
      var seen = new HashSet<String>();
      for (String j : joints) {
        check(j != null && !j.isBlank(), "robot.joints has an empty name");
        check(seen.add(j), "robot.joints names '" + j + "' twice");
      }
      if (spec == null) {
        check(
            fromParameter.isPresent(),
            "robot.spec is required (or robot.from_parameter: /robot_description)");
      } else {
        check(
            !joints.isEmpty(),
            "robot.joints is required: the ROS joint names in the order of the"
                + " robot spec's joints "
                + spec.jointNames());
        check(
            joints.size() == spec.jointCount(),
            "robot.joints has "
                + joints.size()
                + " names but robot spec "
                + spec.name()
                + " has "
                + spec.jointCount()
                + " joints "
                + spec.jointNames());
      }
    }

    /** A robot given by its spec in the file. */
    public Robot(String id, String specSource, RobotSpec spec, List<String> joints) {
      this(id, specSource, spec, joints, Optional.empty());
    }

    /** False while a {@code robot.from_parameter} robot has not been read yet. */
    public boolean resolved() {
      return spec != null;
    }

    /** This robot with the spec and joint names read from the parameter server. */
    public Robot resolvedWith(String source, RobotSpec resolvedSpec, List<String> rosJoints) {
      return new Robot(id, source, resolvedSpec, rosJoints, fromParameter);
    }
  }

  /**
   * {@code robot.from_parameter}: the robot is the URDF held by a ROS parameter, read when the
   * bridge starts. The chain runs from {@code baseLink} to {@code toolLink} (both empty: the URDF
   * must be one unbranched chain); its moving joints, in chain order, are the robot's joints and
   * their URDF names the ROS joint names. Position and velocity limits come from the URDF; URDF has
   * no acceleration limits, so {@code maxAccelerationRadPerS2} is required and applies to every
   * joint.
   *
   * @param parameter the parameter's name, e.g. {@code /robot_description}
   * @param baseLink the chain's base link, or empty
   * @param toolLink the chain's tool link, or empty
   * @param maxAccelerationRadPerS2 the acceleration limit of every joint
   */
  public record FromParameter(
      String parameter,
      Optional<String> baseLink,
      Optional<String> toolLink,
      double maxAccelerationRadPerS2) {
    public FromParameter {
      check(
          parameter != null && !parameter.isBlank() && !parameter.contains(" "),
          "robot.from_parameter must be a parameter name such as /robot_description");
      baseLink = baseLink == null ? Optional.empty() : baseLink;
      toolLink = toolLink == null ? Optional.empty() : toolLink;
      check(
          baseLink.isPresent() == toolLink.isPresent(),
          "robot.base_link and robot.tool_link go together: give both or neither");
      check(
          Double.isFinite(maxAccelerationRadPerS2) && maxAccelerationRadPerS2 > 0,
          "robot.max_acceleration_rad_per_s2 is required with robot.from_parameter (URDF has no"
              + " acceleration limits) and must be finite and > 0, got "
              + maxAccelerationRadPerS2);
    }
  }

  /**
   * How trajectories reach the controller.
   *
   * @param kind {@link Interface#TOPIC}: {@code trajectory_msgs/JointTrajectory} on {@code
   *     <topics.controller>/command}; {@link Interface#FOLLOW_JOINT_TRAJECTORY}: goals of the
   *     {@code control_msgs/FollowJointTrajectory} action in {@code actionNs}
   * @param actionNs the action's namespace (default {@code
   *     <topics.controller>/follow_joint_trajectory}); empty with the topic interface
   * @param pathTolerance sent for every joint as {@code path_tolerance} (all zero: none sent)
   * @param goalTolerance sent for every joint as {@code goal_tolerance} (all zero: none sent)
   * @param goalTimeToleranceMs {@code goal_time_tolerance}, ms (0: the server's default)
   */
  public record Controller(
      Interface kind,
      Optional<String> actionNs,
      Tolerance pathTolerance,
      Tolerance goalTolerance,
      long goalTimeToleranceMs) {
    public Controller {
      Objects.requireNonNull(kind, "controller.interface");
      actionNs = actionNs == null ? Optional.empty() : actionNs;
      check(
          kind == Interface.TOPIC || actionNs.isPresent(),
          "controller.action_ns is required with interface follow_joint_trajectory");
      actionNs.ifPresent(ns -> Topics.topic(ns, "controller.action_ns"));
      pathTolerance = pathTolerance == null ? Tolerance.NONE : pathTolerance;
      goalTolerance = goalTolerance == null ? Tolerance.NONE : goalTolerance;
      check(
          goalTimeToleranceMs >= 0 && goalTimeToleranceMs <= 60_000,
          "controller.goal_time_tolerance_ms must be 0..60000, got " + goalTimeToleranceMs);
    }

    /** The command topic interface (the default). */
    public static Controller topic() {
      return new Controller(Interface.TOPIC, Optional.empty(), Tolerance.NONE, Tolerance.NONE, 0);
    }

    /** True for the FollowJointTrajectory action. */
    public boolean action() {
      return kind == Interface.FOLLOW_JOINT_TRAJECTORY;
    }
  }

  /** {@code controller.interface}. */
  public enum Interface {
    /** {@code topic}: trajectories on {@code <controller>/command}. */
    TOPIC("topic"),
    /** {@code follow_joint_trajectory}: goals of the FollowJointTrajectory action. */
    FOLLOW_JOINT_TRAJECTORY("follow_joint_trajectory");

    private final String key;

    Interface(String key) {
      this.key = key;
    }

    /** The config value. */
    public String key() {
      return key;
    }

    static Interface parse(String value) {
      for (Interface i : values()) {
        if (i.key.equals(value)) {
          return i;
        }
      }
      throw new IllegalArgumentException(
          "controller.interface must be 'topic' or 'follow_joint_trajectory', got '" + value + "'");
    }
  }

  /**
   * One joint tolerance, applied to every joint (control_msgs/JointTolerance: 0 keeps the server's
   * default, -1 removes the tolerance).
   *
   * @param position rad or m
   * @param velocity rad/s or m/s
   * @param acceleration rad/s² or m/s²
   */
  public record Tolerance(double position, double velocity, double acceleration) {
    /** All zero: the server's defaults (nothing is sent). */
    public static final Tolerance NONE = new Tolerance(0, 0, 0);

    public Tolerance {
      for (double v : new double[] {position, velocity, acceleration}) {
        check(
            Double.isFinite(v) && (v >= 0 || v == -1),
            "a tolerance must be >= 0 (0: the server's default) or -1 (none), got " + v);
      }
    }

    /** True when every value is 0, so the server's defaults apply and none is sent. */
    public boolean isDefault() {
      return position == 0 && velocity == 0 && acceleration == 0;
    }
  }

  /**
   * The Mantis policy server.
   *
   * @param target host:port
   * @param deadlineMs deadline of unary calls, ms
   * @param streamIdleTimeoutMs a stream awaiting a chunk this long is given up, ms
   * @param reconnectMinMs first reconnect delay, ms
   * @param reconnectMaxMs largest reconnect delay, ms
   * @param controlRateHz most observations per second
   * @param watchdogTimeoutMs how late the next chunk may be before the arm is told to hold, ms
   * @param keepaliveTimeMs a connection with a call open and silent this long is pinged, ms (the
   *     Mantis server permits pings every 10 s or more)
   * @param keepaliveTimeoutMs a ping unanswered this long ends the connection, ms
   * @param security TLS (empty: plain text) and the bearer token sent on every call (empty: none)
   * @param tokenSource where the token came from, for {@link #describe()}: {@code "file <path>"},
   *     {@code "$MANTIS_TOKEN"}, or {@code "none"}
   * @param insecure true when the token may be sent in plain text to a host that is not loopback
   */
  public record Server(
      String target,
      long deadlineMs,
      long streamIdleTimeoutMs,
      long reconnectMinMs,
      long reconnectMaxMs,
      double controlRateHz,
      long watchdogTimeoutMs,
      long keepaliveTimeMs,
      long keepaliveTimeoutMs,
      ClientSecurity security,
      String tokenSource,
      boolean insecure) {
    /** Default {@code server.keepalive_time_ms}. */
    public static final long DEFAULT_KEEPALIVE_TIME_MS = 30_000;

    /** Default {@code server.keepalive_timeout_ms}. */
    public static final long DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000;

    /**
     * The least {@code server.keepalive_time_ms}: the Mantis server answers faster pings with
     * GOAWAY.
     */
    public static final long MIN_KEEPALIVE_TIME_MS = 10_000;

    public Server {
      check(
          target != null && target.matches("[^\\s:]+:\\d{1,5}"),
          "server.target must be host:port, got '" + target + "'");
      int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
      check(port >= 1 && port <= 65535, "server.target port must be 1..65535, got " + port);
      check(deadlineMs >= 1, "server.deadline_ms must be >= 1, got " + deadlineMs);
      check(
          streamIdleTimeoutMs >= 1,
          "server.stream_idle_timeout_ms must be >= 1, got " + streamIdleTimeoutMs);
      check(reconnectMinMs >= 100, "server.reconnect_min_ms must be >= 100, got " + reconnectMinMs);
      check(
          reconnectMaxMs >= reconnectMinMs && reconnectMaxMs <= 5000,
          "server.reconnect_max_ms must be in [reconnect_min_ms, 5000], got " + reconnectMaxMs);
      check(
          controlRateHz > 0 && controlRateHz <= 1000,
          "server.control_rate_hz must be in (0, 1000], got " + controlRateHz);
      check(
          watchdogTimeoutMs >= 1 && watchdogTimeoutMs <= 10_000,
          "server.watchdog_timeout_ms must be 1..10000, got " + watchdogTimeoutMs);
      check(
          keepaliveTimeMs >= MIN_KEEPALIVE_TIME_MS && keepaliveTimeMs <= 3_600_000,
          "server.keepalive_time_ms must be "
              + MIN_KEEPALIVE_TIME_MS
              + "..3600000 (the Mantis server permits pings "
              + "every 10 s or more), got "
              + keepaliveTimeMs);
      check(
          keepaliveTimeoutMs >= 1000 && keepaliveTimeoutMs <= 600_000,
          "server.keepalive_timeout_ms must be 1000..600000, got " + keepaliveTimeoutMs);
      security = security == null ? ClientSecurity.none() : security;
      tokenSource =
          tokenSource == null || tokenSource.isBlank()
              ? (security.token().isPresent() ? "given" : "none")
              : tokenSource;
      String h = target.substring(0, target.lastIndexOf(':'));
      check(
          security.token().isEmpty() || security.tls().isPresent() || insecure || isLoopbackName(h),
          "server: the bridge has a bearer token ("
              + tokenSource
              + ") but server.tls is not set and server.target "
              + "host '"
              + h
              + "' is not loopback, so the token would cross the network in plain text. Add "
              + "server.tls (ca: the CA of the server's certificate), or set server.insecure: true for a server run "
              + "with --insecure");
    }

    /** The target's host. */
    public String host() {
      return target.substring(0, target.lastIndexOf(':'));
    }

    /** The target's port. */
    public int port() {
      return Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
    }

    /** One control period, ns. */
    public long controlPeriodNanos() {
      return Math.round(1e9 / controlRateHz);
    }
  }

  /**
   * True for the names {@link BearerToken} sends a token to in plain text: {@code localhost},
   * {@code 127.x.x.x}, and {@code ::1} (no name lookup).
   */
  static boolean isLoopbackName(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equalsIgnoreCase("localhost")
        || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /**
   * The bridge's own {@code mantis.v1.ArmService}, protected like the Mantis server
   * (docs/SECURITY.md): on a loopback host without tokens it is open to local callers; any other
   * host needs TLS and tokens, or {@code insecure}. With tokens, every call needs one, with the
   * role {@link mantis.security.MethodRoles#defaults()} asks (StreamCommands and Hold: operator;
   * EStop: any token; Reset: admin; health: viewer).
   *
   * @param port gRPC port; 0 disables the service
   * @param host bind address
   * @param tls TLS files of the listener, or empty for plain text
   * @param tokens the tokens callers must present (empty: none asked)
   * @param tokensSource where the tokens came from, for {@link #describe()}
   * @param maxStreams most StreamCommands calls open at once (each gets every joint state); more
   *     are refused with {@code RESOURCE_EXHAUSTED}
   * @param insecure serve a non-loopback host without TLS and tokens: only from {@code mantis
   *     bridge --insecure} ({@link BridgeConfig#withArmServiceInsecure()}), never from the file
   */
  public record ArmService(
      int port,
      String host,
      Optional<TlsServerConfig> tls,
      TokenStore tokens,
      String tokensSource,
      int maxStreams,
      boolean insecure) {
    /**
     * Default {@code arm_service.max_streams}: the dashboard, a second operator tool, a monitor,
     * and one spare.
     */
    public static final int DEFAULT_MAX_STREAMS = 4;

    /** Largest {@code arm_service.max_streams}. */
    public static final int MAX_MAX_STREAMS = 64;

    public ArmService {
      check(
          port >= 0 && port <= 65535,
          "arm_service.port must be 0..65535 (0 = disabled), got " + port);
      check(host != null && !host.isBlank(), "arm_service.host must not be empty");
      check(
          maxStreams >= 1 && maxStreams <= MAX_MAX_STREAMS,
          "arm_service.max_streams must be 1.." + MAX_MAX_STREAMS + ", got " + maxStreams);
      tls = tls == null ? Optional.empty() : tls;
      tokens = tokens == null ? TokenStore.empty() : tokens;
      tokensSource = tokensSource == null ? "" : tokensSource;
    }

    /** Plain text, no tokens, not insecure: loopback only. */
    public ArmService(int port, String host) {
      this(port, host, Optional.empty(), TokenStore.empty(), "", DEFAULT_MAX_STREAMS, false);
    }

    public boolean enabled() {
      return port != 0;
    }

    /** This section's security for a server writing to {@code audit}. */
    public ServerSecurity security(AuditLog audit) {
      return ServerSecurity.builder()
          .optTokens(tokens)
          .optTls(tls.orElse(null))
          .optAuditLog(audit)
          .optInsecure(insecure)
          .build();
    }

    /** A copy with {@code insecure} set (the {@code --insecure} flag). */
    public ArmService withInsecure(boolean v) {
      return new ArmService(port, host, tls, tokens, tokensSource, maxStreams, v);
    }
  }

  /**
   * Bridge behaviour.
   *
   * @param defaultInstruction instruction used until one arrives on the instruction topic
   * @param heartbeatHz status messages per second
   * @param maxInputAgeMs frames and joint states older than this (by arrival) are not sent, ms
   * @param holdTimeFromStartMs time_from_start of a hold's one point, ms
   * @param auditLog where the audit trail goes (JSON lines), or empty for none
   */
  public record Bridge(
      Optional<String> defaultInstruction,
      double heartbeatHz,
      long maxInputAgeMs,
      long holdTimeFromStartMs,
      Optional<Path> auditLog) {
    public Bridge {
      defaultInstruction =
          defaultInstruction == null
              ? Optional.empty()
              : defaultInstruction.filter(s -> !s.isBlank());
      auditLog = auditLog == null ? Optional.empty() : auditLog;
      check(
          heartbeatHz > 0 && heartbeatHz <= 100,
          "bridge.heartbeat_hz must be in (0, 100], got " + heartbeatHz);
      check(maxInputAgeMs >= 1, "bridge.max_input_age_ms must be >= 1, got " + maxInputAgeMs);
      check(
          holdTimeFromStartMs >= 1 && holdTimeFromStartMs <= 1000,
          "bridge.hold_time_from_start_ms must be 1..1000, got " + holdTimeFromStartMs);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * A copy whose ArmService may serve a non-loopback host without TLS and tokens ({@code mantis
   * bridge --insecure}).
   */
  public BridgeConfig withArmServiceInsecure() {
    return new BridgeConfig(
        ros, topics, robot, server, armService.withInsecure(true), bridge, controller);
  }

  /**
   * Where trajectories go, for logs: {@code "topic /arm_controller/command"} or {@code
   * "FollowJointTrajectory action /arm_controller/follow_joint_trajectory"}.
   */
  public String trajectoryTarget() {
    return controller.action()
        ? "FollowJointTrajectory action " + controller.actionNs().orElseThrow()
        : "topic " + topics.command();
  }

  /** A copy with {@code resolved} as the robot (read from the parameter server at start). */
  public BridgeConfig withRobot(Robot resolved) {
    return new BridgeConfig(ros, topics, resolved, server, armService, bridge, controller);
  }

  /**
   * Whether the ArmService may serve its host with its security (the rule of {@link
   * ExposurePolicy}: loopback may stay open, any other address needs TLS and tokens, or {@code
   * insecure}). Resolves the host; reads no file. Empty when the service is disabled.
   *
   * @return the decision, which may be a refusal ({@link ExposurePolicy.Decision#allowed()} false)
   */
  public Optional<ExposurePolicy.Decision> armServiceExposure() {
    if (!armService.enabled()) {
      return Optional.empty();
    }
    return Optional.of(armService.security(AuditLog.none()).check(armService.host()));
  }

  /**
   * {@link #armServiceExposure()}, and when it is allowed, reads and checks the ArmService's TLS
   * files.
   *
   * @return the decision, which may be a refusal ({@link ExposurePolicy.Decision#allowed()} false)
   * @throws IllegalArgumentException naming the key and the file when a TLS file is missing,
   *     invalid or expired
   */
  public Optional<ExposurePolicy.Decision> checkArmService() {
    Optional<ExposurePolicy.Decision> d = armServiceExposure();
    if (d.isPresent() && d.get().allowed() && armService.tls().isPresent()) {
      try {
        armService.tls().get().toCredentials();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("arm_service.tls: " + e.getMessage(), e);
      }
    }
    return d;
  }

  /** Reads a YAML file, with {@code ROS_MASTER_URI} from the environment. */
  public static BridgeConfig load(Path yaml) {
    String text;
    try {
      text = Files.readString(yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read bridge config " + yaml + ": " + e.getMessage(), e);
    }
    Path dir = yaml.toAbsolutePath().getParent();
    return parse(text, yaml.toString(), dir, System.getenv());
  }

  /**
   * Parses YAML text.
   *
   * @param text the YAML document
   * @param source its name, for error messages
   * @param baseDir directory that relative robot spec paths are resolved against
   * @param env the environment ({@code ROS_MASTER_URI})
   * @throws IllegalArgumentException naming the source and the key when the config is invalid
   */
  public static BridgeConfig parse(
      String text, String source, Path baseDir, Map<String, String> env) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException(
          source + ": empty bridge config; 'topics' and 'robot' are required");
    }
    Raw raw;
    try {
      raw = mapper().readValue(text, Raw.class);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          source + ": unknown key '" + path(e) + "'; known keys here: " + e.getKnownPropertyIds(),
          e);
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException(
          source + ": " + (e.getPath().isEmpty() ? "" : path(e) + ": ") + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    try {
      return raw.toConfig(baseDir, env);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  private static String tolerance(Tolerance t) {
    return t.isDefault()
        ? "{}   # the server's defaults"
        : "{position: "
            + t.position()
            + ", velocity: "
            + t.velocity()
            + ", acceleration: "
            + t.acceleration()
            + "}";
  }

  /** The resolved configuration as YAML-like text, one key per line. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("ros:\n")
        .append("  master_uri: ")
        .append(ros.masterUri())
        .append('\n')
        .append("  node_name: ")
        .append(ros.nodeName())
        .append('\n')
        .append("  host: ")
        .append(ros.host().orElse("(default)"))
        .append('\n');
    sb.append("topics:\n");
    topics.image().ifPresent(t -> sb.append("  image: ").append(t).append('\n'));
    topics
        .compressedImage()
        .ifPresent(t -> sb.append("  compressed_image: ").append(t).append('\n'));
    sb.append("  joint_states: ")
        .append(topics.jointStates())
        .append('\n')
        .append("  controller: ")
        .append(topics.controller())
        .append(
            controller.action()
                ? "   # FollowJointTrajectory action in " + controller.actionNs().orElseThrow()
                : "   # publishes " + topics.command())
        .append('\n')
        .append("  instruction: ")
        .append(topics.instruction())
        .append('\n')
        .append("  estop: ")
        .append(topics.estop())
        .append('\n')
        .append("  reset: ")
        .append(topics.reset().orElse("\"\"   # off: no ROS topic clears the e-stop"))
        .append(topics.reset().isPresent() ? "   # on: any ROS node can clear the e-stop" : "")
        .append('\n')
        .append("  status: ")
        .append(topics.status())
        .append('\n');
    sb.append("robot:\n").append("  id: ").append(robot.id()).append('\n');
    if (robot.fromParameter().isPresent()) {
      FromParameter fp = robot.fromParameter().get();
      sb.append("  from_parameter: ")
          .append(fp.parameter())
          .append("   # the URDF is read from the parameter server when the bridge starts\n")
          .append("  base_link: ")
          .append(fp.baseLink().orElse("(the URDF's root)"))
          .append('\n')
          .append("  tool_link: ")
          .append(fp.toolLink().orElse("(the URDF's only leaf)"))
          .append('\n')
          .append("  max_acceleration_rad_per_s2: ")
          .append(fp.maxAccelerationRadPerS2())
          .append('\n');
    }
    if (robot.resolved()) {
      sb.append("  spec: ")
          .append(robot.specSource())
          .append("   # ")
          .append(robot.spec().name())
          .append(' ')
          .append(robot.spec().jointNames())
          .append('\n');
    }
    sb.append("  joints: ")
        .append(robot.joints().isEmpty() ? "(the URDF's chain joints)" : robot.joints())
        .append('\n');
    sb.append("controller:\n").append("  interface: ").append(controller.kind().key()).append('\n');
    if (controller.action()) {
      sb.append("  action_ns: ")
          .append(controller.actionNs().orElseThrow())
          .append('\n')
          .append("  path_tolerance: ")
          .append(tolerance(controller.pathTolerance()))
          .append('\n')
          .append("  goal_tolerance: ")
          .append(tolerance(controller.goalTolerance()))
          .append('\n')
          .append("  goal_time_tolerance_ms: ")
          .append(controller.goalTimeToleranceMs())
          .append(controller.goalTimeToleranceMs() == 0 ? "   # the server's default" : "")
          .append('\n');
    }
    sb.append("server:\n")
        .append("  target: ")
        .append(server.target())
        .append('\n')
        .append("  deadline_ms: ")
        .append(server.deadlineMs())
        .append('\n')
        .append("  stream_idle_timeout_ms: ")
        .append(server.streamIdleTimeoutMs())
        .append('\n')
        .append("  reconnect_min_ms: ")
        .append(server.reconnectMinMs())
        .append('\n')
        .append("  reconnect_max_ms: ")
        .append(server.reconnectMaxMs())
        .append('\n')
        .append("  control_rate_hz: ")
        .append(server.controlRateHz())
        .append('\n')
        .append("  watchdog_timeout_ms: ")
        .append(server.watchdogTimeoutMs())
        .append('\n')
        .append("  keepalive_time_ms: ")
        .append(server.keepaliveTimeMs())
        .append('\n')
        .append("  keepalive_timeout_ms: ")
        .append(server.keepaliveTimeoutMs())
        .append('\n')
        .append("  tls: ")
        .append(server.security().tls().map(TlsClientConfig::toString).orElse("off (plain text)"))
        .append('\n')
        .append("  token: ")
        .append(
            server
                .security()
                .token()
                .map(t -> server.tokenSource() + " (sha256 " + t.hashPrefix() + "...)")
                .orElse("none"))
        .append('\n')
        .append("  insecure: ")
        .append(server.insecure())
        .append('\n');
    sb.append("arm_service:\n")
        .append("  port: ")
        .append(armService.port())
        .append(armService.enabled() ? "" : "   # disabled")
        .append('\n')
        .append("  host: ")
        .append(armService.host())
        .append('\n')
        .append("  tls: ")
        .append(armService.tls().map(TlsServerConfig::toString).orElse("off (plain text)"))
        .append('\n')
        .append("  tokens: ")
        .append(armService.tokens().size())
        .append(armService.tokensSource().isEmpty() ? "" : " (" + armService.tokensSource() + ")")
        .append(armService.tokens().isEmpty() ? "   # none: open on loopback" : "")
        .append('\n')
        .append("  max_streams: ")
        .append(armService.maxStreams())
        .append('\n')
        .append("  insecure: ")
        .append(armService.insecure())
        .append(armService.insecure() ? "   # mantis bridge --insecure" : "")
        .append('\n');
    sb.append("bridge:\n")
        .append("  default_instruction: ")
        .append(bridge.defaultInstruction().map(s -> "\"" + s + "\"").orElse("null"))
        .append('\n')
        .append("  heartbeat_hz: ")
        .append(bridge.heartbeatHz())
        .append('\n')
        .append("  max_input_age_ms: ")
        .append(bridge.maxInputAgeMs())
        .append('\n')
        .append("  hold_time_from_start_ms: ")
        .append(bridge.holdTimeFromStartMs())
        .append('\n')
        .append("  audit_log: ")
        .append(bridge.auditLog().map(Path::toString).orElse("none"))
        .append('\n');
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // The YAML shape, with defaults.

  static final class Raw {
    @JsonProperty("ros")
    RawRos ros = new RawRos();

    @JsonProperty("topics")
    RawTopics topics;

    @JsonProperty("robot")
    RawRobot robot;

    @JsonProperty("server")
    RawServer server = new RawServer();

    @JsonProperty("arm_service")
    RawArmService armService = new RawArmService();

    @JsonProperty("bridge")
    RawBridge bridge = new RawBridge();

    @JsonProperty("controller")
    RawController controller = new RawController();

    BridgeConfig toConfig(Path baseDir, Map<String, String> env) {
      check(topics != null, "missing section 'topics'");
      check(robot != null, "missing section 'robot'");
      Topics t = topics.toTopics();
      return new BridgeConfig(
          (ros == null ? new RawRos() : ros).toRos(env),
          t,
          robot.toRobot(baseDir),
          (server == null ? new RawServer() : server).toServer(baseDir, env),
          (armService == null ? new RawArmService() : armService).toArmService(baseDir),
          (bridge == null ? new RawBridge() : bridge).toBridge(baseDir),
          (controller == null ? new RawController() : controller).toController(t));
    }
  }

  static final class RawController {
    @JsonProperty("interface")
    String kind = "topic";

    @JsonProperty("action_ns")
    String actionNs;

    @JsonProperty("path_tolerance")
    RawTolerance pathTolerance;

    @JsonProperty("goal_tolerance")
    RawTolerance goalTolerance;

    @JsonProperty("goal_time_tolerance_ms")
    long goalTimeToleranceMs;

    Controller toController(Topics topics) {
      Interface k = Interface.parse(kind == null ? "" : kind.strip());
      Optional<String> ns = optional(actionNs);
      if (k == Interface.TOPIC) {
        check(
            ns.isEmpty()
                && pathTolerance == null
                && goalTolerance == null
                && goalTimeToleranceMs == 0,
            "controller.action_ns, path_tolerance, goal_tolerance and goal_time_tolerance_ms apply only"
                + " to interface: follow_joint_trajectory");
      } else if (ns.isEmpty()) {
        String c = topics.controller();
        ns = Optional.of((c.endsWith("/") ? c : c + "/") + "follow_joint_trajectory");
      }
      return new Controller(
          k,
          ns,
          pathTolerance == null
              ? Tolerance.NONE
              : pathTolerance.toTolerance("controller.path_tolerance"),
          goalTolerance == null
              ? Tolerance.NONE
              : goalTolerance.toTolerance("controller.goal_tolerance"),
          goalTimeToleranceMs);
    }
  }

  static final class RawTolerance {
    @JsonProperty("position")
    double position;

    @JsonProperty("velocity")
    double velocity;

    @JsonProperty("acceleration")
    double acceleration;

    Tolerance toTolerance(String key) {
      try {
        return new Tolerance(position, velocity, acceleration);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
  }

  static final class RawRos {
    @JsonProperty("master_uri")
    String masterUri;

    @JsonProperty("node_name")
    String nodeName = "mantis_bridge";

    @JsonProperty("host")
    String host;

    Ros toRos(Map<String, String> env) {
      String uri = masterUri;
      String from = "ros.master_uri";
      if (uri == null || uri.isBlank()) {
        uri = env.get("ROS_MASTER_URI");
        from = "ROS_MASTER_URI";
      }
      if (uri == null || uri.isBlank()) {
        uri = DEFAULT_MASTER_URI;
      }
      URI parsed;
      try {
        parsed = new URI(uri.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(from + " is not a URI: '" + uri + "'");
      }
      check(
          "http".equals(parsed.getScheme()) && parsed.getHost() != null && parsed.getPort() > 0,
          from + " must look like http://host:11311/, got '" + uri + "'");
      return new Ros(
          parsed,
          nodeName,
          host == null || host.isBlank() ? Optional.empty() : Optional.of(host.strip()));
    }
  }

  static final class RawTopics {
    @JsonProperty("image")
    String image;

    @JsonProperty("compressed_image")
    String compressedImage;

    @JsonProperty("joint_states")
    String jointStates = "/joint_states";

    @JsonProperty("controller")
    String controller;

    @JsonProperty("instruction")
    String instruction = "/mantis/instruction";

    @JsonProperty("estop")
    String estop = "/mantis/estop";

    /** Null or "": off (any ROS node could publish it, so a reset topic is only on when named). */
    @JsonProperty("reset")
    String reset;

    @JsonProperty("status")
    String status = "/mantis/status";

    Topics toTopics() {
      check(
          controller != null && !controller.isBlank(),
          "topics.controller is required, e.g. /arm_controller (trajectories go to /arm_controller/command)");
      return new Topics(
          optional(image),
          optional(compressedImage),
          jointStates,
          controller,
          instruction,
          estop,
          optional(reset),
          status);
    }
  }

  static final class RawRobot {
    @JsonProperty("id")
    String id = "arm";

    @JsonProperty("spec")
    String spec;

    @JsonProperty("joints")
    List<String> joints;

    @JsonProperty("from_parameter")
    String fromParameter;

    @JsonProperty("base_link")
    String baseLink;

    @JsonProperty("tool_link")
    String toolLink;

    @JsonProperty("max_acceleration_rad_per_s2")
    Double maxAccelerationRadPerS2;

    Robot toRobot(Path baseDir) {
      if (fromParameter != null) {
        check(
            spec == null,
            "robot.spec and robot.from_parameter exclude each other: the robot is either a spec or"
                + " the URDF in a ROS parameter");
        FromParameter fp =
            new FromParameter(
                fromParameter.strip(),
                optional(baseLink),
                optional(toolLink),
                maxAccelerationRadPerS2 == null ? Double.NaN : maxAccelerationRadPerS2);
        return new Robot(
            id, "parameter " + fp.parameter() + " (read at start)", null, joints, Optional.of(fp));
      }
      check(
          baseLink == null && toolLink == null && maxAccelerationRadPerS2 == null,
          "robot.base_link, robot.tool_link and robot.max_acceleration_rad_per_s2 apply only with"
              + " robot.from_parameter");
      if (spec == null) {
        spec = Planar3RobotProvider.NAME;
      }
      check(!spec.isBlank(), "robot.spec must not be empty");
      String s = spec.strip();
      RobotSpec resolved;
      String sourceName;
      RobotRegistry robots = RobotRegistry.installed();
      if (robots.isKnown(s)) {
        resolved = robots.robot(s);
        sourceName = s;
      } else {
        Path p = Path.of(s);
        if (!p.isAbsolute() && baseDir != null) {
          p = baseDir.resolve(p);
        }
        if (!Files.isRegularFile(p)) {
          throw new IllegalArgumentException(
              "robot.spec '"
                  + s
                  + "' is neither a bundled robot "
                  + robots.names()
                  + " nor a readable file ("
                  + p
                  + ")");
        }
        resolved = RobotModels.resolve(p.toString());
        sourceName = p.toString();
      }
      return new Robot(id, sourceName, resolved, joints);
    }
  }

  static final class RawServer {
    @JsonProperty("target")
    String target = "localhost:50051";

    @JsonProperty("tls")
    RawClientTls tls;

    @JsonProperty("token_file")
    String tokenFile;

    @JsonProperty("insecure")
    boolean insecure;

    @JsonProperty("deadline_ms")
    long deadlineMs = 2000;

    @JsonProperty("stream_idle_timeout_ms")
    long streamIdleTimeoutMs = 2000;

    @JsonProperty("reconnect_min_ms")
    long reconnectMinMs = 100;

    @JsonProperty("reconnect_max_ms")
    long reconnectMaxMs = 5000;

    @JsonProperty("control_rate_hz")
    double controlRateHz = 20;

    @JsonProperty("watchdog_timeout_ms")
    long watchdogTimeoutMs = 100;

    @JsonProperty("keepalive_time_ms")
    long keepaliveTimeMs = Server.DEFAULT_KEEPALIVE_TIME_MS;

    @JsonProperty("keepalive_timeout_ms")
    long keepaliveTimeoutMs = Server.DEFAULT_KEEPALIVE_TIMEOUT_MS;

    Server toServer(Path baseDir, Map<String, String> env) {
      Optional<TlsClientConfig> clientTls =
          tls == null ? Optional.empty() : Optional.of(tls.toConfig(baseDir));
      Optional<BearerToken> token;
      String source;
      if (tokenFile != null && !tokenFile.isBlank()) {
        Path f = file(baseDir, tokenFile, "server.token_file");
        try {
          token = Optional.of(BearerToken.fromFile(f));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("server.token_file: " + e.getMessage(), e);
        }
        source = "file " + f;
      } else {
        try {
          token = BearerToken.resolve(null, env);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "server: the token in the environment (no server.token_file is set): "
                  + e.getMessage(),
              e);
        }
        source = token.isPresent() ? "$" + BearerToken.ENV : "none";
      }
      if (insecure) {
        token = token.map(BearerToken::allowingPlaintext);
      }
      ClientSecurity security = new ClientSecurity(clientTls, token);
      if (clientTls.isPresent()) {
        try {
          security.channelCredentials(); // reads and checks the PEM files now
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("server.tls: " + e.getMessage(), e);
        }
      }
      return new Server(
          target == null ? null : target.strip(),
          deadlineMs,
          streamIdleTimeoutMs,
          reconnectMinMs,
          reconnectMaxMs,
          controlRateHz,
          watchdogTimeoutMs,
          keepaliveTimeMs,
          keepaliveTimeoutMs,
          security,
          source,
          insecure);
    }
  }

  /** {@code server.tls}: the client side. */
  static final class RawClientTls {
    @JsonProperty("ca")
    String ca;

    @JsonProperty("cert")
    String cert;

    @JsonProperty("key")
    String key;

    TlsClientConfig toConfig(Path baseDir) {
      boolean hasCert = cert != null && !cert.isBlank();
      boolean hasKey = key != null && !key.isBlank();
      check(
          hasCert == hasKey,
          "server.tls: 'cert' and 'key' (this bridge's certificate for mutual TLS) go "
              + "together: give both or neither");
      Optional<Path> caFile =
          ca == null || ca.isBlank()
              ? Optional.empty()
              : Optional.of(file(baseDir, ca, "server.tls.ca"));
      Optional<Path> certFile =
          hasCert ? Optional.of(file(baseDir, cert, "server.tls.cert")) : Optional.empty();
      Optional<Path> keyFile =
          hasKey ? Optional.of(file(baseDir, key, "server.tls.key")) : Optional.empty();
      return new TlsClientConfig(caFile, certFile, keyFile);
    }
  }

  static final class RawArmService {
    @JsonProperty("port")
    int port = 0;

    @JsonProperty("host")
    String host = "127.0.0.1";

    @JsonProperty("tls")
    RawServerTls tls;

    @JsonProperty("tokens_file")
    String tokensFile;

    @JsonProperty("tokens")
    List<RawToken> tokens;

    @JsonProperty("max_streams")
    int maxStreams = ArmService.DEFAULT_MAX_STREAMS;

    /** Only to name the key in the refusal: a config file cannot make the ArmService insecure. */
    @JsonProperty("insecure")
    Boolean insecure;

    ArmService toArmService(Path baseDir) {
      check(
          !Boolean.TRUE.equals(insecure),
          "arm_service.insecure: true is not accepted in a config file (a file "
              + "gets copied and baked into images, which then serve the arm to anyone; docker/bridge.yaml once did): "
              + "give TLS and tokens, or pass --insecure to 'mantis bridge' for the run that should be unprotected");
      List<TokenEntry> inline = new ArrayList<>();
      if (tokens != null) {
        for (int i = 0; i < tokens.size(); i++) {
          RawToken t = tokens.get(i);
          try {
            check(
                t != null && t.name != null && t.role != null && t.sha256 != null,
                "name, role and sha256 are required");
            inline.add(new TokenEntry(t.name, Role.parse(t.role), t.sha256));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "arm_service.tokens[" + i + "]: " + e.getMessage(), e);
          }
        }
      }
      TokenStore store;
      try {
        store = TokenStore.of(inline);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("arm_service.tokens: " + e.getMessage(), e);
      }
      List<String> sources = new ArrayList<>();
      if (!inline.isEmpty()) {
        sources.add(inline.size() + " listed");
      }
      if (tokensFile != null && !tokensFile.isBlank()) {
        Path f = file(baseDir, tokensFile, "arm_service.tokens_file");
        TokenStore fromFile;
        try {
          fromFile = TokenStore.load(f);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("arm_service.tokens_file: " + e.getMessage(), e);
        }
        try {
          store = store.with(fromFile.entries());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "arm_service.tokens and arm_service.tokens_file " + f + ": " + e.getMessage(), e);
        }
        sources.add(fromFile.size() + " from " + f);
      }
      Optional<TlsServerConfig> serverTls =
          tls == null ? Optional.empty() : Optional.of(tls.toConfig(baseDir));
      return new ArmService(
          port, host, serverTls, store, String.join(", ", sources), maxStreams, false);
    }
  }

  /** {@code arm_service.tls}: the server side. */
  static final class RawServerTls {
    @JsonProperty("cert_chain")
    String certChain;

    @JsonProperty("private_key")
    String privateKey;

    @JsonProperty("client_ca")
    String clientCa;

    TlsServerConfig toConfig(Path baseDir) {
      check(
          certChain != null && !certChain.isBlank() && privateKey != null && !privateKey.isBlank(),
          "arm_service.tls needs both cert_chain and private_key (client_ca is optional: it turns on mutual TLS)");
      return new TlsServerConfig(
          file(baseDir, certChain, "arm_service.tls.cert_chain"),
          file(baseDir, privateKey, "arm_service.tls.private_key"),
          clientCa == null || clientCa.isBlank()
              ? Optional.empty()
              : Optional.of(file(baseDir, clientCa, "arm_service.tls.client_ca")));
    }
  }

  /** One {@code arm_service.tokens} entry, as in a tokens file. */
  static final class RawToken {
    @JsonProperty("name")
    String name;

    @JsonProperty("role")
    String role;

    @JsonProperty("sha256")
    String sha256;
  }

  static final class RawBridge {
    @JsonProperty("default_instruction")
    String defaultInstruction;

    @JsonProperty("heartbeat_hz")
    double heartbeatHz = 2;

    @JsonProperty("max_input_age_ms")
    long maxInputAgeMs = 500;

    @JsonProperty("hold_time_from_start_ms")
    long holdTimeFromStartMs = 50;

    @JsonProperty("audit_log")
    String auditLog;

    Bridge toBridge(Path baseDir) {
      Optional<Path> audit =
          auditLog == null || auditLog.isBlank()
              ? Optional.empty()
              : Optional.of(resolve(baseDir, auditLog));
      return new Bridge(
          optional(defaultInstruction), heartbeatHz, maxInputAgeMs, holdTimeFromStartMs, audit);
    }
  }

  /** {@code value} as a path, relative ones against {@code baseDir}. */
  private static Path resolve(Path baseDir, String value) {
    Path p = Path.of(value.strip());
    return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
  }

  /**
   * {@code value} as a path to an existing readable file, relative ones against {@code baseDir}.
   *
   * @throws IllegalArgumentException naming {@code key} and the file otherwise
   */
  private static Path file(Path baseDir, String value, String key) {
    Path p = resolve(baseDir, value);
    if (!Files.exists(p)) {
      throw new IllegalArgumentException(key + ": no such file " + p);
    }
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(key + ": " + p + " is not a regular file");
    }
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(key + ": " + p + ": permission denied");
    }
    return p;
  }

  private static Optional<String> optional(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }
}
