/**
 * Serving: the {@link mantis.model.serve.PolicyModel} and {@link mantis.model.serve.BatchPredictor}
 * interfaces a learned policy implements, and the {@link mantis.model.serve.PredictorPool} that
 * serves many concurrent streams with them by dynamic batching.
 *
 * <p>A {@code PolicyModel} holds the shared weights and hands out predictors; a {@code
 * BatchPredictor} holds one worker's scratch state and runs one forward pass over a batch. The pool
 * is a {@link mantis.core.Policy}: each {@code predict} call waits in a queue until a worker takes
 * it into a batch (up to {@code maxBatch} requests, collected for at most {@code maxWait} after the
 * first), and gets back its own chunk. Predictors never cross threads; the model is owned by
 * whoever built the pool, which does not close it unless asked to ({@code optCloseModel(true)}). A
 * predictor failure fails every request of its batch with a {@link
 * mantis.model.serve.PredictionException}.
 */
package mantis.model.serve;
