package mantis.server;

/** A request failed validation; the message is the precise description sent as INVALID_ARGUMENT. */
final class InvalidInputException extends Exception {
  InvalidInputException(String message) {
    super(message, null, false, false);
  }
}
