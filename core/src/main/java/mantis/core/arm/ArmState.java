package mantis.core.arm;

/**
 * What an arm is doing, apart from where its joints are.
 *
 * @param holding true while the arm holds its position (no valid chunk playing, a hold, a watchdog
 *     timeout, or the e-stop)
 * @param estopped true while the e-stop is latched (until {@link Arm#reset()})
 * @param interventions how many times the arm's safety filter rejected or modified a command so far
 */
public record ArmState(boolean holding, boolean estopped, long interventions) {}
