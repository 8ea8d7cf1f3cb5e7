package mantis.sim.client;

import mantis.sim.TaskFamily;

/**
 * The outcome of one episode driven over gRPC.
 *
 * @param seed the episode's seed
 * @param family its task family
 * @param instruction the instruction sent
 * @param success whether the task's success predicate held at the end
 * @param simTimeS simulated seconds until success or time-out
 * @param calls observations sent (one chunk each)
 * @param latenciesNanos round trip of each call, send to reply, client clock
 * @param expiredChunks chunks whose validity ran out before the next reply (the arm held for the
 *     rest)
 * @param holdSteps physics steps spent holding because no valid chunk was left
 * @param heldChunks replies the server marked as holds (e-stop, unusable chunk, policy error)
 * @param watchdogHolds unsolicited watchdog holds received (ignored in lockstep: the sim was
 *     paused)
 */
public record EpisodeResult(
    long seed,
    TaskFamily family,
    String instruction,
    boolean success,
    double simTimeS,
    int calls,
    long[] latenciesNanos,
    int expiredChunks,
    int holdSteps,
    int heldChunks,
    int watchdogHolds) {
  public EpisodeResult {
    latenciesNanos = latenciesNanos.clone();
  }

  @Override
  public long[] latenciesNanos() {
    return latenciesNanos.clone();
  }
}
