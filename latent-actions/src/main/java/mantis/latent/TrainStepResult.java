package mantis.latent;

/**
 * Losses and codebook statistics of one training step (values before the parameter update).
 *
 * @param step 1-based index of this step since the model was created
 * @param totalLoss reconstruction + codebook + commitmentWeight * commitment
 * @param reconstructionLoss mean squared error of the rebuilt frame t+H, pixels in [0, 1]
 * @param codebookLoss mean squared distance of the chosen codes to the (stopped) encoder outputs
 * @param commitmentLoss mean squared distance of the encoder outputs to the (stopped) chosen codes
 * @param perplexity exp(entropy) of the batch's code histogram, in [1, codebookSize]
 * @param replacedCodes dead codes re-initialised at the end of this step (0 on most steps)
 */
public record TrainStepResult(
    long step,
    float totalLoss,
    float reconstructionLoss,
    float codebookLoss,
    float commitmentLoss,
    float perplexity,
    int replacedCodes) {}
