package mantis.core.safety;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import mantis.core.LogLimiter;
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
 *
 * <p>The timeout may change while the watchdog runs ({@link #setTimeoutNanos}), e.g. to one control
 * period plus the allowed silence once a client's period is known. Each hold is logged through a
 * {@link LogLimiter} (by default one of its own, 10 s interval): the first hold at WARN, then at
 * most one line per interval with the count of holds since, so a client that keeps timing out
 * cannot flood the log.
 */
public final class Watchdog implements AutoCloseable {
  /** The default timeout: 100 ms. */
  public static final long DEFAULT_TIMEOUT_NANOS = 100_000_000L;

  private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
  private static final long MIN_RECHECK_NANOS = 500_000L;

  private final MonotonicClock clock;
  private final Runnable onHold;
  private final ScheduledExecutorService givenScheduler;
  private final LogLimiter logLimiter;

  // Guarded by this.
  private boolean armed;
  private boolean fired;
  private boolean started;
  private boolean closed;
  private long lastFeedNanos;
  private long holds;
  private long timeoutNanos;

  /** Identifies the current chain of scheduled checks; a check of an older chain stops. */
  private long chain;

  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> pending;

  private Watchdog(Builder b) {
    this.timeoutNanos = b.timeoutNanos;
    this.clock = b.clock;
    this.onHold = b.onHold;
    this.givenScheduler = b.scheduler;
    this.logLimiter =
        b.logLimiter != null
            ? b.logLimiter
            : LogLimiter.create(log, b.clock, LogLimiter.DEFAULT_INTERVAL_NANOS);
  }

  /** A builder; {@link Builder#setClock} and {@link Builder#setOnHold} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The silence after which a hold is commanded, ns. */
  public synchronized long timeoutNanos() {
    return timeoutNanos;
  }

  /**
   * Changes the silence after which a hold is commanded, ns, from now on; the current silence is
   * measured against the new timeout. A shorter timeout reschedules the next check.
   *
   * @throws IllegalArgumentException when not in (0, 1 h]
   */
  public void setTimeoutNanos(long nanos) {
    checkTimeout(nanos);
    synchronized (this) {
      long old = timeoutNanos;
      timeoutNanos = nanos;
      if (nanos < old && started && !closed && scheduler != null) {
        if (pending != null) {
          pending.cancel(false);
        }
        long c = ++chain;
        long delay =
            armed && !fired ? lastFeedNanos + timeoutNanos - clock.nanoTime() : timeoutNanos;
        try {
          pending = scheduler.schedule(() -> check(c), Math.max(0, delay), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          log.debug("Watchdog scheduler shut down; checks stopped");
        }
      }
    }
  }

  private static void checkTimeout(long timeoutNanos) {
    if (timeoutNanos <= 0 || timeoutNanos > 3_600_000_000_000L) {
      throw new IllegalArgumentException(
          "watchdog timeout must be in (0, 1 h], got " + timeoutNanos + " ns");
    }
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
      scheduler =
          givenScheduler != null
              ? givenScheduler
              : Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "mantis-watchdog");
                    t.setDaemon(true);
                    return t;
                  });
      long c = ++chain;
      pending = scheduler.schedule(() -> check(c), timeoutNanos, TimeUnit.NANOSECONDS);
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
    long silenceNanos;
    synchronized (this) {
      silenceNanos = clock.nanoTime() - lastFeedNanos;
      if (closed || !armed || fired || silenceNanos < timeoutNanos) {
        return false;
      }
      fired = true;
      holds++;
    }
    logLimiter.warn(
        "watchdog-hold", "No fresh command for {} ms: commanding hold", silenceNanos / 1_000_000.0);
    try {
      onHold.run();
    } catch (RuntimeException e) {
      logLimiter.error("watchdog-callback", "Watchdog hold callback failed: {}", e.toString());
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

  /** Scheduler task of chain {@code c}: poll, then run again at the next deadline. */
  private void check(long c) {
    synchronized (this) {
      if (closed || c != chain) {
        return;
      }
    }
    poll();
    synchronized (this) {
      if (closed || c != chain) {
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
        pending = scheduler.schedule(() -> check(c), delay, TimeUnit.NANOSECONDS);
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
    private LogLimiter logLimiter;

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
     * Where holds are logged: a limiter shared with other watchdogs (a server's streams share one,
     * so all of them together log at most one line per interval); default one of its own with a 10
     * s interval.
     */
    public Builder optLogLimiter(LogLimiter logLimiter) {
      this.logLimiter = logLimiter;
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
      checkTimeout(timeoutNanos);
      return new Watchdog(this);
    }
  }
}
