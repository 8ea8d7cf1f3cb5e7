package mantis.server.cli;

import java.util.ArrayList;
import java.util.List;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;

/** Sim step + render rates on this thread (one core), until the sim's own benchmark is wired in. */
final class SimRates {
  private SimRates() {}

  static List<String[]> measure() {
    List<String[]> rows = new ArrayList<>();
    int[][] sizes = {{64, 64}, {128, 128}, {640, 480}};
    for (int[] s : sizes) {
      TabletopSim sim = TabletopSim.create(SimConfig.defaults());
      ScriptedExpert expert = new ScriptedExpert();
      byte[] buf = new byte[s[0] * s[1] * 3];
      long frames = 0;
      long seed = 0;
      sim.reset(seed, TaskFamily.PUSH_TO_TARGET);
      long warmEnd = System.nanoTime() + 500_000_000L;
      long start = 0;
      long budget = 1_500_000_000L;
      while (true) {
        if (sim.done()) {
          sim.reset(++seed, TaskFamily.PUSH_TO_TARGET);
        }
        sim.step(expert.act(sim));
        sim.renderInto(s[0], s[1], buf);
        long now = System.nanoTime();
        if (start == 0 && now >= warmEnd) {
          start = now;
          frames = 0;
        } else if (start != 0) {
          frames++;
          if (now - start >= budget) {
            double rate = frames / ((now - start) / 1e9);
            rows.add(new String[] {"sim step + render " + s[0] + "x" + s[1] + " (one thread)",
                String.format("%.0f frames/s", rate), s[0] == 128 ? ">= 1000 frames/s" : ""});
            break;
          }
        }
      }
    }
    return rows;
  }
}
