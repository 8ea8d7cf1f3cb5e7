package mantis.latent.train;

import java.nio.file.Path;

/** Receives the progress of a {@link LatentTrainer} run, on the training thread. */
public interface TrainListener {
  /** Called after every training step. */
  void onStep(StepReport report);

  /** Called after a checkpoint of {@code step} steps has been written to {@code dir}. */
  default void onCheckpoint(long step, Path dir) {}
}
