package mantis.core.safety;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands a hold when fresh commands stop arriving (invariant 4 of {@code DESIGN.md}).
 *
 * <p>Call {@link #feed()} for every fresh command. When {@code timeout} passes without a feed, the
 * {@code onHold} callback runs once; it runs again only after a feed followed by another silence.
 * The silence is measured from the last feed, or from {@link #start()} / the first feed when there
 * was none (an unarmed watchdog, never started nor fed, never fires).
 *
 * <p>{@link #poll()} checks the clock now and fires if due, so tests drive it with a {@link
 * mantis.core.FakeClock} and no thread. {@link #start()} additionally runs {@code poll()} on a
 * scheduler, timed to the deadline, so the hold fires within the timeout plus scheduling jitter.
 * Thread-safe. Constructors start nothing; {@link #close()} stops the checks.
 */
public final class Watchdog implements AutoCloseable {
  /** The default timeout: 100 ms. */
  public static final long DEFAULT_TIMEOUT_NANOS = 100_000_000L;

  private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
  private static final long MIN_RECHECK_NANOS = 500_000L;

  private final long timeoutNanos;
  private final MonotonicClock clock;
  private final Runnable onHold;
  private final ScheduledExecutorService givenScheduler;

  // Guarded by this.
  private boolean armed;
  private boolean fired;
  private boolean started;
  private boolean closed;
  private long lastFeedNanos;
  private long holds;
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> pending;

  private Watchdog(Builder b) {
    this.timeoutNanos = b.timeoutNanos;
    this.clock = b.clock;
    this.onHold = b.onHold;
    this.givenScheduler = b.scheduler;
  }

  /** A builder; {@link Builder#setClock} and {@link Builder#setOnHold} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The silence after which a hold is commanded, ns. */
  public long timeoutNanos() {
    return timeoutNanos;
  }

  /**
   * Arms the watchdog (the silence counts from now) and starts checking on the scheduler: the one
   * given to the builder, or a private daemon thread otherwise.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start() {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("watchdog is closed");
      }
      if (started) {
        throw new IllegalStateException("watchdog already started");
      }
      started = true;
      if (!armed) {
        armed = true;
        fired = false;
        lastFeedNanos = clock.nanoTime();
      }
      scheduler = givenScheduler != null ? givenScheduler : Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mantis-watchdog");
        t.setDaemon(true);
        return t;
      });
      pending = scheduler.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Records a fresh command: the silence starts again and the next silence may fire again. */
  public synchronized void feed() {
    armed = true;
    fired = false;
    lastFeedNanos = clock.nanoTime();
  }

  /**
   * Checks the clock now: if the watchdog is armed, the timeout has passed since the last feed and
   * this silence has not fired yet, runs {@code onHold} (on the calling thread) and returns true.
   */
  public boolean poll() {
    synchronized (this) {
      if (closed || !armed || fired || clock.nanoTime() - lastFeedNanos < timeoutNanos) {
        return false;
      }
      fired = true;
      holds++;
    }
    log.warn("No fresh command for {} ms: commanding hold", timeoutNanos / 1_000_000.0);
    try {
      onHold.run();
    } catch (RuntimeException e) {
      log.error("Watchdog hold callback failed", e);
    }
    return true;
  }

  /** True while a silence has fired and no feed has come since. */
  public synchronized boolean isHolding() {
    return fired;
  }

  /** How many holds this watchdog has commanded. */
  public synchronized long holdCount() {
    return holds;
  }

  /** Stops the checks; shuts down the scheduler only if the watchdog created it. Idempotent. */
  @Override
  public void close() {
    ScheduledExecutorService own = null;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (pending != null) {
        pending.cancel(false);
      }
      if (scheduler != null && scheduler != givenScheduler) {
        own = scheduler;
      }
    }
    if (own != null) {
      own.shutdownNow();
    }
  }

  /** Scheduler task: poll, then run again at the next deadline. */
  private void check() {
    poll();
    synchronized (this) {
      if (closed) {
        return;
      }
      long delay;
      if (armed && !fired) {
        delay = lastFeedNanos + timeoutNanos - clock.nanoTime();
      } else {
        delay = timeoutNanos / 4;
      }
      delay = Math.max(MIN_RECHECK_NANOS, Math.min(delay, timeoutNanos));
      try {
        pending = scheduler.schedule(this::check, delay, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.debug("Watchdog scheduler shut down; checks stopped");
      }
    }
  }

  /** Builds a {@link Watchdog}; validates in {@link #build()}. */
  public static final class Builder {
    private long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
    private MonotonicClock clock;
    private Runnable onHold;
    private ScheduledExecutorService scheduler;

    private Builder() {}

    /** The silence after which a hold is commanded, ns; default 100 ms. */
    public Builder setTimeoutNanos(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
      return this;
    }

    /** The clock the silence is measured with. Required. */
    public Builder setClock(MonotonicClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** What to run once per silence: tell the arm to hold. Required; should be quick. */
    public Builder setOnHold(Runnable onHold) {
      this.onHold = Objects.requireNonNull(onHold, "onHold");
      return this;
    }

    /**
     * Scheduler for {@link Watchdog#start()}; null or unset means a private daemon thread. A given
     * scheduler is not shut down by {@link Watchdog#close()}.
     */
    public Builder optScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Builds the watchdog; starts nothing.
     *
     * @throws IllegalStateException when the clock or the hold callback is missing
     * @throws IllegalArgumentException when the timeout is not in (0, 1 h]
     */
    public Watchdog build() {
      if (clock == null) {
        throw new IllegalStateException("setClock is required");
      }
      if (onHold == null) {
        throw new IllegalStateException("setOnHold is required");
      }
      if (timeoutNanos <= 0 || timeoutNanos > 3_600_000_000_000L) {
        throw new IllegalArgumentException("watchdog timeout must be in (0, 1 h], got " + timeoutNanos + " ns");
      }
      return new Watchdog(this);
    }
  }
}
