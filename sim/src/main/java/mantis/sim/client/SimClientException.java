package mantis.sim.client;

/** An episode could not be run to its end: the server failed, refused or did not answer in time. */
public final class SimClientException extends RuntimeException {
  public SimClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
