/**
 * Held-out evaluation of a latent action model: reconstruction error on moving pixels against the
 * copy-frame-t baseline, codebook usage and perplexity, and a linear probe from tokens to the
 * withheld true motion direction ({@link mantis.latent.eval.LatentEvaluator}).
 */
package mantis.latent.eval;
