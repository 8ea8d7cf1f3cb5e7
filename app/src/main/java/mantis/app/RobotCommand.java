package mantis.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import mantis.calibration.kinematics.ChainJoint;
import mantis.calibration.kinematics.IkOptions;
import mantis.calibration.kinematics.IkResult;
import mantis.calibration.kinematics.JointType;
import mantis.calibration.kinematics.Kinematics;
import mantis.calibration.kinematics.Pose;
import mantis.calibration.kinematics.SerialChain;
import mantis.calibration.kinematics.UrdfJoint;
import mantis.calibration.kinematics.UrdfReader;
import mantis.calibration.kinematics.UrdfRobot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mantis robot check|fk|ik}: a robot's serial chain from a URDF, its forward and inverse
 * kinematics, as JSON on standard output. Exit codes: 0 done, 1 IK found no solution, 2 bad input
 * (unreadable or invalid URDF, unknown link, wrong joint count, a value outside the limits).
 */
@Command(
    name = "robot",
    mixinStandardHelpOptions = true,
    description =
        "A robot from a URDF: its serial chain (check), forward kinematics (fk) and inverse kinematics (ik), "
            + "as JSON on standard output (see docs/ROBOTS.md).",
    subcommands = {RobotCommand.Check.class, RobotCommand.Fk.class, RobotCommand.Ik.class})
final class RobotCommand implements Runnable {
  static final int NO_SOLUTION = 1;
  static final int BAD_INPUT = 2;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The URDF and the chain in it, shared by the subcommands. */
  static final class ChainOptions {
    @Option(names = "--urdf", required = true, paramLabel = "FILE", description = "The URDF file.")
    Path urdf;

    @Option(
        names = "--base",
        paramLabel = "LINK",
        description = "Base link of the chain (default: the URDF's root link).")
    String base;

    @Option(
        names = {"--tip", "--tool"},
        paramLabel = "LINK",
        description =
            "Tool link of the chain (default: the only leaf below the base; a URDF that branches "
                + "needs it).")
    String tip;

    UrdfRobot robot() {
      try {
        return UrdfReader.read(urdf);
      } catch (IOException e) {
        throw new BadInput("cannot read " + urdf + ": " + describe(e));
      } catch (IllegalArgumentException e) {
        throw new BadInput(e.getMessage());
      }
    }

    SerialChain chain(UrdfRobot robot) {
      try {
        if (base == null && tip == null) {
          return robot.serialChain();
        }
        String b = base != null ? base : robot.rootLink();
        String t = tip != null ? tip : leafBelow(robot, b);
        return robot.serialChain(b, t);
      } catch (IllegalArgumentException e) {
        throw new BadInput(e.getMessage());
      }
    }
  }

  /** Walks down from {@code link} to the only leaf below it. */
  static String leafBelow(UrdfRobot robot, String link) {
    if (!robot.links().contains(link)) {
      throw new IllegalArgumentException(
          robot.source() + ": no link named " + link + " (links: " + robot.links() + ")");
    }
    Map<String, List<String>> children = new LinkedHashMap<>();
    for (UrdfJoint j : robot.joints()) {
      children.computeIfAbsent(j.parentLink(), k -> new ArrayList<>()).add(j.name());
    }
    String at = link;
    while (children.containsKey(at)) {
      List<String> out = children.get(at);
      if (out.size() > 1) {
        throw new IllegalArgumentException(
            robot.source()
                + ": the tree branches at link "
                + at
                + " into joints "
                + out
                + "; pick the tool link with --tip");
      }
      at = robot.joint(out.get(0)).childLink();
    }
    return at;
  }

  /** {@code mantis robot check}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Read the URDF and print the robot name, the chain (base and tool link) and its moving joints with type, "
              + "axis and limits; an invalid URDF or chain is reported with exit code 2.")
  static final class Check implements Callable<Integer> {
    @Mixin ChainOptions chainOptions;

    @Override
    public Integer call() {
      return guarded(
          "check",
          () -> {
            UrdfRobot robot = chainOptions.robot();
            SerialChain chain = chainOptions.chain(robot);
            ObjectNode out = MAPPER.createObjectNode();
            out.put("urdf", chainOptions.urdf.toString());
            out.put("robot", robot.name());
            out.put("rootLink", robot.rootLink());
            out.put("links", robot.links().size());
            out.put("urdfJoints", robot.joints().size());
            ObjectNode c = out.putObject("chain");
            c.put("baseLink", chain.baseLink());
            c.put("toolLink", chain.toolLink());
            c.put("movingJoints", chain.jointCount());
            ArrayNode joints = out.putArray("joints");
            for (ChainJoint j : chain.joints()) {
              ObjectNode n = joints.addObject();
              n.put("name", j.name());
              n.put("type", j.type().urdfName());
              n.putArray("axis").add(j.axisX()).add(j.axisY()).add(j.axisZ());
              putFinite(n, unit(j.type(), "lower"), j.lower());
              putFinite(n, unit(j.type(), "upper"), j.upper());
              putFinite(n, unit(j.type(), "maxVelocity") + "PerS", j.maxVelocity());
              putFinite(
                  n, j.type() == JointType.PRISMATIC ? "maxEffortN" : "maxEffortNm", j.maxEffort());
              n.set("origin", poseJson(j.origin().toPose()));
            }
            out.set("toolInLastJoint", poseJson(chain.toolTransform().toPose()));
            double[] zero = new double[chain.jointCount()];
            out.set("toolPoseAtZero", poseJson(Kinematics.serial(chain).forward(zero)));
            print(out);
            return 0;
          });
    }
  }

  /** {@code mantis robot fk}. */
  @Command(
      name = "fk",
      mixinStandardHelpOptions = true,
      description =
          "Forward kinematics: the tool pose in the base frame (xyz in m, quaternion x,y,z,w, fixed-axis roll, "
              + "pitch, yaw in rad) for the given joint values.")
  static final class Fk implements Callable<Integer> {
    @Mixin ChainOptions chainOptions;

    @Option(
        names = "--joints",
        required = true,
        paramLabel = "Q1,Q2,...",
        description =
            "One value per moving joint, base to tool (rad; m for prismatic joints), inside the limits.")
    String joints;

    @Override
    public Integer call() {
      return guarded(
          "fk",
          () -> {
            SerialChain chain = chainOptions.chain(chainOptions.robot());
            double[] q = jointValues(chain, joints, "--joints");
            Pose pose = Kinematics.serial(chain).forward(q);
            ObjectNode out = MAPPER.createObjectNode();
            putChain(out, chain);
            putJoints(out, chain, q);
            out.set("pose", poseJson(pose));
            print(out);
            return 0;
          });
    }
  }

  /** {@code mantis robot ik}. */
  @Command(
      name = "ik",
      mixinStandardHelpOptions = true,
      description =
          "Inverse kinematics (damped least squares with joint limits and seeded restarts): joint values inside "
              + "the limits that put the tool at the pose; exit code 1 with the reason when there are none.")
  static final class Ik implements Callable<Integer> {
    @Mixin ChainOptions chainOptions;

    @Option(
        names = "--xyz",
        required = true,
        paramLabel = "X,Y,Z",
        description = "Tool position in the base frame, m.")
    String xyz;

    @Option(
        names = "--quat",
        paramLabel = "X,Y,Z,W",
        description =
            "Tool orientation as a quaternion (x,y,z,w); normalized if its norm is within 1% of 1. "
                + "Default: the identity.")
    String quat;

    @Option(
        names = "--seed",
        paramLabel = "Q1,Q2,...",
        description =
            "Joint values to start from (default: 0, or the middle of the limits when 0 is outside them).")
    String seed;

    @Option(
        names = "--position-tolerance-m",
        paramLabel = "M",
        description = "Largest position error of a solution (default ${DEFAULT-VALUE}).")
    double positionToleranceM = IkOptions.defaults().positionToleranceM();

    @Option(
        names = "--orientation-tolerance-rad",
        paramLabel = "RAD",
        description = "Largest orientation error of a solution (default ${DEFAULT-VALUE}).")
    double orientationToleranceRad = IkOptions.defaults().orientationToleranceRad();

    @Option(
        names = "--restarts",
        paramLabel = "N",
        description = "Random restarts after the attempt from the seed (default ${DEFAULT-VALUE}).")
    int restarts = IkOptions.defaults().maxRestarts();

    @Override
    public Integer call() {
      return guarded(
          "ik",
          () -> {
            SerialChain chain = chainOptions.chain(chainOptions.robot());
            double[] p = numbers(xyz, "--xyz", 3);
            double[] r = quat == null ? new double[] {0, 0, 0, 1} : unitQuaternion(quat);
            Pose target = new Pose(p[0], p[1], p[2], r[0], r[1], r[2], r[3]);
            double[] start = seed == null ? defaultSeed(chain) : jointValues(chain, seed, "--seed");
            IkOptions d = IkOptions.defaults();
            IkOptions options;
            try {
              options =
                  new IkOptions(
                      positionToleranceM,
                      orientationToleranceRad,
                      d.maxIterations(),
                      restarts,
                      d.initialDamping(),
                      d.randomSeed());
            } catch (IllegalArgumentException e) {
              throw new BadInput(e.getMessage());
            }
            IkResult result = Kinematics.serial(chain, options).inverse(target, start);
            ObjectNode out = MAPPER.createObjectNode();
            putChain(out, chain);
            out.put("solved", result.solved());
            out.set("target", poseJson(target));
            if (result.solved()) {
              putJoints(out, chain, result.joints().orElseThrow());
            } else {
              out.put("reason", result.failure());
            }
            out.put("positionErrorM", result.positionErrorM());
            out.put("orientationErrorRad", result.orientationErrorRad());
            out.put("attempts", result.attempts());
            out.put("restarts", Math.max(0, result.attempts() - 1));
            out.put("iterations", result.iterations());
            print(out);
            if (!result.solved()) {
              System.err.println("mantis robot ik: " + result.failure());
              return NO_SOLUTION;
            }
            return 0;
          });
    }
  }

  /** Bad command-line or file input: reported on standard error with exit code 2. */
  static final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message);
    }
  }

  private static int guarded(String subcommand, Callable<Integer> body) {
    try {
      return body.call();
    } catch (BadInput | IllegalArgumentException e) {
      System.err.println("mantis robot " + subcommand + ": " + e.getMessage());
      return BAD_INPUT;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static double[] numbers(String text, String option, int count) {
    String[] parts = text.trim().isEmpty() ? new String[0] : text.split(",", -1);
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new BadInput(option + ": '" + parts[i].trim() + "' is not a number");
      }
      if (!Double.isFinite(out[i])) {
        throw new BadInput(option + ": '" + parts[i].trim() + "' is not a finite number");
      }
    }
    if (count >= 0 && out.length != count) {
      throw new BadInput(
          option + " needs " + count + " comma-separated numbers, got " + out.length + ": " + text);
    }
    return out;
  }

  /** Parses one value per joint and checks each against its limits. */
  static double[] jointValues(SerialChain chain, String text, String option) {
    double[] q = numbers(text, option, -1);
    if (q.length != chain.jointCount()) {
      throw new BadInput(
          option
              + " needs "
              + chain.jointCount()
              + " values, one per moving joint "
              + chain.jointNames()
              + ", got "
              + q.length);
    }
    for (int i = 0; i < q.length; i++) {
      ChainJoint j = chain.joint(i);
      if (j.bounded() && (q[i] < j.lower() || q[i] > j.upper())) {
        throw new BadInput(
            option
                + ": joint "
                + j.name()
                + " = "
                + q[i]
                + " is outside its limits ["
                + j.lower()
                + ", "
                + j.upper()
                + "]");
      }
    }
    return q;
  }

  static double[] unitQuaternion(String text) {
    double[] q = numbers(text, "--quat", 4);
    double n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (!(Math.abs(n - 1) <= 0.01)) {
      throw new BadInput(
          String.format(
              Locale.ROOT,
              "--quat must be a unit quaternion x,y,z,w (norm within 1%% of 1), got norm %.6g",
              n));
    }
    return new double[] {q[0] / n, q[1] / n, q[2] / n, q[3] / n};
  }

  static double[] defaultSeed(SerialChain chain) {
    double[] q = new double[chain.jointCount()];
    for (int i = 0; i < q.length; i++) {
      ChainJoint j = chain.joint(i);
      if (j.bounded() && (0 < j.lower() || 0 > j.upper())) {
        q[i] = (j.lower() + j.upper()) / 2;
      }
    }
    return q;
  }

  private static void putChain(ObjectNode out, SerialChain chain) {
    ObjectNode c = out.putObject("chain");
    c.put("baseLink", chain.baseLink());
    c.put("toolLink", chain.toolLink());
  }

  private static void putJoints(ObjectNode out, SerialChain chain, double[] q) {
    ArrayNode names = out.putArray("jointNames");
    ArrayNode values = out.putArray("joints");
    for (int i = 0; i < q.length; i++) {
      names.add(chain.joint(i).name());
      values.add(q[i]);
    }
  }

  static ObjectNode poseJson(Pose p) {
    ObjectNode n = MAPPER.createObjectNode();
    n.putArray("xyz").add(p.xM()).add(p.yM()).add(p.zM());
    n.putArray("quat").add(p.qx()).add(p.qy()).add(p.qz()).add(p.qw());
    double[] rpy = rpy(p.rotationRowMajor());
    n.putArray("rpy").add(rpy[0]).add(rpy[1]).add(rpy[2]);
    return n;
  }

  /** Fixed-axis roll, pitch, yaw (URDF convention, R = Rz(yaw) Ry(pitch) Rx(roll)), radians. */
  static double[] rpy(double[] r) {
    double pitch = Math.atan2(-r[6], Math.hypot(r[0], r[3]));
    if (Math.abs(r[6]) > 1 - 1e-12) {
      // Gimbal lock: roll and yaw turn about the same axis; put it all in yaw.
      return new double[] {0, pitch, Math.atan2(-r[1], r[4])};
    }
    return new double[] {Math.atan2(r[7], r[8]), pitch, Math.atan2(r[3], r[0])};
  }

  private static String unit(JointType type, String name) {
    return name + (type == JointType.PRISMATIC ? "M" : "Rad");
  }

  /** JSON has no infinity: an unbounded limit is written as null. */
  private static void putFinite(ObjectNode n, String field, double v) {
    if (Double.isFinite(v)) {
      n.put(field, v);
    } else {
      n.putNull(field);
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return m == null ? kind : kind + " (" + m + ")";
  }

  private static void print(ObjectNode out) throws JsonProcessingException {
    System.out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out));
  }
}
