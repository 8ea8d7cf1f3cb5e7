/**
 * Serving: the {@link mantis.model.serve.PolicyModel} and {@link mantis.model.serve.BatchPredictor}
 * interfaces a learned policy implements, and the predictor pool that batches concurrent streams.
 */
package mantis.model.serve;
