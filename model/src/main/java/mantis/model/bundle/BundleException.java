package mantis.model.bundle;

import java.io.IOException;

/** A model bundle or model card that cannot be used; the message says precisely why. */
public class BundleException extends IOException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
