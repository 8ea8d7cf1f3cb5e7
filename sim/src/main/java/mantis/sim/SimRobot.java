package mantis.sim;

import java.util.Objects;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.IkResult;
import mantis.calibration.kinematics.Pose;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;

/**
 * The simulator's view of one arm ({@link SimConfig#robot()}): its {@link RobotModel}, whether it
 * is the planar 3-joint arm (whose code paths stay the original ones, bit for bit), and for a
 * spatial arm the height its pusher tip moves at, its home posture and its comfortable tip
 * workspace on the table. Immutable.
 */
final class SimRobot {
  /** Height of a spatial arm's tool tip while it pushes, metres above the table. */
  static final double PUSH_HEIGHT_M = 0.01;

  /** Where a spatial arm's tip rests at reset: in front of the base, below the task region. */
  static final double HOME_TIP_X_M = 0.16;

  static final double HOME_TIP_Y_M = 0.09;

  /** The seed posture of the UR5e-like arm's home: pointing down, elbow up, above the table. */
  private static final double[] UR5E_HOME_SEED = {-Math.PI / 2, -1.2, 1.6, -1.97, -Math.PI / 2, 0};

  private final String name;
  private final RobotModel model;
  private final boolean planar;
  private final RobotSpec spec;
  private final double[] homeJointsRad;
  private final double reachMinM;
  private final double reachMaxM;

  private SimRobot(
      String name,
      RobotModel model,
      boolean planar,
      RobotSpec spec,
      double[] homeJointsRad,
      double reachMinM,
      double reachMaxM) {
    this.name = name;
    this.model = model;
    this.planar = planar;
    this.spec = spec;
    this.homeJointsRad = homeJointsRad;
    this.reachMinM = reachMinM;
    this.reachMaxM = reachMaxM;
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, SimRobot> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The robot of a configuration ({@link SimConfig#robot()}); built once per name. */
  static SimRobot forName(String name) {
    Objects.requireNonNull(name, "name");
    SimRobot cached = CACHE.get(name);
    if (cached != null) {
      return cached;
    }
    SimRobot r = build(name);
    CACHE.putIfAbsent(name, r);
    return CACHE.get(name);
  }

  /** The bundled spatial arm with {@code joints} joints (to read arm points back from joints). */
  static SimRobot forJointCount(int joints) {
    for (String n : RobotModels.names()) {
      SimRobot r = forName(n);
      if (!r.planar() && r.jointCount() == joints) {
        return r;
      }
    }
    throw new IllegalArgumentException("no bundled spatial arm has " + joints + " joints");
  }

  private static SimRobot build(String name) {
    RobotModel model = RobotModels.forName(name);
    if (model == RobotModels.planar3()) {
      return new SimRobot(
          RobotModels.PLANAR3,
          model,
          true,
          RobotSpecs.mantisPlanar3(),
          null,
          Table.REACH_MIN_M,
          Table.REACH_MAX_M);
    }
    if (model != RobotModels.ur5e()) {
      throw new IllegalArgumentException("the simulator has no set-up for robot " + name);
    }
    double[] q = walkTo(model, UR5E_HOME_SEED, HOME_TIP_X_M, HOME_TIP_Y_M, name);
    return new SimRobot(RobotModels.UR5E, model, false, model.spec(), q, 0.16, 0.70);
  }

  /**
   * Joints for a tip point reached by walking the tip in 1 cm steps, each solved from the last,
   * from the middle of the task region (solved from {@code seed}): the home keeps the seed's
   * branch.
   */
  private static double[] walkTo(RobotModel model, double[] seed, double x, double y, String name) {
    double x0 = 0.0;
    double y0 = 0.30;
    int steps = (int) Math.ceil(Math.hypot(x - x0, y - y0) / 0.01);
    double[] q = seed.clone();
    for (int s = 0; s <= steps; s++) {
      double f = (double) s / steps;
      double px = x0 + (x - x0) * f;
      double py = y0 + (y - y0) * f;
      IkResult r = model.reach().reach(px, py, PUSH_HEIGHT_M, q);
      q =
          r.joints()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "the "
                              + name
                              + " home path is unreachable at ("
                              + px
                              + ", "
                              + py
                              + "): "
                              + r));
    }
    return q;
  }

  /** The planar 3-joint arm with these limits (tests use tighter ones). */
  static SimRobot planar(RobotSpec limits) {
    if (limits.jointCount() != Table.LINKS_M.length) {
      throw new IllegalArgumentException(
          "the planar arm has "
              + Table.LINKS_M.length
              + " joints, "
              + limits.name()
              + " has "
              + limits.jointCount());
    }
    return new SimRobot(
        RobotModels.PLANAR3,
        RobotModels.planar3(),
        true,
        limits,
        null,
        Table.REACH_MIN_M,
        Table.REACH_MAX_M);
  }

  String name() {
    return name;
  }

  RobotModel model() {
    return model;
  }

  /** True for the planar 3-joint arm, which keeps its own exact code paths. */
  boolean planar() {
    return planar;
  }

  RobotSpec spec() {
    return spec;
  }

  int jointCount() {
    return spec.jointCount();
  }

  /** A spatial arm's home posture (a copy); the planar arm's home comes with the scene. */
  double[] homeJointsRad() {
    return homeJointsRad.clone();
  }

  /** Tip radius from the base (table origin) the expert keeps to, metres. */
  double reachMinM() {
    return reachMinM;
  }

  double reachMaxM() {
    return reachMaxM;
  }

  boolean inWorkspace(double x, double y) {
    if (planar) {
      return Table.inWorkspace(x, y);
    }
    double r = Math.hypot(x, y);
    return r >= reachMinM && r <= reachMaxM;
  }

  /** A spatial arm's tool tip on the table. */
  Vec3 tip(double[] q) {
    return model.reach().tip(q);
  }

  /** A spatial arm's tool heading: the yaw of the tool's x axis in the table frame. */
  double toolYaw(double[] q) {
    Pose p = model.kinematics().forward(q);
    double[] r = p.rotationRowMajor();
    return Math.atan2(r[3], r[0]);
  }
}
