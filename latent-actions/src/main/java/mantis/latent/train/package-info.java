/**
 * Training and batch labelling of the latent action model on recorded video datasets. {@link
 * mantis.latent.train.LatentTrainer} runs resumable training (the batch of step s is a pure
 * function of the shuffle seed and s, so a resumed run is bit-identical to an uninterrupted one),
 * with a prefetching reader, checkpoints, {@code loss.csv} and {@code loss.png}; {@link
 * mantis.latent.train.LatentLabeler} writes the tokens of every pair of a dataset to a CSV file;
 * {@link mantis.latent.train.LatentConfigs} overrides configuration properties by name.
 */
package mantis.latent.train;
