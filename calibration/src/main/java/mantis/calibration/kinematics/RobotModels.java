package mantis.calibration.kinematics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import mantis.calibration.PlanarArmKinematics;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;

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
        throw new IllegalArgumentException(
            "unknown robot '" + name + "'; known robots: " + String.join(", ", names()));
    }
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

  private static RobotModel fromChain(
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
