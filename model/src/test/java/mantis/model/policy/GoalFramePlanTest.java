package mantis.model.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mantis.calibration.CameraModel;
import mantis.calibration.TablePoint;
import mantis.calibration.Vec3;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.model.policy.GoalFramePlan.GoalKind;
import org.junit.jupiter.api.Test;

class GoalFramePlanTest {
  private static final int S = 128;
  private static final int K = 4;
  private static final CameraModel CAMERA = CameraModel.mantisDefault(S, S);

  /** The effector's velocity in the leftward pushes: 2 cm per 0.1 s frame. */
  private static final double[] V_LEFT = {-0.2, 0.0};

  /** A mark seen at table point (x, y) on the plane z. */
  private static Mark mark(int id, double x, double y, double z, boolean disc) {
    PixelPoint c = CAMERA.project(new Vec3(x, y, z)).orElseThrow();
    PixelBox box = new PixelBox(c.xPx() - 3, c.yPx() - 3, 6, 6);
    return new Mark(id, c, box, disc ? 28 : 36, 0x808080);
  }

  /**
   * One video episode: the effector moves from (ex0, ey) by dEx per frame, the object from (ox0,
   * oy) by dOx per frame once the effector has reached it (after {@code contactFrame}).
   */
  private static List<PolicyExample> episode(
      String instruction,
      double ex0,
      double ox0,
      double y,
      double dEx,
      double dOx,
      int frames,
      int contactFrame,
      double[] target) {
    List<PolicyExample> out = new ArrayList<>();
    Mark objectStart = mark(1, ox0, y, GoalFramePlan.OBJECT_Z_M, false);
    for (int t = 0; t < frames; t++) {
      double ex = ex0 + dEx * t;
      double ox = ox0 + (t > contactFrame ? dOx * (t - contactFrame) : 0);
      List<Mark> marks = new ArrayList<>();
      marks.add(mark(1, ox, y, GoalFramePlan.OBJECT_Z_M, false));
      marks.add(mark(2, ex, y, GoalFramePlan.EFFECTOR_Z_M, false));
      int goal = -1;
      if (target != null) {
        marks.add(mark(3, target[0], target[1], 0.0, false));
        goal = 2;
      }
      double[] motion = new double[2 * marks.size()];
      motion[0] = marks.get(0).centroid().xPx() - objectStart.centroid().xPx();
      motion[1] = marks.get(0).centroid().yPx() - objectStart.centroid().yPx();
      out.add(
          new PolicyExample(
              new byte[S * S * 3],
              instruction,
              marks,
              null,
              null,
              new PolicyLabels(null, 0, goal, 1, null, null, null),
              motion));
    }
    return out;
  }

  private static List<List<PolicyExample>> video() {
    List<List<PolicyExample>> eps = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      double y = 0.3 + 0.05 * i;
      // Pushes to the left: the effector comes from the right and pushes 9 cm.
      eps.add(episode("push the red block left", 0.15, 0.0, y, -0.02, -0.02, 13, 4, null));
      // Pushes to the right.
      eps.add(episode("push the green block right", -0.15, 0.0, y, 0.02, 0.02, 13, 4, null));
      // Reaches: the object stays.
      eps.add(episode("reach the blue block", 0.2, 0.0, y, -0.02, 0.0, 8, 100, null));
      // Onto a target 6 cm to the left.
      eps.add(
          episode(
              "push the red block onto the blue target",
              0.15,
              0.0,
              y,
              -0.02,
              -0.02,
              10,
              4,
              new double[] {-0.06, y}));
    }
    return eps;
  }

  @Test
  void theGoalKindOfAnInstructionIsLearnedFromWhatTheVideoShows() {
    GoalFramePlan plan = GoalFramePlan.fit(video(), CAMERA, K, 0.1);
    assertEquals(GoalKind.REACH, plan.kindOf("reach the green block"));
    assertEquals(GoalKind.DIRECTION, plan.kindOf("push the blue block left"));
    assertEquals(GoalKind.TARGET, plan.kindOf("push the green block onto the red target"));
    assertTrue(plan.size(GoalKind.REACH) > 0);
    assertTrue(plan.size(GoalKind.DIRECTION) > 0);
    assertTrue(plan.size(GoalKind.TARGET) > 0);
  }

  @Test
  void aDirectionWordAsksForTheMeanDisplacementSeenWithIt() {
    GoalFramePlan plan = GoalFramePlan.fit(video(), CAMERA, K, 0.1);
    double[] left = plan.displacementOf("push the blue disc left").orElseThrow();
    double[] right = plan.displacementOf("slide the blue block right").orElseThrow();
    // 8 frames after contact at 2 cm per frame.
    assertEquals(-0.16, left[0], 0.003);
    assertEquals(0.0, left[1], 0.003);
    assertEquals(0.16, right[0], 0.003);
    assertTrue(plan.displacementOf("reach the blue block").isEmpty());
  }

  @Test
  void aRememberedStatePlansTheEffectorsRememberedFuture() {
    List<List<PolicyExample>> video = video();
    GoalFramePlan plan = GoalFramePlan.fit(video, CAMERA, K, 0.1).withNeighbours(1);
    PolicyExample e = video.get(0).get(2);
    PixelPoint start = video.get(0).get(0).marks().get(0).centroid();
    double[] trace =
        plan.plan(
                e.instruction(),
                e.marks(),
                0,
                -1,
                e.marks().get(1).centroid(),
                V_LEFT,
                start,
                CAMERA)
            .orElseThrow();
    assertEquals(2 * K, trace.length);
    for (int k = 0; k < K; k++) {
      PixelPoint want = video.get(0).get(2 + k + 1).marks().get(1).centroid();
      assertEquals(want.xPx(), trace[2 * k], 0.05, "x of point " + k);
      assertEquals(want.yPx(), trace[2 * k + 1], 0.05, "y of point " + k);
    }
  }

  @Test
  void pastTheVideosEndTheFutureContinuesTheLastMotion() {
    List<List<PolicyExample>> video = video();
    GoalFramePlan plan = GoalFramePlan.fit(video, CAMERA, K, 0.1).withNeighbours(1);
    List<PolicyExample> ep = video.get(0);
    PolicyExample last = ep.get(ep.size() - 1);
    PixelPoint start = ep.get(0).marks().get(0).centroid();
    double[] trace =
        plan.plan(
                last.instruction(),
                last.marks(),
                0,
                -1,
                last.marks().get(1).centroid(),
                V_LEFT,
                start,
                CAMERA)
            .orElseThrow();
    TablePoint now =
        CAMERA
            .pixelToTable(last.marks().get(1).centroid(), GoalFramePlan.EFFECTOR_Z_M)
            .orElseThrow();
    for (int k = 0; k < K; k++) {
      TablePoint p =
          CAMERA
              .pixelToTable(
                  new PixelPoint(trace[2 * k], trace[2 * k + 1]), GoalFramePlan.EFFECTOR_Z_M)
              .orElseThrow();
      assertEquals(now.xM() - 0.02 * (k + 1), p.xM(), 1e-4, "point " + k);
      assertEquals(now.yM(), p.yM(), 1e-4);
    }
  }

  @Test
  void aPlanWithoutAnObjectOrAnEffectorIsEmpty() {
    List<List<PolicyExample>> video = video();
    GoalFramePlan plan = GoalFramePlan.fit(video, CAMERA, K, 0.1);
    PolicyExample e = video.get(0).get(2);
    PixelPoint p = e.marks().get(0).centroid();
    PixelPoint eff = e.marks().get(1).centroid();
    assertTrue(plan.plan(e.instruction(), e.marks(), -1, -1, eff, V_LEFT, p, CAMERA).isEmpty());
    assertTrue(plan.plan(e.instruction(), e.marks(), 0, -1, null, V_LEFT, p, CAMERA).isEmpty());
    assertTrue(plan.plan(e.instruction(), e.marks(), 5, -1, eff, V_LEFT, p, CAMERA).isEmpty());
    // A target instruction whose goal mark is missing cannot be planned.
    PolicyExample t = video.get(3).get(2);
    assertTrue(plan.plan(t.instruction(), t.marks(), 0, -1, eff, V_LEFT, p, CAMERA).isEmpty());
  }

  @Test
  void thePlanSurvivesItsBytesAndRefusesDamagedOnes() throws IOException {
    List<List<PolicyExample>> video = video();
    GoalFramePlan plan = GoalFramePlan.fit(video, CAMERA, K, 0.1).withNeighbours(3);
    byte[] bytes = plan.toBytes();
    GoalFramePlan back = GoalFramePlan.fromBytes(bytes);
    assertEquals(3, back.neighbours());
    for (List<PolicyExample> ep : video) {
      PolicyExample e = ep.get(1);
      int goal = e.labels().goalMark();
      PixelPoint p = e.marks().get(0).centroid();
      PixelPoint eff = e.marks().get(1).centroid();
      assertArrayEquals(
          plan.plan(e.instruction(), e.marks(), 0, goal, eff, V_LEFT, p, CAMERA).orElseThrow(),
          back.plan(e.instruction(), e.marks(), 0, goal, eff, V_LEFT, p, CAMERA).orElseThrow());
    }
    IOException cut =
        assertThrows(
            IOException.class,
            () -> GoalFramePlan.fromBytes(Arrays.copyOf(bytes, bytes.length / 2)));
    assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
    byte[] other = bytes.clone();
    other[0] ^= 1;
    assertThrows(IOException.class, () -> GoalFramePlan.fromBytes(other));
  }

  @Test
  void videoWithoutUsableFramesIsRefused() {
    List<PolicyExample> unlabelled = new ArrayList<>();
    for (PolicyExample e : video().get(0)) {
      unlabelled.add(
          new PolicyExample(
              e.rgb(),
              e.instruction(),
              e.marks(),
              null,
              null,
              PolicyLabels.NONE,
              e.markMotionPx()));
    }
    IllegalArgumentException x =
        assertThrows(
            IllegalArgumentException.class,
            () -> GoalFramePlan.fit(List.of(unlabelled), CAMERA, K, 0.1));
    assertTrue(x.getMessage().contains("no usable video example"), x.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GoalFramePlan.fit(video(), CAMERA, 0, 0.1));
  }
}
