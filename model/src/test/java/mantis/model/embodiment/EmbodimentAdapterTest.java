package mantis.model.embodiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import mantis.calibration.CameraModel;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TablePoint;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.IkResult;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Observation;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpecs;
import mantis.core.Trace;
import org.junit.jupiter.api.Test;

class EmbodimentAdapterTest {
  private static final RobotModel PLANAR = RobotModels.planar3();
  private static final RobotModel UR5E = RobotModels.ur5e();
  private static final int SIZE = 128;
  private static final CameraModel CAMERA = CameraModel.mantisDefault(SIZE, SIZE);
  private static final double EFFECTOR_Z = EmbodimentAdapter.DEFAULT_EFFECTOR_HEIGHT_M;

  /** A stand-in for the learned policy: answers a fixed chunk and remembers what it saw. */
  private static final class FixedPolicy implements Policy {
    final AtomicReference<Observation> seen = new AtomicReference<>();
    final List<double[]> targets;
    final List<Trace> traces;

    FixedPolicy(List<double[]> targets, List<Trace> traces) {
      this.targets = targets;
      this.traces = traces;
    }

    @Override
    public PolicyInfo info() {
      return new PolicyInfo(
          "mantis", "test-1", PLANAR.spec().jointNames(), SIZE, SIZE, targets.size(), "{}");
    }

    @Override
    public ActionChunk predict(Observation observation) {
      seen.set(observation);
      List<ActionPoint> points = new ArrayList<>();
      for (int k = 0; k < targets.size(); k++) {
        points.add(new ActionPoint(targets.get(k), (k + 1) * 100_000_000L));
      }
      return new ActionChunk(
          info().jointNames(), points, 123L, new int[] {1, 2}, List.of(), traces, "test-1", null);
    }
  }

  private static EmbodimentAdapter adapter(Policy policy, RobotModel target) {
    return EmbodimentAdapter.builder()
        .setPolicy(policy)
        .setSource(PLANAR)
        .setTarget(target)
        .setCamera(CameraModel.mantisDefault(640, 480))
        .optClock(new FakeClock(0))
        .build();
  }

  private static double[] urPose(double xM, double yM) {
    IkResult r =
        UR5E.reach()
            .reach(
                xM,
                yM,
                EmbodimentAdapter.DEFAULT_TIP_HEIGHT_M,
                new double[] {Math.PI / 2, -1.2, 1.6, -1.97, -1.57, 0});
    assertTrue(r.solved(), r.toString());
    return r.joints().orElseThrow();
  }

  private static Observation observation(RobotModel robot, double[] q) {
    return new Observation(
        "r1",
        "e1",
        3,
        List.of(Frame.ofRgb(SIZE, SIZE, new byte[SIZE * SIZE * 3])),
        "push the red block to the left",
        JointState.ofPositions(robot.spec().jointNames(), q, 0),
        0,
        0);
  }

  private static PixelPoint pixel(double xM, double yM) {
    return CAMERA.project(new Vec3(xM, yM, EFFECTOR_Z)).orElseThrow();
  }

  /** Eight table points 1 cm apart going left from (x, y), their trace in pixels from (x, y). */
  private static List<TablePoint> path(double xM, double yM) {
    List<TablePoint> out = new ArrayList<>();
    for (int k = 1; k <= 8; k++) {
      out.add(new TablePoint(xM - 0.01 * k, yM + 0.002 * k));
    }
    return out;
  }

  private static Trace effectorTrace(double xM, double yM, List<TablePoint> path) {
    List<PixelPoint> px = new ArrayList<>();
    px.add(pixel(xM, yM));
    for (TablePoint p : path) {
      px.add(pixel(p.xM(), p.yM()));
    }
    return new Trace(7, px);
  }

  private static Trace objectTrace() {
    return new Trace(2, List.of(new PixelPoint(40, 50), new PixelPoint(41, 50)));
  }

  private static List<double[]> planarTargets(double[] start) {
    List<double[]> out = new ArrayList<>();
    for (int k = 1; k <= 8; k++) {
      out.add(new double[] {start[0] + 0.01 * k, start[1] - 0.005 * k, start[2]});
    }
    return out;
  }

  @Test
  void theAdapterMapsAKnownEffectorTraceToUr5eJointsWhoseTipLandsOnTheUnprojectedPoints() {
    double[] q0 = urPose(0.05, 0.35);
    List<TablePoint> path = path(0.05, 0.35);
    FixedPolicy inner =
        new FixedPolicy(
            planarTargets(new double[] {1.0, 1.0, 1.0}),
            List.of(objectTrace(), effectorTrace(0.05, 0.35, path)));
    EmbodimentAdapter adapter = adapter(inner, UR5E);
    ActionChunk chunk = adapter.predict(observation(UR5E, q0));

    assertEquals(UR5E.spec().jointNames(), chunk.jointNames());
    assertEquals(UR5E.spec().jointNames(), adapter.info().jointNames());
    assertEquals(8, chunk.points().size());
    for (int k = 0; k < 8; k++) {
      ActionPoint p = chunk.points().get(k);
      assertEquals(6, p.size());
      assertEquals((k + 1) * 100_000_000L, p.timeFromStartNanos(), "the policy's timing");
      Vec3 tip = UR5E.reach().tip(p.positionsRad());
      assertEquals(path.get(k).xM(), tip.xM(), 1e-5, "x of point " + k);
      assertEquals(path.get(k).yM(), tip.yM(), 1e-5, "y of point " + k);
      assertEquals(EmbodimentAdapter.DEFAULT_TIP_HEIGHT_M, tip.zM(), 1e-5, "z of point " + k);
    }
    assertEquals(new EmbodimentAdapter.PathCounts(1, 0, 0, 0), adapter.counts());
    assertSame(inner, adapter.policy(), "the wrapped policy");
    assertEquals(inner.traces, chunk.traces(), "traces pass unchanged");
    assertEquals(123L, chunk.validUntilNanos());
  }

  @Test
  void thePolicySeesThePlanarJointsWhoseTipIsTheUr5eTip() {
    double[] q0 = urPose(-0.1, 0.3);
    FixedPolicy inner = new FixedPolicy(planarTargets(new double[] {1, 1, 1}), List.of());
    adapter(inner, UR5E).predict(observation(UR5E, q0));
    JointState seen = inner.seen.get().jointState();
    assertEquals(PLANAR.spec().jointNames(), seen.names());
    Vec3 planarTip = PLANAR.reach().tip(seen.positionsRad());
    Vec3 urTip = UR5E.reach().tip(q0);
    assertEquals(urTip.xM(), planarTip.xM(), 1e-6);
    assertEquals(urTip.yM(), planarTip.yM(), 1e-6);
    assertArrayEquals(new double[3], seen.velocitiesRadPerS(), 1e-9, "at rest");
  }

  @Test
  void planar3ThroughTheNeutralPathGivesTheSameTargetsAsThePlanarSolver() {
    PlanarArmKinematics arm = PlanarArmKinematics.mantisPlanar3();
    double[] q0 =
        arm.inverse(0.1, 0.4, 1.2, new double[] {0.5, 1.0, 0.5}, RobotSpecs.mantisPlanar3())
            .orElseThrow();
    List<TablePoint> path = path(0.1, 0.4);
    FixedPolicy inner =
        new FixedPolicy(planarTargets(q0), List.of(objectTrace(), effectorTrace(0.1, 0.4, path)));
    ActionChunk chunk = adapter(inner, PLANAR).predict(observation(PLANAR, q0));

    double[] previous = q0;
    for (int k = 0; k < 8; k++) {
      double[] expected =
          arm.inverseNearest(
                  path.get(k).xM(), path.get(k).yM(), previous, RobotSpecs.mantisPlanar3())
              .orElseThrow();
      assertArrayEquals(expected, chunk.points().get(k).positionsRad(), 1e-9, "point " + k);
      previous = expected;
    }
  }

  @Test
  void withJointTargetsOnlyTheEffectorTraceIsIgnoredAndThePlanarTargetsTipsAreReached() {
    double[] q0 = urPose(0.05, 0.35);
    double[] planar = {1.0, 1.0, 1.0};
    FixedPolicy inner =
        new FixedPolicy(
            planarTargets(planar),
            List.of(objectTrace(), effectorTrace(0.05, 0.35, path(0.05, 0.35))));
    EmbodimentAdapter adapter =
        EmbodimentAdapter.builder()
            .setPolicy(inner)
            .setSource(PLANAR)
            .setTarget(UR5E)
            .setCamera(CameraModel.mantisDefault(640, 480))
            .optJointTargetsOnly(true)
            .optClock(new FakeClock(0))
            .build();
    ActionChunk chunk = adapter.predict(observation(UR5E, q0));
    assertEquals(new EmbodimentAdapter.PathCounts(0, 1, 0, 0), adapter.counts());
    Vec3 want = PLANAR.reach().tip(planar);
    Vec3 tip = UR5E.reach().tip(chunk.points().get(0).positionsRad());
    // The first point is rate limited from q0; it moves toward the planar tip, not along the trace.
    double before =
        Math.hypot(UR5E.reach().tip(q0).xM() - want.xM(), UR5E.reach().tip(q0).yM() - want.yM());
    double after = Math.hypot(tip.xM() - want.xM(), tip.yM() - want.yM());
    assertTrue(after < before, "moves toward the planar target's tip: " + before + " -> " + after);
  }

  @Test
  void theFallbackPathIsUsedWithoutAnEffectorTrace() {
    double[] q0 = urPose(0.0, 0.3);
    // The planar targets: the equivalent of the UR5e's tip, moving a little.
    FixedPolicy probe = new FixedPolicy(planarTargets(new double[] {1, 1, 1}), List.of());
    adapter(probe, UR5E).predict(observation(UR5E, q0));
    double[] eq = probe.seen.get().jointState().positionsRad();
    List<double[]> targets = planarTargets(eq);
    FixedPolicy inner = new FixedPolicy(targets, List.of(objectTrace()));
    EmbodimentAdapter adapter = adapter(inner, UR5E);
    ActionChunk chunk = adapter.predict(observation(UR5E, q0));

    for (int k = 0; k < 8; k++) {
      Vec3 want = PLANAR.reach().tip(targets.get(k));
      Vec3 got = UR5E.reach().tip(chunk.points().get(k).positionsRad());
      assertEquals(want.xM(), got.xM(), 1e-5, "x of point " + k);
      assertEquals(want.yM(), got.yM(), 1e-5, "y of point " + k);
    }
    assertEquals(new EmbodimentAdapter.PathCounts(0, 1, 0, 0), adapter.counts());
  }

  @Test
  void theTargetsKeepToTheTargetArmsVelocityLimits() {
    double[] q0 = urPose(0.0, 0.3);
    // A trace that jumps 40 cm in the first 0.1 s.
    List<TablePoint> far = new ArrayList<>();
    for (int k = 1; k <= 8; k++) {
      far.add(new TablePoint(-0.3, 0.5));
    }
    FixedPolicy inner =
        new FixedPolicy(
            planarTargets(new double[] {1, 1, 1}),
            List.of(objectTrace(), effectorTrace(0.0, 0.3, far)));
    ActionChunk chunk = adapter(inner, UR5E).predict(observation(UR5E, q0));
    double[] previous = q0;
    for (ActionPoint p : chunk.points()) {
      for (int j = 0; j < 6; j++) {
        double step = Math.abs(p.positionsRad()[j] - previous[j]);
        assertTrue(
            step <= UR5E.spec().joint(j).maxVelocityRadPerS() * 0.1 + 1e-9,
            "joint " + j + " moved " + step + " rad in 0.1 s");
      }
      previous = p.positionsRad();
    }
  }

  @Test
  void aPolicyForOtherJointsThanTheSourceArmsIsRefused() {
    Policy urPolicy =
        new Policy() {
          @Override
          public PolicyInfo info() {
            return new PolicyInfo("x", "1", UR5E.spec().jointNames(), SIZE, SIZE, 8, "{}");
          }

          @Override
          public ActionChunk predict(Observation observation) {
            throw new UnsupportedOperationException();
          }
        };
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> adapter(urPolicy, UR5E));
    assertTrue(e.getMessage().contains("not those of its source robot"), e.getMessage());
  }
}
