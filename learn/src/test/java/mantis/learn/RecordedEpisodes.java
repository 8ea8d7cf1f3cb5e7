package mantis.learn;

import java.nio.file.Path;
import mantis.sim.Embodiment;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.record.EpisodeRecorder;

/**
 * Test fixture: short recorded episodes like a teleop recording (started mid-episode, a line every
 * 5 steps).
 */
public final class RecordedEpisodes {
  private RecordedEpisodes() {}

  /**
   * Resets a randomised simulator, lets the scripted expert run {@code skipSteps} physics steps
   * unrecorded, then records it for {@code seconds} (one line and frame every {@code stepEvery}
   * steps, frames every {@code frameEvery} lines).
   */
  public static Path record(
      Path dir,
      Embodiment embodiment,
      long seed,
      TaskFamily family,
      int skipSteps,
      double seconds,
      int stepEvery,
      int frameEvery,
      int framePx) {
    TabletopSim sim =
        TabletopSim.create(
            SimConfig.builder().optDomainRandomization(true).optEmbodiment(embodiment).build());
    sim.reset(seed, family);
    ScriptedExpert expert = new ScriptedExpert();
    for (int i = 0; i < skipSteps && !sim.done(); i++) {
      step(sim, expert.act(sim));
    }
    int steps = (int) Math.round(seconds * sim.config().physicsHz());
    try (EpisodeRecorder rec =
        EpisodeRecorder.builder()
            .setDirectory(dir)
            .setSim(sim)
            .optStepEvery(stepEvery)
            .optFrameEvery(frameEvery)
            .optFrameSize(framePx, framePx)
            .build()) {
      rec.start();
      for (int i = 0; i < steps && !sim.done(); i++) {
        double[] a = expert.act(sim);
        rec.record(a);
        step(sim, a);
      }
    }
    return dir;
  }

  private static void step(TabletopSim sim, double[] a) {
    if (sim.embodiment() == Embodiment.ARM) {
      sim.step(a);
    } else {
      sim.stepHand(a[0], a[1]);
    }
  }
}
