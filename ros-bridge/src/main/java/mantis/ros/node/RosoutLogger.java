package mantis.ros.node;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * An SLF4J logger that logs every call to its delegate as usual and, for INFO, WARN and ERROR calls
 * the delegate has enabled, also publishes a {@code rosgraph_msgs/Log} on the node's {@code
 * /rosout} (see {@link RosNode#logger(Class)}). The file, function and line are those of the
 * nearest frame in the owner class (so a helper the owner logs through is skipped), found with a
 * {@link StackWalker} only for the lines that go to /rosout.
 */
final class RosoutLogger extends AbstractLogger {
  private static final long serialVersionUID = 1L;
  private static final StackWalker WALKER = StackWalker.getInstance();

  private final transient Logger delegate;
  private final transient RosNode node;
  private final String owner;

  RosoutLogger(Logger delegate, RosNode node, String owner) {
    this.delegate = delegate;
    this.node = node;
    this.owner = owner;
    this.name = delegate.getName();
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return RosoutLogger.class.getName();
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
    LoggingEventBuilder b = delegate.atLevel(level);
    if (marker != null) {
      b = b.addMarker(marker);
    }
    if (arguments != null) {
      for (Object a : arguments) {
        b = b.addArgument(a);
      }
    }
    if (throwable != null) {
      b = b.setCause(throwable);
    }
    b.log(messagePattern);
    int rosLevel = rosLevel(level);
    if (rosLevel == 0 || !node.publishesRosout()) {
      return;
    }
    String text =
        arguments == null || arguments.length == 0
            ? String.valueOf(messagePattern)
            : MessageFormatter.basicArrayFormat(messagePattern, arguments);
    if (throwable != null) {
      text = text + ": " + throwable;
    }
    Optional<StackWalker.StackFrame> frame =
        WALKER.walk(
            frames ->
                frames
                    .filter(
                        f ->
                            f.getClassName().equals(owner)
                                || f.getClassName().startsWith(owner + "$"))
                    .findFirst());
    node.rosout(
        rosLevel,
        text,
        frame.map(f -> f.getFileName() == null ? "" : f.getFileName()).orElse(""),
        frame.map(f -> f.getClassName() + "." + f.getMethodName()).orElse(""),
        frame.map(f -> Math.max(0, f.getLineNumber())).orElse(0));
  }

  /** The rosgraph_msgs/Log level for an SLF4J level; 0 for the levels that stay off /rosout. */
  static int rosLevel(Level level) {
    return switch (level) {
      case ERROR -> mantis.ros.msg.Log.ERROR;
      case WARN -> mantis.ros.msg.Log.WARN;
      case INFO -> mantis.ros.msg.Log.INFO;
      default -> 0;
    };
  }

  @Override
  public boolean isTraceEnabled() {
    return delegate.isTraceEnabled();
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return delegate.isTraceEnabled(marker);
  }

  @Override
  public boolean isDebugEnabled() {
    return delegate.isDebugEnabled();
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return delegate.isDebugEnabled(marker);
  }

  @Override
  public boolean isInfoEnabled() {
    return delegate.isInfoEnabled();
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return delegate.isInfoEnabled(marker);
  }

  @Override
  public boolean isWarnEnabled() {
    return delegate.isWarnEnabled();
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return delegate.isWarnEnabled(marker);
  }

  @Override
  public boolean isErrorEnabled() {
    return delegate.isErrorEnabled();
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return delegate.isErrorEnabled(marker);
  }
}
