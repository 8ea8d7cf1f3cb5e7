package mantis.model.serve;

/**
 * A {@link BatchPredictor} failed on the batch a request was part of, or answered it wrongly (a
 * missing or extra chunk). Thrown in the calling thread by {@link PredictorPool#predict}; the
 * predictor's own exception, when there is one, is the cause.
 */
public final class PredictionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, caused by {@code cause} (may be null). */
  public PredictionException(String message, Throwable cause) {
    super(message, cause);
  }
}
