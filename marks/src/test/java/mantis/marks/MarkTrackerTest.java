package mantis.marks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;

class MarkTrackerTest {
  static Mark mark(int id, double x, double y, int rgb) {
    return new Mark(id, new PixelPoint(x, y), new PixelBox(x - 5, y - 5, 10, 10), 100, rgb);
  }

  @Test
  void idsStayWithTheirObjectsWhileTheyMoveAndTheProposalOrderChanges() {
    MarkTracker t = MarkTracker.create();
    List<Mark> first = t.update(List.of(mark(1, 20, 20, 0xFF0000), mark(2, 60, 60, 0x0000FF)), 128);
    assertEquals(1, first.get(0).id());
    assertEquals(20, first.get(0).centroid().xPx());
    // Next frame: both moved a little, and the proposer numbered them the other way round.
    List<Mark> second =
        t.update(List.of(mark(1, 58, 63, 0x0000FF), mark(2, 23, 21, 0xFF0000)), 128);
    assertEquals(2, second.size());
    assertEquals(1, second.get(0).id());
    assertEquals(23, second.get(0).centroid().xPx());
    assertEquals(2, second.get(1).id());
    assertEquals(58, second.get(1).centroid().xPx());
  }

  @Test
  void aNewObjectGetsANewIdAndAVanishedIdIsNeverReused() {
    MarkTracker t = MarkTracker.builder().optMaxMissedFrames(0).build();
    t.update(List.of(mark(1, 20, 20, 0xFF0000), mark(2, 60, 60, 0x0000FF)), 128);
    // The red one vanishes.
    List<Mark> b = t.update(List.of(mark(1, 60, 60, 0x0000FF)), 128);
    assertEquals(List.of(2), b.stream().map(Mark::id).toList());
    // A new object appears elsewhere: id 3, not the vanished 1.
    List<Mark> c = t.update(List.of(mark(1, 60, 60, 0x0000FF), mark(2, 100, 20, 0x00FF00)), 128);
    assertEquals(List.of(2, 3), c.stream().map(Mark::id).toList());
    // Even where the vanished one was, a new object gets a new id.
    List<Mark> d =
        t.update(
            List.of(
                mark(1, 20, 20, 0xFF0000), mark(2, 60, 60, 0x0000FF), mark(3, 100, 20, 0x00FF00)),
            128);
    assertEquals(List.of(2, 3, 4), d.stream().map(Mark::id).toList());
  }

  @Test
  void aBrieflyOccludedObjectKeepsItsId() {
    MarkTracker t = MarkTracker.create(); // two missed frames allowed
    t.update(List.of(mark(1, 20, 20, 0xFF0000), mark(2, 60, 60, 0x0000FF)), 128);
    t.update(List.of(mark(1, 60, 60, 0x0000FF)), 128);
    List<Mark> back = t.update(List.of(mark(1, 21, 20, 0xFF0000), mark(2, 60, 60, 0x0000FF)), 128);
    assertEquals(List.of(1, 2), back.stream().map(Mark::id).toList());
    assertEquals(21, back.get(0).centroid().xPx());
  }

  @Test
  void aFarJumpIsANewObject() {
    MarkTracker t = MarkTracker.builder().optMaxMissedFrames(0).build();
    t.update(List.of(mark(1, 10, 10, 0xFF0000)), 128);
    List<Mark> b = t.update(List.of(mark(1, 110, 110, 0xFF0000)), 128);
    assertEquals(2, b.get(0).id());
  }

  @Test
  void theEffectorIdFollowsTheTracker() {
    MarkTracker t = MarkTracker.create();
    t.update(new Proposal(List.of(mark(1, 20, 20, 0xFF0000), mark(2, 60, 100, 0x505050)), 2), 128);
    assertEquals(2, t.effectorMarkId());
    // Next frame the proposer calls the effector 1 (it moved above the object in reading order).
    t.update(new Proposal(List.of(mark(1, 62, 15, 0x505050), mark(2, 20, 20, 0xFF0000)), 1), 128);
    assertNotEquals(0, t.effectorMarkId());
    assertTrue(t.nextId() >= 3);
  }

  @Test
  void idsStayStableOnARealSimStream() {
    mantis.sim.TabletopSim sim =
        mantis.sim.TabletopSim.create(
            mantis.sim.SimConfig.builder().optDomainRandomization(true).build());
    sim.reset(321, mantis.sim.TaskFamily.PUSH_DIRECTION);
    mantis.sim.ScriptedExpert expert = new mantis.sim.ScriptedExpert();
    MarkProposer proposer = MarkProposer.defaults();
    MarkTracker t = MarkTracker.create();
    int objects = sim.groundTruth().objects().size();
    for (int frame = 0; frame < 60 && !sim.done(); frame++) {
      for (int i = 0; i < 5; i++) {
        sim.step(expert.act(sim));
      }
      t.update(proposer.analyse(sim.render(128, 128)), 128);
    }
    // Objects + targets + effector, plus a few for flicker: ids must not run away.
    int targets = sim.groundTruth().targets().size();
    assertTrue(t.nextId() - 1 <= objects + targets + 1 + 3, "ids used: " + (t.nextId() - 1));
  }
}
