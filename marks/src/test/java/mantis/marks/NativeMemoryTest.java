package mantis.marks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.core.Trace;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class NativeMemoryTest {
  @Test
  void fiveThousandProposeAndDrawCallsDoNotGrowTheProcess() {
    if (RssProbe.rssKiB() < 0) {
      return; // no /proc on this system
    }
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    sim.reset(5, TaskFamily.PUSH_TO_TARGET);
    ScriptedExpert expert = new ScriptedExpert();
    for (int i = 0; i < 80; i++) {
      sim.step(expert.act(sim));
    }
    Frame frame = sim.render(128, 128);
    MarkProposer proposer = MarkProposer.defaults();
    MarkRenderer renderer = new MarkRenderer();
    List<Trace> traces =
        List.of(
            new Trace(
                1,
                List.of(new PixelPoint(10, 10), new PixelPoint(50, 60), new PixelPoint(90, 20))));
    RssProbe.Result r =
        RssProbe.measure(
            2_000,
            5_000,
            () -> {
              List<Mark> marks = proposer.propose(frame);
              renderer.png(renderer.draw(frame, marks, traces));
            });
    // A leaked Mat per call would be >= 49 KiB (one 128x128 RGB image): 5,000 calls = 240 MiB.
    assertTrue(r.growthKiB() < 16 * 1024, r.toString());
  }
}
