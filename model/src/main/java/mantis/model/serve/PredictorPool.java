package mantis.model.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import mantis.core.ActionChunk;
import mantis.core.Mark;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Policy} that serves many concurrent streams with a few {@link BatchPredictor}s by
 * dynamic batching.
 *
 * <p>Each call to {@link #predict(Observation, List)} enqueues a request and blocks until its own
 * chunk comes back. Each of the {@code workers} threads (daemon, named {@code mantis-predictor-N})
 * owns one predictor, made by {@link PolicyModel#newPredictor()} in {@link #start()}, and is the
 * only thread that ever uses it. A worker takes the oldest waiting request, then collects more
 * until it has {@code maxBatch} of them or {@code maxWait} has passed since it took the first (with
 * {@code maxWait} zero it only takes requests that are already waiting and never waits), runs its
 * predictor once on the batch and hands every request the chunk at its own index. If the predictor
 * throws, or answers with the wrong number of chunks, every request of that batch fails with a
 * {@link PredictionException} whose cause is the predictor's exception.
 *
 * <p>The wait is adaptive: a worker waits for more requests only when the request it took arrived
 * less than {@code maxWait} after the one before it (traffic dense enough that another is likely to
 * come). A lone stream therefore never pays the wait; concurrent streams are batched.
 *
 * <p>Lifecycle: the constructor starts nothing; {@link #start()} makes the predictors and starts
 * the workers; {@link #close()} refuses new calls, fails the requests still waiting in the queue
 * with an {@link IllegalStateException}, lets batches already running finish, stops the workers and
 * closes their predictors. Calling {@link #predict} before {@code start()} or after {@code close()}
 * throws {@link IllegalStateException}. The model belongs to the caller and is not closed by {@code
 * close()}, unless the builder was given {@link Builder#optCloseModel(boolean)
 * optCloseModel(true)}.
 *
 * <p>{@link #batches()}, {@link #requests()} and {@link #batchSizeHistogram()} count what the
 * workers ran, for benchmarks (mean batch size = requests / batches). Thread-safe.
 */
public final class PredictorPool implements Policy {
  /**
   * The default number of workers: {@value}, as {@link
   * mantis.core.spi.PolicyRequest.Serving#DEFAULT}.
   */
  public static final int DEFAULT_WORKERS = mantis.core.spi.PolicyRequest.Serving.DEFAULT_WORKERS;

  /**
   * The default largest batch: {@value}, as {@link mantis.core.spi.PolicyRequest.Serving#DEFAULT}.
   */
  public static final int DEFAULT_MAX_BATCH =
      mantis.core.spi.PolicyRequest.Serving.DEFAULT_MAX_BATCH;

  /**
   * The default time a worker waits to fill a batch after taking its first request, as the serving
   * default.
   */
  public static final Duration DEFAULT_MAX_WAIT =
      Duration.ofNanos(mantis.core.spi.PolicyRequest.Serving.DEFAULT_MAX_WAIT_MICROS * 1000);

  private static final Logger log = LoggerFactory.getLogger(PredictorPool.class);

  /**
   * A predictor that fails fails every batch: one line per 10 s, with the count, not one per batch.
   */
  private final mantis.core.LogLimiter failures =
      mantis.core.LogLimiter.create(
          log, mantis.core.MonotonicClock.system(), mantis.core.LogLimiter.DEFAULT_INTERVAL_NANOS);

  private static final long JOIN_TIMEOUT_MS = 10_000;

  /** Tells one worker to stop. */
  private static final Request STOP = new Request(null, null);

  private final PolicyModel model;
  private final int workerCount;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final boolean closeModel;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLongArray histogram;

  // Guarded by this.
  private State state = State.NEW;
  private long lastArrivalNanos = Long.MIN_VALUE / 2;
  private final List<Thread> threads = new ArrayList<>();

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  /**
   * One call waiting for its chunk; {@code gapNanos} is the time since the request before it
   * arrived.
   */
  private record Request(
      Observation observation,
      List<Mark> marks,
      CompletableFuture<ActionChunk> answer,
      long gapNanos) {
    Request(Observation observation, List<Mark> marks) {
      this(observation, marks, new CompletableFuture<>(), Long.MAX_VALUE);
    }
  }

  private PredictorPool(Builder b) {
    this.model = b.model;
    this.workerCount = b.workers;
    this.maxBatch = b.maxBatch;
    this.maxWaitNanos = b.maxWait.toNanos();
    this.closeModel = b.closeModel;
    this.histogram = new AtomicLongArray(maxBatch + 1);
  }

  /** A builder; {@link Builder#setModel} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Makes one predictor per worker and starts the workers. If the model fails to make a predictor,
   * the ones already made are closed, the pool is closed and the model's exception is rethrown.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start() {
    synchronized (this) {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "predictor pool " + (state == State.CLOSED ? "is closed" : "already started"));
      }
      List<BatchPredictor> predictors = new ArrayList<>();
      try {
        for (int i = 0; i < workerCount; i++) {
          predictors.add(
              Objects.requireNonNull(model.newPredictor(), "model returned no predictor"));
        }
      } catch (RuntimeException e) {
        state = State.CLOSED;
        predictors.forEach(PredictorPool::closeQuietly);
        throw e;
      }
      for (int i = 0; i < workerCount; i++) {
        BatchPredictor predictor = predictors.get(i);
        Thread t = new Thread(() -> work(predictor), "mantis-predictor-" + i);
        t.setDaemon(true);
        threads.add(t);
      }
      state = State.RUNNING;
      threads.forEach(Thread::start);
    }
    log.info(
        "Predictor pool started: model {}, {} worker(s), batches of up to {}, wait up to {} ms",
        model.info().name(),
        workerCount,
        maxBatch,
        maxWaitNanos / 1e6);
  }

  @Override
  public PolicyInfo info() {
    return model.info();
  }

  @Override
  public ActionChunk predict(Observation observation) {
    return predict(observation, List.of());
  }

  /**
   * Queues the observation for the next batch and waits for its chunk.
   *
   * @throws IllegalStateException before {@link #start()}, after {@link #close()}, when the pool
   *     closes while the request waits in the queue, or when the calling thread is interrupted
   * @throws PredictionException when the predictor failed on the batch
   */
  @Override
  public ActionChunk predict(Observation observation, List<Mark> marks) {
    Objects.requireNonNull(observation, "observation");
    List<Mark> markCopy = marks == null ? List.of() : List.copyOf(marks);
    Request request;
    synchronized (this) {
      long now = System.nanoTime();
      request =
          new Request(observation, markCopy, new CompletableFuture<>(), now - lastArrivalNanos);
      lastArrivalNanos = now;
      if (state != State.RUNNING) {
        throw new IllegalStateException(
            state == State.NEW
                ? "predictor pool not started: call start() before predict()"
                : "predictor pool is closed");
      }
      queue.add(request);
    }
    try {
      return request.answer.get();
    } catch (InterruptedException e) {
      request.answer.cancel(false);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a prediction", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalStateException closed && closed.getCause() == null) {
        throw new IllegalStateException(closed.getMessage(), e); // keep this thread's stack
      }
      if (cause instanceof PredictionException p) {
        throw new PredictionException(p.getMessage(), p.getCause());
      }
      throw new PredictionException("prediction failed: " + cause, cause);
    }
  }

  /** Batches the workers have run. */
  public long batches() {
    return batches.get();
  }

  /** Requests the workers have run (answered or failed by the predictor). */
  public long requests() {
    return requests.get();
  }

  /** Mean batch size so far; 0 before the first batch. */
  public double meanBatchSize() {
    long b = batches.get();
    return b == 0 ? 0 : (double) requests.get() / b;
  }

  /**
   * {@code histogram[k]} = number of batches of size k, for k in [0, maxBatch] (index 0 stays 0).
   */
  public long[] batchSizeHistogram() {
    long[] out = new long[histogram.length()];
    for (int k = 0; k < out.length; k++) {
      out[k] = histogram.get(k);
    }
    return out;
  }

  /** The largest batch a worker runs. */
  public int maxBatch() {
    return maxBatch;
  }

  /** The number of workers (and predictors). */
  public int workers() {
    return workerCount;
  }

  /**
   * Refuses new calls, fails the requests still queued with an {@link IllegalStateException}, lets
   * the batches already running finish, stops the workers (waiting up to 10 s for them) and closes
   * their predictors; closes the model only when built with {@code optCloseModel(true)}.
   * Idempotent.
   */
  @Override
  public void close() {
    List<Thread> toJoin;
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      boolean wasRunning = state == State.RUNNING;
      state = State.CLOSED;
      toJoin = List.copyOf(threads);
      List<Request> pending = new ArrayList<>();
      queue.drainTo(pending);
      for (Request r : pending) {
        r.answer.completeExceptionally(
            new IllegalStateException("predictor pool closed before this request ran"));
      }
      if (wasRunning) {
        for (int i = 0; i < toJoin.size(); i++) {
          queue.add(STOP);
        }
      }
    }
    for (Thread t : toJoin) {
      try {
        t.join(JOIN_TIMEOUT_MS);
        if (t.isAlive()) {
          log.warn(
              "{} still running {} ms after close; it closes its predictor when its batch ends",
              t.getName(),
              JOIN_TIMEOUT_MS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (closeModel) {
      model.close();
    }
    log.info("Predictor pool closed after {} batches, {} requests", batches.get(), requests.get());
  }

  /**
   * A worker: batches requests for its own predictor until told to stop, then closes the predictor.
   */
  private void work(BatchPredictor predictor) {
    try {
      List<Request> batch = new ArrayList<>(maxBatch);
      boolean stop = false;
      while (!stop) {
        batch.clear();
        Request first = queue.take();
        if (first == STOP) {
          break;
        }
        if (!first.answer.isDone()) {
          batch.add(first);
        }
        long deadline = System.nanoTime() + maxWaitNanos;
        boolean dense = first.gapNanos() < maxWaitNanos;
        while (batch.size() < maxBatch) {
          long remaining = deadline - System.nanoTime();
          Request next =
              maxWaitNanos == 0 || remaining <= 0 || !dense
                  ? queue.poll()
                  : queue.poll(remaining, TimeUnit.NANOSECONDS);
          if (next == null) {
            break;
          }
          if (next == STOP) {
            stop = true; // this worker's stop: finish the batch first
            break;
          }
          if (!next.answer.isDone()) {
            batch.add(next);
          }
        }
        if (!batch.isEmpty()) {
          run(predictor, batch);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("{} interrupted; stopping", Thread.currentThread().getName());
    } finally {
      closeQuietly(predictor);
    }
  }

  /** Runs one batch and completes every request of it. */
  private void run(BatchPredictor predictor, List<Request> batch) {
    int n = batch.size();
    List<Observation> observations = new ArrayList<>(n);
    List<List<Mark>> marks = new ArrayList<>(n);
    for (Request r : batch) {
      observations.add(r.observation);
      marks.add(r.marks);
    }
    batches.incrementAndGet();
    requests.addAndGet(n);
    histogram.incrementAndGet(n);
    List<ActionChunk> chunks;
    try {
      chunks = predictor.predict(List.copyOf(observations), List.copyOf(marks));
    } catch (RuntimeException | Error e) {
      failures.warn("batch-failed", "predictor failed on a batch of {}", n, e);
      PredictionException failure =
          new PredictionException(
              "predictor failed on a batch of "
                  + n
                  + ": "
                  + e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage()),
              e);
      batch.forEach(r -> r.answer.completeExceptionally(failure));
      return;
    }
    if (chunks == null || chunks.size() != n) {
      PredictionException failure =
          new PredictionException(
              "predictor returned "
                  + (chunks == null ? "no list" : chunks.size() + " chunks")
                  + " for "
                  + n
                  + " observations",
              null);
      batch.forEach(r -> r.answer.completeExceptionally(failure));
      return;
    }
    for (int i = 0; i < n; i++) {
      ActionChunk c = chunks.get(i);
      if (c == null) {
        batch
            .get(i)
            .answer
            .completeExceptionally(
                new PredictionException(
                    "predictor returned no chunk for observation " + i + " of " + n, null));
      } else {
        batch.get(i).answer.complete(c);
      }
    }
  }

  private static void closeQuietly(BatchPredictor predictor) {
    try {
      predictor.close();
    } catch (RuntimeException e) {
      log.warn("closing a predictor failed", e);
    }
  }

  /**
   * Builds a {@link PredictorPool}; {@code set*} required, {@code opt*} optional, validated in
   * {@link #build()}.
   */
  public static final class Builder {
    private PolicyModel model;
    private int workers = DEFAULT_WORKERS;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private Duration maxWait = DEFAULT_MAX_WAIT;
    private boolean closeModel;

    private Builder() {}

    /**
     * The model whose predictors the workers run. Required; owned by the caller unless {@link
     * #optCloseModel}.
     */
    public Builder setModel(PolicyModel model) {
      this.model = model;
      return this;
    }

    /**
     * Number of worker threads, each with its own predictor; default {@value
     * PredictorPool#DEFAULT_WORKERS}, at most 256.
     */
    public Builder optWorkers(int workers) {
      this.workers = workers;
      return this;
    }

    /**
     * Largest batch a worker runs; default {@value PredictorPool#DEFAULT_MAX_BATCH}, at most 4096.
     */
    public Builder optMaxBatch(int maxBatch) {
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * How long a worker waits for more requests after taking the first of a batch; default {@link
     * PredictorPool#DEFAULT_MAX_WAIT} (2 ms), at most 1 s. Zero: never wait, take only the requests
     * already queued.
     */
    public Builder optMaxWait(Duration maxWait) {
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Whether {@link PredictorPool#close()} also closes the model; default false (the caller owns
     * it).
     */
    public Builder optCloseModel(boolean closeModel) {
      this.closeModel = closeModel;
      return this;
    }

    /**
     * Builds the pool; starts nothing.
     *
     * @throws IllegalStateException when the model is missing
     * @throws IllegalArgumentException when a number is out of range
     */
    public PredictorPool build() {
      if (model == null) {
        throw new IllegalStateException("setModel is required");
      }
      if (workers < 1 || workers > 256) {
        throw new IllegalArgumentException("workers must be in [1, 256], got " + workers);
      }
      if (maxBatch < 1 || maxBatch > 4096) {
        throw new IllegalArgumentException("max batch must be in [1, 4096], got " + maxBatch);
      }
      if (maxWait == null || maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("max wait must be in [0, 1 s], got " + maxWait);
      }
      return new PredictorPool(this);
    }
  }
}
