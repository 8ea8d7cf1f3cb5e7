package mantis.sim.record;

/**
 * An object's pose at one recorded step, table frame.
 *
 * @param name the object's name ("red block")
 * @param xM centre x, metres
 * @param yM centre y, metres
 * @param yawRad orientation (always 0 in the current simulator)
 */
public record ObjectPose(String name, double xM, double yM, double yawRad) {}
