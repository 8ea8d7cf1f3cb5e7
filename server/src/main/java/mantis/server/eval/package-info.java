/**
 * Offline evaluations against simulator ground truth: Set-of-Mark accuracy ({@link
 * mantis.server.eval.SomAccuracy}), Trace-of-Mark accuracy ({@link mantis.server.eval.TomAccuracy})
 * and the marks benchmark.
 */
package mantis.server.eval;
