/**
 * Step and render throughput benchmark of the simulator ({@link mantis.sim.bench.SimBenchmark}).
 */
package mantis.sim.bench;
