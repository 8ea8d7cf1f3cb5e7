package mantis.model.policy;

/**
 * Training targets of one example. Each is optional (null or -1 when unknown).
 *
 * @param latentTokens latent action tokens from the latent action model, or null
 * @param objectMark index into the example's marks of the mark the instruction names, or -1
 * @param goalMark index of the target zone's mark (push onto a target), or -1
 * @param effectorMark index of the effector's mark, or -1
 * @param tracePx the object mark's future centroid, K x {x, y} flattened (pixels), or null
 * @param effectorTracePx the effector mark's future centroid, K x {x, y} flattened (pixels), or
 *     null
 * @param targetsRad the expert's joint targets at the H chunk times, H x joints flattened, or null
 */
public record PolicyLabels(
    int[] latentTokens,
    int objectMark,
    int goalMark,
    int effectorMark,
    double[] tracePx,
    double[] effectorTracePx,
    double[] targetsRad) {
  /** No labels at all. */
  public static final PolicyLabels NONE = new PolicyLabels(null, -1, -1, -1, null, null, null);
}
