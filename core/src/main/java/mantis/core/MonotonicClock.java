package mantis.core;

/** A monotonic clock in nanoseconds. Pass one in wherever time matters so tests can use a fake. */
@FunctionalInterface
public interface MonotonicClock {
  long nanoTime();

  /** The JVM's {@link System#nanoTime()}. */
  static MonotonicClock system() {
    return System::nanoTime;
  }
}
