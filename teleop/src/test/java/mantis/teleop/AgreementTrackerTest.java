package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;

/** The agreement maths on hand-made ticks. */
class AgreementTrackerTest {
  private static final long S = 1_000_000_000L;

  private static AgreementTracker.Tick tick(
      long tNanos, double[] teleop, double[] policy, int policyMark, int personMark) {
    return new AgreementTracker.Tick(
        tNanos, new double[] {0, 0, 0}, teleop, policy, policyMark, personMark);
  }

  @Test
  void noTicksGiveAnEmptyAgreement() {
    AgreementTracker t = new AgreementTracker(3);
    assertEquals(0, t.episode().samples());
    assertTrue(t.episode().perJointMaeRad().isEmpty());
    assertTrue(Double.isNaN(t.episode().directionAgreementPct()));
    assertTrue(Double.isNaN(t.rolling(10 * S).groundedMarkAgreementPct()));
  }

  @Test
  void perJointMaeIsTheMeanAbsoluteDifferenceOfTheNextTargets() {
    AgreementTracker t = new AgreementTracker(3);
    t.add(tick(0, new double[] {0.1, 0.2, -0.1}, new double[] {0.0, 0.2, 0.1}, -1, -1));
    t.add(tick(S / 10, new double[] {0.1, -0.2, 0.0}, new double[] {0.4, 0.0, 0.0}, -1, -1));
    Agreement a = t.episode();
    assertEquals(2, a.samples());
    assertEquals(0.2, a.perJointMaeRad().get(0), 1e-12); // (0.1 + 0.3) / 2
    assertEquals(0.1, a.perJointMaeRad().get(1), 1e-12); // (0 + 0.2) / 2
    assertEquals(0.1, a.perJointMaeRad().get(2), 1e-12); // (0.2 + 0) / 2
  }

  @Test
  void directionAgreementCountsSameSignsAndBothStillAsAgreeing() {
    AgreementTracker t = new AgreementTracker(3);
    // joint 0: both up (agree); joint 1: person up, policy down (disagree);
    // joint 2: both inside the 0.005 rad dead band (agree).
    t.add(tick(0, new double[] {0.05, 0.05, 0.004}, new double[] {0.02, -0.03, -0.003}, -1, -1));
    assertEquals(200.0 / 3, t.episode().directionAgreementPct(), 1e-9);
    // joint 0: person still, policy moves (disagree); joints 1, 2 agree.
    t.add(tick(1, new double[] {0.0, -0.1, 0.1}, new double[] {0.1, -0.2, 0.3}, -1, -1));
    assertEquals(400.0 / 6, t.episode().directionAgreementPct(), 1e-9);
    assertEquals(0, AgreementTracker.direction(0.005, 0.005));
    assertEquals(1, AgreementTracker.direction(0.0051, 0.005));
    assertEquals(-1, AgreementTracker.direction(-0.0051, 0.005));
  }

  @Test
  void groundedMarkAgreementUsesOnlyTicksWhereBothAreDefined() {
    AgreementTracker t = new AgreementTracker(3);
    double[] z = {0, 0, 0};
    t.add(tick(0, z, z, 2, 2));
    t.add(tick(1, z, z, 2, 3));
    t.add(tick(2, z, z, -1, 3));
    t.add(tick(3, z, z, 4, -1));
    t.add(tick(4, z, z, 5, 5));
    Agreement a = t.episode();
    assertEquals(5, a.samples());
    assertEquals(200.0 / 3, a.groundedMarkAgreementPct(), 1e-9);
    AgreementTracker none = new AgreementTracker(3);
    none.add(tick(0, z, z, 2, -1));
    assertTrue(Double.isNaN(none.episode().groundedMarkAgreementPct()));
  }

  @Test
  void theRollingWindowKeepsOnlyTheLastFiveSeconds() {
    AgreementTracker t = new AgreementTracker(3);
    // Early ticks disagree completely, late ticks agree completely.
    for (int i = 0; i < 10; i++) {
      t.add(tick(i * S / 2, new double[] {0.1, 0.1, 0.1}, new double[] {-0.1, -0.1, -0.1}, 1, 2));
    }
    for (int i = 10; i < 30; i++) {
      t.add(tick(i * S / 2, new double[] {0.1, 0.1, 0.1}, new double[] {0.1, 0.1, 0.1}, 1, 1));
    }
    long now = 29 * S / 2;
    Agreement rolling = t.rolling(now);
    assertEquals(10, rolling.samples(), "ticks at 10..14.5 s: (now - 5 s, now]");
    assertEquals(100.0, rolling.directionAgreementPct(), 1e-9);
    assertEquals(100.0, rolling.groundedMarkAgreementPct(), 1e-9);
    assertEquals(0.0, rolling.perJointMaeRad().get(0), 1e-12);
    Agreement episode = t.episode();
    assertEquals(30, episode.samples());
    assertEquals(200.0 / 3, episode.directionAgreementPct(), 1e-9);
    assertEquals(0.2 / 3, episode.perJointMaeRad().get(1), 1e-12);
    assertEquals(0, t.rolling(now + 6 * S).samples(), "nothing in the last 5 s");
    t.clear();
    assertEquals(0, t.episode().samples());
  }

  @Test
  void ticksWithTheWrongJointCountAreRefused() {
    AgreementTracker t = new AgreementTracker(2);
    assertThrows(
        IllegalArgumentException.class,
        () -> t.add(tick(0, new double[] {0, 0, 0}, new double[] {0, 0, 0}, -1, -1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AgreementTracker.Tick(0, new double[2], new double[3], new double[2], -1, -1));
  }

  private static Mark mark(int id, double x, double y) {
    return new Mark(id, new PixelPoint(x, y), new PixelBox(x - 3, y - 3, 6, 6), 36, 0);
  }

  @Test
  void theHeadingMarkIsTheMarkAheadOfTheEffectorsMotion() {
    List<Mark> marks =
        List.of(mark(1, 100, 50), mark(2, 50, 100), mark(3, 52, 52), mark(4, 10, 50));
    PixelPoint from = new PixelPoint(40, 50);
    PixelPoint to = new PixelPoint(50, 50); // moving right
    assertEquals(
        1, AgreementTracker.headingMark(from, to, marks, 3, 1.0), "mark 3 is the effector's own");
    assertEquals(
        2, AgreementTracker.headingMark(new PixelPoint(50, 40), to, marks, 3, 1.0), "moving down");
    assertEquals(
        4, AgreementTracker.headingMark(new PixelPoint(60, 50), to, marks, 3, 1.0), "moving left");
    assertEquals(
        -1,
        AgreementTracker.headingMark(new PixelPoint(50, 60), to, marks, 3, 1.0),
        "nothing above");
    assertEquals(
        -1,
        AgreementTracker.headingMark(new PixelPoint(49.5, 50), to, marks, 3, 1.0),
        "too little motion");
    // 40 degrees off the motion: outside the 30-degree cone.
    List<Mark> off =
        List.of(
            mark(
                1, 50 + 50 * Math.cos(Math.toRadians(40)), 50 + 50 * Math.sin(Math.toRadians(40))));
    assertEquals(-1, AgreementTracker.headingMark(from, to, off, 0, 1.0));
    // Of two marks in the cone, the one at the smaller angle wins even when farther.
    List<Mark> two = List.of(mark(1, 70, 58), mark(2, 120, 51));
    assertEquals(2, AgreementTracker.headingMark(from, to, two, 0, 1.0));
  }
}
