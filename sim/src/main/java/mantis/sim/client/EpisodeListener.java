package mantis.sim.client;

import mantis.core.ActionChunk;
import mantis.core.Frame;
import mantis.sim.TabletopSim;

/**
 * Sees an episode as the {@link SimClient} runs it, e.g. to record it. Called on the client's
 * thread.
 */
public interface EpisodeListener {
  /** After {@code reset}, before the first observation. */
  default void onReset(TabletopSim sim) {}

  /**
   * An observation was answered: the frame sent and the chunk received (validity on the client
   * clock).
   */
  default void onReply(TabletopSim sim, long step, Frame frame, ActionChunk chunk) {}

  /** Right before a physics step with these joint targets. */
  default void onStep(TabletopSim sim, double[] jointTargetsRad, boolean holding) {}

  /** After the last step. */
  default void onEnd(TabletopSim sim, EpisodeResult result) {}
}
