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

  /**
   * The joint targets the client is about to send for the next physics step; a listener may return
   * other targets (a human or a scripted expert taking over, as in human-gated DAgger), which are
   * then stepped and passed to {@link #onStep}. The default returns them unchanged. The returned
   * array must have the arm's joint count.
   */
  default double[] onCommand(TabletopSim sim, double[] jointTargetsRad) {
    return jointTargetsRad;
  }

  /** Right before a physics step with these joint targets. */
  default void onStep(TabletopSim sim, double[] jointTargetsRad, boolean holding) {}

  /** After the last step. */
  default void onEnd(TabletopSim sim, EpisodeResult result) {}
}
