package mantis.latent.train;

import mantis.latent.TrainStepResult;

/**
 * Progress after one training step.
 *
 * @param step steps the model has now taken
 * @param totalSteps the run's target step count
 * @param result the step's losses and codebook statistics
 * @param elapsedS seconds of training in this run so far (a resumed run starts at 0)
 * @param pairsPerS training pairs per second over this run
 * @param smoothedRecon moving average of the reconstruction loss over the last ~10 steps
 * @param smoothedPerplexity moving average of the batch perplexity over the last ~10 steps
 * @param etaS estimated seconds until {@code totalSteps}
 */
public record StepReport(
    long step,
    long totalSteps,
    TrainStepResult result,
    double elapsedS,
    double pairsPerS,
    double smoothedRecon,
    double smoothedPerplexity,
    double etaS) {}
