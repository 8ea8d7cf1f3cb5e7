/**
 * Offline evaluations against simulator ground truth: Set-of-Mark accuracy ({@link
 * mantis.learn.eval.SomAccuracy}), Trace-of-Mark accuracy ({@link mantis.learn.eval.TomAccuracy})
 * and the marks benchmark.
 */
package mantis.learn.eval;
