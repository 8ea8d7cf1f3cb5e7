package mantis.latent.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Result of {@link LatentTrainer#run()}.
 *
 * @param firstStep the model's step count when the run began
 * @param lastStep the model's step count when it ended
 * @param seconds wall time of the run's steps
 * @param pairsPerS training pairs per second in this run
 * @param smoothedTotal moving average of the total loss at the end (over the whole log when there
 *     is one)
 * @param smoothedRecon moving average of the reconstruction loss at the end
 * @param smoothedPerplexity moving average of the batch perplexity at the end
 * @param checkpointDir where the final checkpoint was written, empty without a checkpoint directory
 * @param stopped true when {@link LatentTrainer#requestStop()} ended the run before its target
 */
public record TrainSummary(
    long firstStep,
    long lastStep,
    double seconds,
    double pairsPerS,
    double smoothedTotal,
    double smoothedRecon,
    double smoothedPerplexity,
    Optional<Path> checkpointDir,
    boolean stopped) {

  /** Steps taken in this run. */
  public long steps() {
    return lastStep - firstStep;
  }
}
