package mantis.latent.data;

/**
 * One recorded episode of a video dataset: where its frames are, and nothing about its actions.
 *
 * @param index episode number in the dataset (0-based)
 * @param embodiment {@code ARM} or {@code HAND}
 * @param seed simulator seed
 * @param family task family name
 * @param shard frame shard number
 * @param firstFrame index of the episode's first frame within its shard
 * @param frameCount frames in the episode
 */
public record VideoEpisode(
    int index,
    String embodiment,
    long seed,
    String family,
    int shard,
    long firstFrame,
    int frameCount) {
  /** Pairs (t, t + horizonFrames) in this episode. */
  public int pairCount(int horizonFrames) {
    return Math.max(0, frameCount - horizonFrames);
  }
}
