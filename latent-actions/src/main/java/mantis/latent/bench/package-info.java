/**
 * Speed of the latent action model ({@link mantis.latent.bench.LatentBenchmark}): one-pair latency,
 * batched labelling and encode + decode throughput, training steps, model FLOPs and achieved
 * GFLOP/s next to the fp32 matrix-product peak measured in the same run (issue 4, point 5). {@code
 * mantis latent bench} runs it.
 */
package mantis.latent.bench;
