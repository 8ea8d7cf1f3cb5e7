package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

class PhysicsTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private static final double DT = 0.02;

  private static ObjectState block(String name, double x, double y, double half) {
    return new ObjectState(
        name, PaletteColour.RED, PaletteColour.RED.rgb(), Shape.BLOCK, x, y, 0, half, 0.03);
  }

  private static ObjectState disc(String name, double x, double y, double radius) {
    return new ObjectState(
        name, PaletteColour.BLUE, PaletteColour.BLUE.rgb(), Shape.DISC, x, y, 0, radius, 0.02);
  }

  private static void moveHand(World w, double tx, double ty, int steps) {
    for (int i = 0; i < steps; i++) {
      w.stepHand(tx, ty, 0.5, 5.0, DT);
    }
  }

  @Test
  void handPushesABlockAlongTheFaceNormal() {
    World w = new World(List.of(block("red block", 0.0, 0.35, 0.03)), ROBOT);
    w.handX = -0.15;
    w.handY = 0.35;
    moveHand(w, 0.05, 0.35, 100);
    // Palm at x = 0.05 with radius 0.03 leaves the block's left face at 0.08.
    assertEquals(0.08 + 0.03, w.x[0], 1e-9);
    assertEquals(0.35, w.y[0], 1e-12);
  }

  @Test
  void anOffCentrePushMovesADiscAwayFromTheContact() {
    World w = new World(List.of(disc("blue disc", 0.0, 0.35, 0.03)), ROBOT);
    w.handX = -0.15;
    w.handY = 0.34;
    moveHand(w, 0.05, 0.34, 100);
    assertTrue(w.x[0] > 0.05, "pushed along x: " + w.x[0]);
    assertTrue(w.y[0] > 0.35, "and deflected away from the palm's side: " + w.y[0]);
    double gap = Math.hypot(w.x[0] - w.handX, w.y[0] - w.handY);
    assertTrue(gap >= 0.06 - 1e-9, "no penetration left: " + gap);
  }

  @Test
  void objectsPushObjects() {
    World w =
        new World(
            List.of(block("red block", 0.0, 0.35, 0.025), block("green block", 0.07, 0.35, 0.025)),
            ROBOT);
    w.handX = -0.15;
    w.handY = 0.35;
    moveHand(w, 0.06, 0.35, 120);
    assertTrue(w.x[1] > 0.07 + 0.05, "second block moved: " + w.x[1]);
    double overlap = 0.05 - (w.x[1] - w.x[0]);
    assertTrue(overlap < 0.002, "blocks barely overlap: " + overlap);
  }

  @Test
  void objectsStayOnTheTable() {
    World w = new World(List.of(disc("blue disc", 0.3, 0.35, 0.03)), ROBOT);
    w.handX = 0.2;
    w.handY = 0.35;
    moveHand(w, 0.6, 0.35, 200);
    assertTrue(w.x[0] + w.half[0] <= Table.X_MAX + 1e-12, "disc at " + w.x[0]);
  }

  @Test
  void armTracksTargetsWithinItsLimits() {
    World w = new World(List.of(), ROBOT);
    SplittableRandom rng = new SplittableRandom(3);
    double[] prevV = new double[3];
    double[] prevQ = w.q.clone();
    for (int i = 0; i < 2000; i++) {
      double[] target = {
        rng.nextDouble(-4, 4),
        rng.nextDouble(-4, 4),
        i % 97 == 0 ? Double.NaN : rng.nextDouble(-4, 4)
      };
      w.stepArm(target, DT);
      for (int j = 0; j < 3; j++) {
        JointLimits lim = ROBOT.joint(j);
        assertTrue(w.q[j] >= lim.minPositionRad() && w.q[j] <= lim.maxPositionRad());
        double v = (w.q[j] - prevQ[j]) / DT;
        assertTrue(Math.abs(v) <= lim.maxVelocityRadPerS() + 1e-9, "joint " + j + " speed " + v);
        assertTrue(
            Math.abs(v - prevV[j]) / DT <= lim.maxAccelerationRadPerS2() * 1.0001 + 1e-6
                || hitLimit(w, j),
            "joint " + j + " acceleration " + (v - prevV[j]) / DT);
        prevV[j] = v;
        prevQ[j] = w.q[j];
      }
    }
  }

  private static boolean hitLimit(World w, int j) {
    JointLimits lim = ROBOT.joint(j);
    return w.q[j] == lim.minPositionRad() || w.q[j] == lim.maxPositionRad();
  }

  @Test
  void armReachesAHeldTarget() {
    World w = new World(List.of(), ROBOT);
    double[] target = {1.2, 0.8, -0.4};
    for (int i = 0; i < 200; i++) {
      w.stepArm(target, DT);
    }
    for (int j = 0; j < 3; j++) {
      assertEquals(target[j], w.q[j], 1e-6);
    }
  }

  @Test
  void armLinksPassOverObjectsWithoutPushingThem() {
    // An object under the middle of the first link, far from the tip.
    double[] q = {Math.PI / 2, 0.0, 0.0};
    World w = new World(List.of(block("red block", 0.0, 0.15, 0.02)), ROBOT);
    System.arraycopy(q, 0, w.q, 0, 3);
    double[] q2 = {Math.PI / 2 + 0.05, 0.0, 0.0};
    for (int i = 0; i < 50; i++) {
      w.stepArm(q2, DT);
    }
    assertEquals(0.0, w.x[0], 0.0);
    assertEquals(0.15, w.y[0], 0.0);
  }

  @Test
  void thePusherTipPushes() {
    // Sweep the shoulder with a bent elbow; put a block where the tip passes mid-sweep.
    double[] from = {1.2, 1.0, 0.3};
    double[] to = {1.8, 1.0, 0.3};
    double[] fk = new double[8];
    Table.jointPositions(new double[] {1.5, 1.0, 0.3}, fk);
    World w = new World(List.of(block("red block", fk[6], fk[7], 0.02)), ROBOT);
    System.arraycopy(from, 0, w.q, 0, 3);
    for (int i = 0; i < 100; i++) {
      w.stepArm(to, DT);
    }
    assertTrue(
        Math.hypot(w.x[0] - fk[6], w.y[0] - fk[7]) > 0.02,
        "block moved to " + w.x[0] + "," + w.y[0]);
    double[] tip = w.tip();
    assertTrue(Math.hypot(tip[0] - w.x[0], tip[1] - w.y[0]) >= 0.02 - 1e-9);
  }
}
