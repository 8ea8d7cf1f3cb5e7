/**
 * Jazzer fuzz tests of every {@code mantis.v1.PolicyService} RPC against a real {@link
 * mantis.server.MantisServer}: structured observations built with a {@code FuzzedDataProvider}
 * ({@link mantis.server.fuzz.ObservationFuzzer}), raw bytes parsed as observations, and raw bytes
 * on the wire of a loopback Netty server. Every answer is judged by {@link
 * mantis.server.fuzz.RpcOracle}: a chunk that keeps the safety invariants, or a proper status,
 * within a time bound. In the normal test run they replay their seeds only (regression mode);
 * {@code -Pfuzz} fuzzes (docs/FUZZING.md).
 */
package mantis.server.fuzz;
