package mantis.core.safety;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.Trace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SafetyFilterTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private static final List<String> NAMES = ROBOT.jointNames();
  private static final long MS = 1_000_000L;

  private FakeClock clock;
  private SafetyFilter filter;
  private InvariantChecker checker;

  @BeforeEach
  void setUp() {
    clock = new FakeClock(10_000 * MS);
    filter = SafetyFilter.builder().setRobot(ROBOT).optClock(clock).build();
    checker = new InvariantChecker(ROBOT, 0.02);
  }

  private JointState still(double... p) {
    return new JointState(NAMES, p, new double[p.length], clock.nanoTime());
  }

  private ActionChunk chunk(long spacingMs, double[]... points) {
    List<ActionPoint> pts = new ArrayList<>();
    for (int i = 0; i < points.length; i++) {
      pts.add(new ActionPoint(points[i], (i + 1) * spacingMs * MS));
    }
    return new ActionChunk(
        NAMES,
        pts,
        clock.nanoTime() + 500 * MS,
        new int[] {3, 1, 4, 1},
        List.of(new Mark(1, new PixelPoint(10, 20), new PixelBox(5, 15, 10, 10), 100, 0xff0000)),
        List.of(new Trace(1, List.of(new PixelPoint(10, 20), new PixelPoint(12, 20)))),
        "test-1",
        Map.of("policy", 1234L));
  }

  private SafetyResult run(ActionChunk raw, JointState current) {
    SafetyResult r = filter.filter(raw, current);
    List<String> v = checker.violations(raw, current, clock.nanoTime(), filter.isEstopped(), r);
    assertTrue(v.isEmpty(), v::toString);
    return r;
  }

  @Test
  void aFeasibleChunkPassesUnchangedWithItsMetadata() {
    // From rest, 20 ms apart: velocities 0.1, 0.2, 0.3 rad/s, changes of 0.1 rad/s <= 8 * 0.02.
    ActionChunk raw =
        chunk(
            20,
            new double[] {0.002, 0, 0},
            new double[] {0.006, 0.002, 0},
            new double[] {0.012, 0.006, -0.002});
    SafetyResult r = run(raw, still(0, 0, 0));
    assertTrue(r.passedUnchanged());
    assertFalse(r.held());
    assertEquals(raw.points(), r.chunk().points(), "the very same points");
    assertArrayEquals(new int[] {3, 1, 4, 1}, r.chunk().latentTokens());
    assertEquals(raw.marks(), r.chunk().marks());
    assertEquals(raw.traces(), r.chunk().traces());
    assertEquals("test-1", r.chunk().modelVersion());
    assertEquals(Map.of("policy", 1234L), r.chunk().stageNanos());
    assertEquals(raw.validUntilNanos(), r.chunk().validUntilNanos());
  }

  @Test
  void aHugeJumpIsSlowedDownButStillMovesTowardsTheTarget() {
    double[] far = {2.0, -2.0, 1.5};
    ActionChunk raw = chunk(20, far, far, far, far, far, far, far, far, far, far);
    SafetyResult r = run(raw, still(0, 0, 0));
    assertFalse(r.held());
    assertTrue(r.has(InterventionKind.VELOCITY_LIMIT));
    assertTrue(r.has(InterventionKind.ACCELERATION_LIMIT));
    List<ActionPoint> out = r.chunk().points();
    assertEquals(10, out.size());
    double prev = 0;
    for (ActionPoint p : out) {
      assertTrue(p.positionRad(0) > prev, "shoulder keeps moving towards the target");
      prev = p.positionRad(0);
    }
    // Velocity may grow by 8 * 0.02 = 0.16 rad/s per 20 ms step: after 10 steps the shoulder is at
    // most sum(i * 0.16 * 0.02) = 55 * 0.0032 = 0.176 rad, and the filter gets there.
    assertEquals(0.176, prev, 1e-9);
    assertTrue(out.get(9).positionRad(1) < -0.1, "elbow moves too");
  }

  @Test
  void targetsBeyondTheLimitsAreClampedInsideTheMargin() {
    JointState at = still(2.5, -2.5, 0);
    double[] beyond = {1e300, -1e300, 0};
    ActionChunk raw = chunk(100, beyond, beyond, beyond, beyond, beyond, beyond);
    SafetyResult r = run(raw, at);
    assertTrue(r.has(InterventionKind.POSITION_LIMIT));
    ActionPoint last = r.chunk().points().get(5);
    assertEquals(2.58, last.positionRad(0), 1e-9);
    assertEquals(-2.58, last.positionRad(1), 1e-9);
  }

  @Test
  void aJointMovingFastTowardsALimitIsBrakedInTime() {
    // Shoulder at 2.4 rad moving up at its 2 rad/s limit: 0.18 rad from the margin, it needs
    // 2^2 / (2 * 8) = 0.25 rad to stop, so the filter must start braking at once and never cross.
    JointState s = new JointState(NAMES, new double[] {2.4, 0, 0}, new double[] {2.0, 0, 0}, 0);
    double[] up = {2.6, 0, 0};
    ActionChunk raw = chunk(20, up, up, up, up, up, up, up, up, up, up, up, up, up, up, up);
    SafetyResult r = run(raw, s);
    assertTrue(r.has(InterventionKind.ACCELERATION_LIMIT));
    for (ActionPoint p : r.chunk().points()) {
      assertTrue(p.positionRad(0) <= 2.58 + 1e-12);
    }
  }

  @Test
  void nonFiniteTargetsKeepTheJointInPlace() {
    ActionChunk raw =
        chunk(
            20,
            new double[] {Double.NaN, 0.002, Double.POSITIVE_INFINITY},
            new double[] {Double.NEGATIVE_INFINITY, 0.006, Double.NaN});
    SafetyResult r = run(raw, still(0.5, 0, -0.5));
    assertFalse(r.held());
    assertTrue(r.has(InterventionKind.NON_FINITE));
    for (ActionPoint p : r.chunk().points()) {
      assertEquals(0.5, p.positionRad(0));
      assertEquals(-0.5, p.positionRad(2));
    }
    assertEquals(0.006, r.chunk().points().get(1).positionRad(1), "the finite joint still moves");
  }

  @Test
  void outOfOrderDuplicateAndNonPositiveTimesAreSortedAndDropped() {
    double[] a = {0.001, 0, 0};
    double[] b = {0.003, 0, 0};
    double[] c = {0.006, 0, 0};
    List<ActionPoint> pts =
        List.of(
            new ActionPoint(c, 60 * MS),
            new ActionPoint(a, 20 * MS),
            new ActionPoint(a, 0),
            new ActionPoint(b, 40 * MS),
            new ActionPoint(b, 40 * MS),
            new ActionPoint(a, -5 * MS),
            new ActionPoint(c, 60 * MS + 10));
    ActionChunk raw = chunk(20, a).withPoints(pts, clock.nanoTime() + 500 * MS);
    SafetyResult r = run(raw, still(0, 0, 0));
    assertTrue(r.has(InterventionKind.TIME_ORDER));
    List<ActionPoint> out = r.chunk().points();
    assertEquals(3, out.size());
    assertEquals(20 * MS, out.get(0).timeFromStartNanos());
    assertEquals(40 * MS, out.get(1).timeFromStartNanos());
    assertEquals(60 * MS, out.get(2).timeFromStartNanos());
    assertEquals(0.006, out.get(2).positionRad(0));
  }

  @Test
  void aChunkWithOnlyZeroTimesBecomesAHold() {
    ActionChunk raw =
        chunk(20, new double[] {1, 1, 1})
            .withPoints(List.of(new ActionPoint(new double[] {1, 1, 1}, 0)), clock.nanoTime() + MS);
    SafetyResult r = run(raw, still(0.2, 0.3, 0.4));
    assertTrue(r.held());
    assertTrue(r.has(InterventionKind.TIME_ORDER));
    assertArrayEquals(new double[] {0.2, 0.3, 0.4}, r.chunk().points().get(0).positionsRad());
  }

  @Test
  void anExpiredChunkBecomesAHoldAtTheCurrentClampedPosition() {
    ActionChunk raw = chunk(20, new double[] {0.1, 0.1, 0.1});
    clock.advanceMillis(500);
    SafetyResult r = run(raw, still(0.3, 2.7, -0.2));
    assertTrue(r.held());
    assertTrue(r.has(InterventionKind.EXPIRED));
    assertArrayEquals(
        new double[] {0.3, 2.58, -0.2}, r.chunk().points().get(0).positionsRad(), 1e-12);
    assertEquals(
        clock.nanoTime() + SafetyFilter.DEFAULT_HOLD_VALIDITY_NANOS, r.chunk().validUntilNanos());
    assertEquals("test-1", r.chunk().modelVersion(), "a hold keeps the chunk's metadata");
  }

  @Test
  void wrongJointCountOrNamesBecomeAHold() {
    ActionChunk two =
        new ActionChunk(
            List.of("shoulder", "elbow"),
            List.of(new ActionPoint(new double[] {0.1, 0.1}, 20 * MS)),
            clock.nanoTime() + 100 * MS,
            null,
            null,
            null,
            "x",
            null);
    assertTrue(run(two, still(0, 0, 0)).has(InterventionKind.WRONG_JOINT_COUNT));
    ActionChunk swapped =
        new ActionChunk(
            List.of("elbow", "shoulder", "wrist"),
            List.of(new ActionPoint(new double[] {0.1, 0.1, 0.1}, 20 * MS)),
            clock.nanoTime() + 100 * MS,
            null,
            null,
            null,
            "x",
            null);
    SafetyResult r = run(swapped, still(0, 0, 0));
    assertTrue(r.held());
    assertTrue(r.has(InterventionKind.WRONG_JOINT_COUNT));
    ActionChunk shortPoint =
        new ActionChunk(
            NAMES,
            List.of(new ActionPoint(new double[] {0.1}, 20 * MS)),
            clock.nanoTime() + 100 * MS,
            null,
            null,
            null,
            "x",
            null);
    assertTrue(run(shortPoint, still(0, 0, 0)).held());
  }

  @Test
  void anEmptyChunkOrNullBecomesAHold() {
    ActionChunk empty =
        new ActionChunk(NAMES, List.of(), clock.nanoTime() + 100 * MS, null, null, null, "x", null);
    assertTrue(run(empty, still(0, 0, 0)).has(InterventionKind.EMPTY_CHUNK));
    assertTrue(run(null, still(0, 0, 0)).has(InterventionKind.EMPTY_CHUNK));
  }

  @Test
  void aNonFiniteOrMismatchedJointStateBecomesAFiniteHold() {
    ActionChunk raw = chunk(20, new double[] {0.1, 0.1, 0.1});
    JointState nan =
        new JointState(NAMES, new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0.3}, null, 0);
    SafetyResult r = run(raw, nan);
    assertTrue(r.held());
    assertTrue(r.has(InterventionKind.NON_FINITE));
    assertArrayEquals(new double[] {0.0, 2.58, 0.3}, r.chunk().points().get(0).positionsRad());
    JointState twoJoints =
        new JointState(List.of("shoulder", "elbow"), new double[] {0.1, 0.2}, null, 0);
    assertTrue(run(raw, twoJoints).has(InterventionKind.WRONG_JOINT_COUNT));
    assertTrue(run(raw, null).held());
  }

  @Test
  void aJointStateInAnotherOrderIsMatchedByName() {
    JointState reordered =
        new JointState(
            List.of("wrist", "shoulder", "elbow"), new double[] {0.3, 0.1, 0.2}, null, 0);
    ActionChunk raw = chunk(20, new double[] {0.1, 0.2, 0.3});
    SafetyResult r = run(raw, reordered);
    assertTrue(r.passedUnchanged(), r.interventions()::toString);
  }

  @Test
  void theEstopLatchesUntilReset() {
    ActionChunk raw = chunk(20, new double[] {0.01, 0, 0});
    filter.estop("operator pressed the button");
    assertTrue(filter.isEstopped());
    for (int i = 0; i < 3; i++) {
      SafetyResult r = run(raw, still(0, 0, 0));
      assertTrue(r.held());
      assertTrue(r.has(InterventionKind.ESTOP));
    }
    filter.reset();
    assertFalse(filter.isEstopped());
    assertFalse(run(raw, still(0, 0, 0)).held());
  }

  @Test
  void aHoldLeavesRoomToBrakeFromTheMeasuredVelocity() {
    JointState moving =
        new JointState(NAMES, new double[] {0, 0, 0}, new double[] {2.0, -2.5, 0}, 0);
    ActionChunk hold = filter.hold(moving);
    assertEquals(1, hold.points().size());
    // 2 rad/s at 8 rad/s^2 and 2.5 rad/s at 10 rad/s^2 both need 0.25 s.
    assertTrue(hold.points().get(0).timeFromStartNanos() >= 250 * MS);
    assertEquals(SafetyFilter.HOLD_MODEL_VERSION, hold.modelVersion());
    assertEquals(NAMES, hold.jointNames());
  }

  @Test
  void aHoldFromAnOlderStateIsValidForTheHoldValidityFromThatStateNotFromNow() {
    JointState state = still(0.1, -0.2, 0.3);
    long seen = clock.nanoTime();
    clock.advanceMillis(300);
    ActionChunk hold = filter.hold(state, seen);
    assertEquals(seen + SafetyFilter.DEFAULT_HOLD_VALIDITY_NANOS, hold.validUntilNanos());
    assertArrayEquals(new double[] {0.1, -0.2, 0.3}, hold.points().get(0).positionsRad(), 1e-12);
    assertEquals(
        filter.hold(state).points().get(0).timeFromStartNanos(),
        hold.points().get(0).timeFromStartNanos());
    assertEquals(
        clock.nanoTime() + SafetyFilter.DEFAULT_HOLD_VALIDITY_NANOS,
        filter.hold(state, clock.nanoTime() + 5 * MS).validUntilNanos(),
        "a state from the future counts from now");
  }

  @Test
  void theBuilderRejectsBadSettings() {
    assertThrows(IllegalStateException.class, () -> SafetyFilter.builder().build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SafetyFilter.builder().setRobot(ROBOT).optPositionMarginRad(-0.1).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SafetyFilter.builder().setRobot(ROBOT).optPositionMarginRad(2.6).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SafetyFilter.builder().setRobot(ROBOT).optPositionMarginRad(Double.NaN).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SafetyFilter.builder().setRobot(ROBOT).optHoldValidityNanos(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SafetyFilter.builder().setRobot(ROBOT).optMinPointSpacingNanos(1).build());
    RobotSpec narrow = new RobotSpec("n", List.of(new JointLimits("j", 0, 0.03, 1, 1)));
    assertThrows(
        IllegalArgumentException.class, () -> SafetyFilter.builder().setRobot(narrow).build());
  }
}
