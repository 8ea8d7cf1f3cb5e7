/**
 * The Mantis policy server: {@link mantis.server.MantisServer} serves {@code
 * mantis.v1.PolicyService} over any {@code ServerBuilder} (Netty, or in-process in tests), with
 * standard gRPC health and reflection and a Prometheus endpoint.
 *
 * <p>One request, end to end: the wire observation is validated against the served robot (precise
 * INVALID_ARGUMENT descriptions; RESOURCE_EXHAUSTED past the inbound limit), frames are decoded and
 * resized to the policy's input size, the policy predicts, and the chunk passes the robot id's own
 * {@link mantis.core.safety.SafetyFilter} before it leaves, with per-stage timings and a validity
 * that a client on another clock can use. Each {@code Control} stream has a {@link
 * mantis.core.safety.Watchdog} that sends a hold chunk when observations stop for the stream's
 * control period plus the watchdog timeout. Shutdown is graceful: health NOT_SERVING, new calls
 * refused, open streams get a final hold, in-flight calls drain.
 *
 * <p>Admission control (issue 13): unparseable requests are INVALID_ARGUMENT ({@code ParseGuard});
 * Control streams are limited per server and per connection ({@code StreamAdmission}); robot
 * entries live in a bounded {@code RobotTable} that expires idle ones and cannot lock robots out;
 * frame decoding is budgeted in pixels per request and per second ({@code DecodeBudget}) and
 * subsampled to about the policy's input size; a chunk that could not reach its client in time is
 * answered as a STALE hold; per-request warnings are rate-limited ({@link mantis.core.LogLimiter}).
 */
package mantis.server;
