/** Offline evaluations against the simulator's ground truth (Trace-of-Mark accuracy). */
package mantis.server.eval;
