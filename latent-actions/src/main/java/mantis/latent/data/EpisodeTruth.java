package mantis.latent.data;

/**
 * Evaluation-only ground truth of one episode (from {@code withheld/}): per frame the commanded
 * action, the arm joints and the effector; per pair (t, t + H) the effector's true displacement and
 * its 8-way direction. Never feed this to a model being trained on the frames.
 *
 * @param episodeIndex episode number in the dataset
 * @param seed simulator seed
 * @param embodiment {@code ARM} or {@code HAND}
 * @param family task family name
 * @param actionSpace {@code joint_position_targets_rad} or {@code hand_xy_targets_m}
 * @param physicsStep physics step of each frame
 * @param effectorXM effector x per frame, table metres
 * @param effectorYM effector y per frame, table metres
 * @param effectorXPx effector x per frame in image pixels (render camera; NaN if not visible)
 * @param effectorYPx effector y per frame in image pixels
 * @param jointPositionsRad arm joints per frame (empty rows for the hand)
 * @param action command issued at each frame's state (empty on the last frame of the episode)
 * @param pairDxM effector x displacement from frame t to t + H, one per pair
 * @param pairDyM effector y displacement from frame t to t + H
 * @param pairDirectionBin 8-way direction of the displacement (0 = +x, 2 = +y, counter-clockwise;
 *     -1 = still)
 */
public record EpisodeTruth(
    int episodeIndex,
    long seed,
    String embodiment,
    String family,
    String actionSpace,
    long[] physicsStep,
    double[] effectorXM,
    double[] effectorYM,
    double[] effectorXPx,
    double[] effectorYPx,
    double[][] jointPositionsRad,
    double[][] action,
    double[] pairDxM,
    double[] pairDyM,
    int[] pairDirectionBin) {

  /** Frames in the episode. */
  public int frameCount() {
    return effectorXM.length;
  }

  /** Pairs in the episode. */
  public int pairCount() {
    return pairDirectionBin.length;
  }

  /** Effector displacement of pair t in metres. */
  public double pairDisplacementM(int t) {
    return Math.hypot(pairDxM[t], pairDyM[t]);
  }
}
