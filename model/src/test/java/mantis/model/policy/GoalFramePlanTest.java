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
import mantis.model.policy.GoalFramePlan.Frame;
import mantis.model.policy.GoalFramePlan.GoalKind;
import mantis.model.policy.GoalFramePlan.Role;
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

  /**
   * A push onto a target 6 cm to the {@code side} (-1: left, 1: right) of the object, the effector
   * coming from the other side.
   */
  private static List<PolicyExample> targetPush(double y, int side) {
    return episode(
        "push the red block onto the blue target",
        -0.15 * side,
        0.0,
        y,
        0.02 * side,
        0.02 * side,
        10,
        4,
        new double[] {0.06 * side, y});
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
      eps.add(targetPush(y, -1));
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
    assertEquals(Frame.GOAL, back.frame());
    assertEquals(GoalFramePlan.DEFAULT_DIRECTION_AIM, back.directionAim());
    assertEquals(
        Frame.TABLE,
        GoalFramePlan.fromBytes(GoalFramePlan.fit(video, CAMERA, K, 0.1, Frame.TABLE).toBytes())
            .frame());
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

  /** The effector's table x after each planned point, from the plan's pixel trace. */
  private static double[] plannedX(double[] trace) {
    double[] x = new double[K];
    for (int k = 0; k < K; k++) {
      x[k] =
          CAMERA
              .pixelToTable(
                  new PixelPoint(trace[2 * k], trace[2 * k + 1]), GoalFramePlan.EFFECTOR_Z_M)
              .orElseThrow()
              .xM();
    }
    return x;
  }

  @Test
  void inTheGoalFrameAPushSeenLeftwardIsPlannedRightward() {
    // Video: pushes onto a target 6 cm to the left only.
    List<List<PolicyExample>> video = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      video.add(targetPush(0.3 + 0.05 * i, -1));
    }
    // Asked: the target 6 cm to the right, the effector coming from the left.
    PolicyExample e = targetPush(0.33, 1).get(2);
    PixelPoint start = e.marks().get(0).centroid();
    PixelPoint eff = e.marks().get(1).centroid();
    double x0 = CAMERA.pixelToTable(eff, GoalFramePlan.EFFECTOR_Z_M).orElseThrow().xM();
    double[] goal =
        plannedX(
            GoalFramePlan.fit(video, CAMERA, K, 0.1, Frame.GOAL)
                .plan(e.instruction(), e.marks(), 0, 2, eff, new double[] {0.2, 0}, start, CAMERA)
                .orElseThrow());
    double[] table =
        plannedX(
            GoalFramePlan.fit(video, CAMERA, K, 0.1, Frame.TABLE)
                .plan(e.instruction(), e.marks(), 0, 2, eff, new double[] {0.2, 0}, start, CAMERA)
                .orElseThrow());
    for (int k = 0; k < K; k++) {
      assertEquals(x0 + 0.02 * (k + 1), goal[k], 0.004, "goal frame, point " + k);
    }
    // On the table's axes the same video only knows leftward pushes.
    assertTrue(table[K - 1] < x0, "table frame ends at " + table[K - 1] + " from " + x0);
  }

  @Test
  void aStuckEffectorInVideoIsNotRemembered() {
    List<List<PolicyExample>> video = video();
    int before = GoalFramePlan.fit(video, CAMERA, K, 0.1).size(GoalKind.REACH);
    // The effector stands 10 cm from the object for 8 frames and never gets there.
    video.add(episode("reach the blue block", 0.1, 0.0, 0.32, 0.0, 0.0, 8, 100, null));
    assertEquals(before, GoalFramePlan.fit(video, CAMERA, K, 0.1).size(GoalKind.REACH));
  }

  @Test
  void anEffectorCreepingInVideoIsNotRememberedButOneMovingOnIs() {
    List<List<PolicyExample>> video = video();
    int before = GoalFramePlan.fit(video, CAMERA, K, 0.1).size(GoalKind.REACH);
    // 4 mm a frame: 1.6 cm over a trace of K = 4 frames, a hesitation.
    List<List<PolicyExample>> creeping = new ArrayList<>(video);
    creeping.add(episode("reach the blue block", 0.14, 0.0, 0.32, -0.004, 0.0, 12, 100, null));
    assertEquals(before, GoalFramePlan.fit(creeping, CAMERA, K, 0.1).size(GoalKind.REACH));
    // 1 cm a frame: 4 cm over a trace, every frame remembered.
    List<List<PolicyExample>> moving = new ArrayList<>(video);
    moving.add(episode("reach the blue block", 0.14, 0.0, 0.32, -0.01, 0.0, 12, 100, null));
    assertEquals(before + 12, GoalFramePlan.fit(moving, CAMERA, K, 0.1).size(GoalKind.REACH));
  }

  private static final String[] COLOURS = {"red", "green", "blue", "yellow"};
  private static final int[] RGB = {0xE02020, 0x20C020, 0x2040E0, 0xE0E020};

  /**
   * A mark of colour {@code rgb}: an object (a disc in a 6 px box) or a target zone (a square, 11
   * to 13 px as seen from where it lies).
   */
  private static Mark colouredMark(int id, double x, double y, int rgb, boolean target) {
    PixelPoint c =
        CAMERA.project(new Vec3(x, y, target ? 0.0 : GoalFramePlan.OBJECT_Z_M)).orElseThrow();
    int side = target ? 11 + (int) Math.round(Math.abs(x) * 10) : 6;
    PixelBox box = new PixelBox(c.xPx() - side / 2.0, c.yPx() - side / 2.0, side, side);
    return new Mark(id, c, box, target ? side * side - 4 : 28, rgb);
  }

  /** Every object colour with every other target colour: objects and targets of two colours. */
  private static List<List<PolicyExample>> colouredVideo() {
    List<List<PolicyExample>> eps = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) {
      for (int o = 0; o < COLOURS.length; o++) {
        for (int t = 0; t < COLOURS.length; t++) {
          if (o == t) {
            continue;
          }
          int other = (o + 1) % COLOURS.length == t ? (t + 1) % COLOURS.length : (o + 1) % 4;
          List<PolicyExample> ep = new ArrayList<>();
          for (int f = 0; f < 3; f++) {
            // The effector (grey) comes 2 cm closer each frame.
            List<Mark> marks = new ArrayList<>();
            marks.add(colouredMark(1, 0.1 * copy - 0.1, 0.4, RGB[other], false));
            marks.add(colouredMark(2, 0.0, 0.3, RGB[o], false));
            marks.add(colouredMark(3, 0.2 - 0.02 * f, 0.3, 0x808080, false));
            marks.add(colouredMark(4, -0.15 - 0.1 * copy, 0.45, RGB[t], true));
            marks.add(colouredMark(5, 0.15, 0.45, RGB[o], true));
            ep.add(
                new PolicyExample(
                    new byte[S * S * 3],
                    "push the " + COLOURS[o] + " disc onto the " + COLOURS[t] + " target",
                    marks,
                    null,
                    null,
                    new PolicyLabels(null, 1, 3, 2, null, null, null),
                    new double[2 * marks.size()]));
          }
          eps.add(ep);
        }
      }
    }
    return eps;
  }

  @Test
  void theMarksAnInstructionNamesAreGroundedByThePhrasesSeenWithThemInVideo() {
    GoalFramePlan plan = GoalFramePlan.fit(colouredVideo(), CAMERA, K, 0.1);
    // A green disc and a yellow one, a yellow target and a green one.
    List<Mark> marks =
        List.of(
            colouredMark(1, 0.0, 0.3, RGB[1], false),
            colouredMark(2, 0.2, 0.3, 0x808080, false),
            colouredMark(3, -0.1, 0.4, RGB[3], false),
            colouredMark(4, 0.15, 0.45, RGB[1], true),
            colouredMark(5, -0.15, 0.45, RGB[3], true));
    String ask = "push the yellow disc onto the green target";
    assertEquals(2, plan.ground(Role.OBJECT, ask, marks, -1).orElseThrow());
    assertEquals(3, plan.ground(Role.GOAL, ask, marks, 2).orElseThrow());
    String other = "push the green disc onto the yellow target";
    assertEquals(0, plan.ground(Role.OBJECT, other, marks, -1).orElseThrow());
    assertEquals(4, plan.ground(Role.GOAL, other, marks, 0).orElseThrow());
    // Words never seen tell nothing.
    assertTrue(plan.ground(Role.OBJECT, "fetch the mauve thing", marks, -1).isEmpty());
    // Video without colours cannot ground by colour: every grey mark looks alike.
    GoalFramePlan grey = GoalFramePlan.fit(video(), CAMERA, K, 0.1);
    assertTrue(grey.ground(Role.GOAL, ask, marks, -1).isEmpty());
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
