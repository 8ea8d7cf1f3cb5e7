package mantis.latent.data;

/** A pair of a dataset: frame {@code t} and frame {@code t + H} of episode {@code episodeIndex}. */
public record PairRef(int episodeIndex, int t) {}
