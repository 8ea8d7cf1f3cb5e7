package mantis.calibration.kinematics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import mantis.calibration.PlanarArmKinematics;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.spi.RobotRegistry;

/**
 * The robots Mantis ships, and robots from URDF files.
 *
 * <ul>
 *   <li>{@value #PLANAR3}: the simulator's planar 3-joint arm ({@link RobotSpecs#mantisPlanar3()}).
 *   <li>{@value #UR5E}: a UR5e-like 6-joint arm ({@value #UR5E_RESOURCE}) with a 0.12 m pusher on
 *       its flange, base at the table origin.
 * </ul>
 */
public final class RobotModels {
  /** Name of the planar 3-joint arm. */
  public static final String PLANAR3 = "planar3";

  /** Name of the bundled 6-joint arm. */
  public static final String UR5E = "ur5e";

  /** Class-path resource of the bundled 6-joint arm's URDF. */
  public static final String UR5E_RESOURCE = "/mantis/robots/ur5e.urdf";

  /** The acceleration limit of every joint of {@value #UR5E} (URDF has none), rad/s². */
  public static final double UR5E_MAX_ACCELERATION_RAD_PER_S2 = 8.0;

  /** Base link and tool link of {@value #UR5E}'s chain. */
  static final String UR5E_BASE_LINK = "base_link";

  static final String UR5E_TOOL_LINK = "pusher_tip";

  /**
   * IK settings for following table targets: sub-micrometre and 1e-6 rad, a few restarts (a target
   * is near the last one, so the attempt from the seed almost always succeeds).
   */
  public static final IkOptions TABLE_IK = new IkOptions(1e-7, 1e-6, 100, 8, 1e-3, 42L);

  /** Robots read by {@link #load}, by lower-case name. */
  private static final Map<String, RobotModel> LOADED = new ConcurrentHashMap<>();

  private static volatile RobotModel planar3;
  private static volatile RobotModel ur5e;

  private RobotModels() {}

  /** Names of the bundled robots. */
  public static List<String> names() {
    return List.of(PLANAR3, UR5E);
  }

  /**
   * A bundled robot by name ({@value #PLANAR3} or its description's name {@code mantis-planar-3},
   * {@value #UR5E} or {@code mantis-ur5e}; case-insensitive).
   *
   * @throws IllegalArgumentException naming the known robots when {@code name} is not one
   */
  public static RobotModel forName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case PLANAR3:
      case "mantis-planar-3":
        return planar3();
      case UR5E:
      case "mantis-ur5e":
        return ur5e();
      default:
        RobotModel loaded = LOADED.get(n);
        if (loaded != null) {
          return loaded;
        }
        List<String> known = new ArrayList<>(names());
        known.addAll(new TreeSet<>(LOADED.keySet()));
        throw new IllegalArgumentException(
            "unknown robot '" + name + "'; known robots: " + String.join(", ", known));
    }
  }

  /**
   * Reads a robot described by a URDF, through a small YAML file beside it, and makes it known to
   * {@link #forName} by its name from then on (so policies given its {@link RobotSpec} find its
   * kinematics). The YAML, every key but {@code urdf} and {@code max_acceleration_rad_per_s2}
   * optional:
   *
   * <pre>
   * urdf: ur5e.urdf                     # relative to this file
   * name: my-ur5e                       # default: the URDF's robot name
   * base_link: base_link                # default: the URDF's root link
   * tool_link: tool0                    # default: the one leaf below base_link
   * max_acceleration_rad_per_s2: 8.0    # every joint; URDF has no acceleration limits
   * base_in_table: {x_m: 0.0, y_m: 0.0, z_m: 0.0, yaw_rad: 0.0}
   * </pre>
   *
   * @throws IllegalArgumentException with a precise message naming the file and the key when the
   *     description is invalid, or when the name is one of the bundled robots'
   * @throws UncheckedIOException when a file cannot be read
   */
  public static RobotModel load(Path yaml) {
    RobotModel m = UrdfRobotFile.read(yaml);
    String key = m.name().toLowerCase(Locale.ROOT);
    if (names().contains(key) || key.equals("mantis-planar-3") || key.equals("mantis-ur5e")) {
      throw new IllegalArgumentException(
          yaml + ": robot name '" + m.name() + "' is a bundled robot's; give it a name of its own");
    }
    LOADED.put(key, m);
    return m;
  }

  /**
   * The joint limits of a robot named in a configuration: a path to a robot YAML (either the plain
   * format of {@link RobotSpecs} or a URDF robot as {@link #load} reads it), or the name of a robot
   * in the {@link RobotRegistry} ({@code planar3}, {@code ur5e}).
   *
   * @throws IllegalArgumentException with a precise message when it is neither, or invalid
   * @throws UncheckedIOException when the file cannot be read
   */
  public static RobotSpec resolve(String nameOrPath) {
    String v = nameOrPath == null ? "" : nameOrPath.trim();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("robot must be a robot name or a robot YAML file");
    }
    Path p = Path.of(v);
    if (Files.isRegularFile(p)) {
      if (v.toLowerCase(Locale.ROOT).endsWith(".urdf")) {
        throw new IllegalArgumentException(
            v
                + " is a URDF: name it in a robot YAML (urdf: "
                + p.getFileName()
                + ", max_acceleration_rad_per_s2: ...), since URDF has no acceleration limits");
      }
      return UrdfRobotFile.isUrdfRobot(p) ? load(p).spec() : RobotSpecs.load(p);
    }
    RobotRegistry registry = RobotRegistry.installed();
    if (registry.isKnown(v)) {
      return registry.robot(v);
    }
    throw new IllegalArgumentException(
        "robot '"
            + v
            + "' is neither a file nor a known robot; known robots: "
            + String.join(", ", registry.names()));
  }

  /** The simulator's planar 3-joint arm. */
  public static RobotModel planar3() {
    RobotModel m = planar3;
    if (m == null) {
      RobotSpec spec = RobotSpecs.mantisPlanar3();
      PlanarArmKinematics arm = PlanarArmKinematics.mantisPlanar3();
      m = new RobotModel(spec, Kinematics.planar(arm, spec), new PlanarTableReach(arm, spec));
      planar3 = m;
    }
    return m;
  }

  /** The bundled UR5e-like 6-joint arm, base at the table origin, yaw 0. */
  public static RobotModel ur5e() {
    RobotModel m = ur5e;
    if (m == null) {
      UrdfRobot urdf;
      try (InputStream in = RobotModels.class.getResourceAsStream(UR5E_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("bundled robot " + UR5E_RESOURCE + " is missing");
        }
        urdf = UrdfReader.read(in, UR5E_RESOURCE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read bundled robot " + UR5E_RESOURCE, e);
      }
      m =
          fromChain(
              urdf.name(),
              urdf.serialChain(UR5E_BASE_LINK, UR5E_TOOL_LINK),
              UR5E_MAX_ACCELERATION_RAD_PER_S2,
              0,
              0,
              0,
              0);
      ur5e = m;
    }
    return m;
  }

  /**
   * A robot from a URDF file: the chain from {@code baseLink} to {@code toolLink}, every joint
   * given {@code maxAccelerationRadPerS2} (URDF has no acceleration limits), the base placed on the
   * table at ({@code baseXM}, {@code baseYM}, {@code baseZM}) turned by {@code baseYawRad} about z.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException with a precise message when the URDF or the chain is invalid
   */
  public static RobotModel fromUrdf(
      Path urdf,
      String baseLink,
      String toolLink,
      double maxAccelerationRadPerS2,
      double baseXM,
      double baseYM,
      double baseZM,
      double baseYawRad)
      throws IOException {
    UrdfRobot robot = UrdfReader.read(urdf);
    return fromChain(
        robot.name(),
        robot.serialChain(baseLink, toolLink),
        maxAccelerationRadPerS2,
        baseXM,
        baseYM,
        baseZM,
        baseYawRad);
  }

  static RobotModel fromChain(
      String name,
      SerialChain chain,
      double maxAccelerationRadPerS2,
      double baseXM,
      double baseYM,
      double baseZM,
      double baseYawRad) {
    RobotSpec spec = chain.robotSpec(name, maxAccelerationRadPerS2);
    Kinematics k = Kinematics.serial(chain, TABLE_IK);
    return new RobotModel(
        spec, k, new SerialTableReach(k, chain, baseXM, baseYM, baseZM, baseYawRad));
  }
}
