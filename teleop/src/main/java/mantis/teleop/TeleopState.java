package mantis.teleop;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a teleop session for display (serialised to JSON by the dashboard).
 *
 * @param frameSeq increases with every new camera frame ({@link Teleop#framePng()})
 * @param instruction the episode's instruction
 * @param family task family name
 * @param seed episode seed
 * @param episodeMillis time since the episode started
 * @param episodeDone success or time-out reached
 * @param episodeSuccess the task's success predicate holds
 * @param mode who drives
 * @param estopped e-stop latched (until {@link Teleop#reset()})
 * @param holding the arm is holding (e-stop, watchdog, or no command)
 * @param recording an episode recording is in progress
 * @param recordingName its name, or empty
 * @param jointNames the arm's joints
 * @param jointPositionsRad measured positions
 * @param latentTokens the policy's latent action tokens for the newest frame
 * @param groundedMarkId the mark the policy grounded, or -1
 * @param stageMillis per-stage latency of the newest shadow prediction (e.g. "marks", "policy",
 *     "safety"), milliseconds
 * @param interventions safety-filter interventions so far
 * @param history the most recent control ticks, oldest first (bounded, e.g. 200)
 * @param episodeAgreement agreement over the whole episode
 * @param rollingAgreement agreement over the last few seconds
 */
public record TeleopState(
    long frameSeq,
    String instruction,
    String family,
    long seed,
    long episodeMillis,
    boolean episodeDone,
    boolean episodeSuccess,
    ControlMode mode,
    boolean estopped,
    boolean holding,
    boolean recording,
    String recordingName,
    List<String> jointNames,
    List<Double> jointPositionsRad,
    List<Integer> latentTokens,
    int groundedMarkId,
    Map<String, Double> stageMillis,
    long interventions,
    List<CommandSample> history,
    Agreement episodeAgreement,
    Agreement rollingAgreement) {
  public TeleopState {
    jointNames = List.copyOf(jointNames);
    jointPositionsRad = List.copyOf(jointPositionsRad);
    latentTokens = List.copyOf(latentTokens);
    stageMillis = Map.copyOf(stageMillis);
    history = List.copyOf(history);
  }
}
