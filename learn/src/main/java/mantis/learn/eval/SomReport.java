package mantis.learn.eval;

import java.util.Locale;
import mantis.sim.Embodiment;

/**
 * Set-of-Mark accuracy against simulator ground truth.
 *
 * @param frames frames evaluated
 * @param firstSeed first sim seed (seeds firstSeed .. firstSeed + frames - 1)
 * @param sizePx frame side, pixels (square frames)
 * @param embodiment the sim's embodiment: ARM (effector = the pusher tip) or HAND (effector = the
 *     palm)
 * @param midEpisodeFrames frames taken after a random number of scripted-expert steps
 * @param objects objects whose true centre projects inside the frame
 * @param objectsMarked of those, objects with a mark centroid within {@code tolerancePx} of the
 *     true centre
 * @param tolerancePx the distance that counts as marked, pixels
 * @param marks marks proposed in total
 * @param falseMarks marks on no object, target zone or the effector
 * @param targets target zones in view
 * @param targetsMarked target zones with a mark centroid inside them
 * @param effectorFrames frames whose effector (arm pusher tip or hand palm centre) is in view
 * @param effectorMarked of those, frames whose effector has a mark within {@code tolerancePx}
 * @param effectorFlagged of those, frames whose proposer-designated effector mark is within {@code
 *     tolerancePx}
 * @param effectorErrorMedianPx median distance of the designated effector mark to the true tip
 * @param objectErrorMedianPx median distance from each marked object's true centre to its nearest
 *     mark
 * @param objectErrorP95Px 95th percentile of that distance
 */
public record SomReport(
    int frames,
    long firstSeed,
    int sizePx,
    Embodiment embodiment,
    int midEpisodeFrames,
    int objects,
    int objectsMarked,
    double tolerancePx,
    int marks,
    int falseMarks,
    int targets,
    int targetsMarked,
    int effectorFrames,
    int effectorMarked,
    int effectorFlagged,
    double effectorErrorMedianPx,
    double objectErrorMedianPx,
    double objectErrorP95Px) {

  /** Fraction of objects with a mark within the tolerance. */
  public double objectRecall() {
    return objects == 0 ? 0 : objectsMarked / (double) objects;
  }

  /** Fraction of marks that lie on no object, target or effector. */
  public double falseMarkRate() {
    return marks == 0 ? 0 : falseMarks / (double) marks;
  }

  /** Fraction of frames with the effector in view where a mark lies within the tolerance of it. */
  public double effectorRecall() {
    return effectorFrames == 0 ? 0 : effectorMarked / (double) effectorFrames;
  }

  /**
   * Fraction of frames with the effector in view where the proposer's designated effector mark lies
   * within the tolerance of it.
   */
  public double effectorFlaggedRecall() {
    return effectorFrames == 0 ? 0 : effectorFlagged / (double) effectorFrames;
  }

  /** Fraction of target zones with a mark inside. */
  public double targetRecall() {
    return targets == 0 ? 0 : targetsMarked / (double) targets;
  }

  /** Whether the goals hold: objects >= 97% within 3 px, false marks <= 5%. */
  public boolean meetsGoals() {
    return objectRecall() >= 0.97 && falseMarkRate() <= 0.05;
  }

  /** A few lines for a terminal. */
  public String summary() {
    return String.format(
        Locale.ROOT,
        "SoM accuracy, %d frames %dx%d (seeds %d..%d, %d mid-episode), %s sim, domain randomisation and camera jitter on%n"
            + "  objects marked within %.0f px: %d/%d = %.2f%% (goal >= 97%%); centre error median %.2f px, p95 %.2f px%n"
            + "  false marks: %d/%d = %.2f%% (goal <= 5%%)%n"
            + "  target zones marked: %d/%d = %.2f%%%n"
            + "  effector (%s) marked within %.0f px: %d/%d frames = %.2f%% (designated effector mark %d/%d = %.2f%%, median error %.2f px)",
        frames,
        sizePx,
        sizePx,
        firstSeed,
        firstSeed + frames - 1,
        midEpisodeFrames,
        embodiment == Embodiment.HAND ? "hand" : "arm",
        tolerancePx,
        objectsMarked,
        objects,
        100 * objectRecall(),
        objectErrorMedianPx,
        objectErrorP95Px,
        falseMarks,
        marks,
        100 * falseMarkRate(),
        targetsMarked,
        targets,
        100 * targetRecall(),
        embodiment == Embodiment.HAND ? "hand palm" : "arm pusher tip",
        tolerancePx,
        effectorMarked,
        effectorFrames,
        100 * effectorRecall(),
        effectorFlagged,
        effectorFrames,
        100 * effectorFlaggedRecall(),
        effectorErrorMedianPx);
  }
}
