/**
 * The last line of defence between a policy and an arm: the {@link mantis.core.safety.SafetyFilter}
 * that makes every action chunk obey the robot's limits, the {@link mantis.core.safety.Watchdog}
 * that commands a hold when fresh commands stop, and the {@link mantis.core.safety.ChunkPlayer}
 * that plays filtered chunks on the executor side without ever replaying a stale one, and the
 * {@link mantis.core.safety.SeamBlender} that cross-fades the seam where a new chunk replaces the
 * old one and keeps the executed commands within the velocity and acceleration limits.
 *
 * <p>These classes enforce safety invariants 1 to 5 of {@code DESIGN.md}:
 *
 * <ol>
 *   <li>nothing non-finite leaves the filter;
 *   <li>every position is inside the robot's limits minus a margin, every step respects the
 *       velocity and acceleration limits, and {@code timeFromStartNanos} strictly increases;
 *   <li>a command is never executed after its {@code validUntilNanos}, and a queued command is
 *       never replayed after a lag;
 *   <li>if fresh commands stop for the watchdog's timeout (100 ms by default), the arm is told to
 *       hold;
 *   <li>an e-stop latches until an explicit reset.
 * </ol>
 *
 * <p>Every correction is reported as an {@link mantis.core.safety.Intervention} with an {@link
 * mantis.core.safety.InterventionKind}, which the server exports as metrics.
 */
package mantis.core.safety;
