/**
 * Domain values shared by every Mantis module: observations, frames, joint states, action chunks,
 * Set-of-Mark marks and Trace-of-Mark traces, the robot description and the {@link
 * mantis.core.Policy} interface. Everything here is immutable and free of native code and I/O.
 */
package mantis.core;
