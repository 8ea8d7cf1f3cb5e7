package mantis.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.Observation;
import mantis.core.PolicyInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The predictor pool against a fake model whose chunks encode the request they answer. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PredictorPoolTest {
  private static final List<String> JOINTS = List.of("shoulder", "elbow", "wrist");
  private static final Frame FRAME = Frame.ofRgb(2, 2, new byte[12]);

  private final List<PredictorPool> pools = new ArrayList<>();
  private ExecutorService callers;

  @AfterEach
  void tearDown() {
    pools.forEach(PredictorPool::close);
    if (callers != null) {
      callers.shutdownNow();
    }
  }

  /**
   * A model whose predictors answer robot r, step s with model version "r:s" and a point at s rad.
   */
  static final class FakeModel implements PolicyModel {
    final List<FakePredictor> predictors = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final AtomicInteger largestBatch = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    volatile long sleepMs;
    volatile CountDownLatch gate; // when set, every batch waits for it

    @Override
    public PolicyInfo info() {
      return new PolicyInfo("fake", "1", JOINTS, 2, 2, 1, null);
    }

    @Override
    public BatchPredictor newPredictor() {
      FakePredictor p = new FakePredictor(this);
      predictors.add(p);
      return p;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  /** Records misuse: use by a second thread, concurrent use, use after close. */
  static final class FakePredictor implements BatchPredictor {
    private final FakeModel model;
    private final AtomicInteger inUse = new AtomicInteger();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final AtomicBoolean closed = new AtomicBoolean();

    FakePredictor(FakeModel model) {
      this.model = model;
    }

    @Override
    public List<ActionChunk> predict(List<Observation> observations, List<List<Mark>> marks) {
      if (inUse.incrementAndGet() != 1) {
        model.violations.add("predictor used by two threads at once");
      }
      try {
        threads.add(Thread.currentThread().getName());
        if (closed.get()) {
          model.violations.add("predictor used after close");
        }
        if (observations.size() != marks.size() || observations.isEmpty()) {
          model.violations.add(
              "batch of "
                  + observations.size()
                  + " observations and "
                  + marks.size()
                  + " mark lists");
        }
        model.largestBatch.accumulateAndGet(observations.size(), Math::max);
        CountDownLatch gate = model.gate;
        if (gate != null) {
          gate.await();
        }
        if (model.sleepMs > 0) {
          Thread.sleep(model.sleepMs);
        }
        List<ActionChunk> out = new ArrayList<>();
        for (Observation o : observations) {
          if (o.robotId().equals("boom")) {
            throw new IllegalArgumentException("cannot predict for robot boom");
          }
          out.add(
              new ActionChunk(
                  JOINTS,
                  List.of(new ActionPoint(new double[] {o.step(), 0, 0}, 1_000_000)),
                  Long.MAX_VALUE,
                  null,
                  null,
                  null,
                  o.robotId() + ":" + o.step(),
                  null));
        }
        return out;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        inUse.decrementAndGet();
      }
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private static Observation obs(String robotId, long step) {
    return new Observation(
        robotId,
        "e",
        step,
        List.of(FRAME),
        "push the red block",
        JointState.ofPositions(JOINTS, new double[3], 0),
        0,
        0);
  }

  private PredictorPool start(PredictorPool.Builder b) {
    PredictorPool pool = b.build();
    pools.add(pool);
    pool.start();
    return pool;
  }

  /**
   * Runs {@code calls} predictions on each of {@code threads} threads, robot "r<thread>", steps 0..
   */
  private List<String> hammer(PredictorPool pool, int threads, int calls) throws Exception {
    callers = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<String>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String robot = "r" + t;
      results.add(
          callers.submit(
              () -> {
                go.await();
                List<String> wrong = new ArrayList<>();
                for (int s = 0; s < calls; s++) {
                  ActionChunk c = pool.predict(obs(robot, s), List.of());
                  if (!c.modelVersion().equals(robot + ":" + s)
                      || c.points().get(0).positionRad(0) != s) {
                    wrong.add(robot + " step " + s + " got " + c.modelVersion());
                  }
                }
                return wrong;
              }));
    }
    go.countDown();
    List<String> wrong = new ArrayList<>();
    for (Future<List<String>> f : results) {
      wrong.addAll(f.get(8, TimeUnit.SECONDS));
    }
    return wrong;
  }

  @Test
  void batchingReturnsEachStreamItsOwnAnswer() throws Exception {
    FakeModel model = new FakeModel();
    PredictorPool pool =
        start(
            PredictorPool.builder()
                .setModel(model)
                .optWorkers(2)
                .optMaxBatch(8)
                .optMaxWait(Duration.ofMillis(1)));
    List<String> wrong = hammer(pool, 16, 200);
    assertEquals(List.of(), wrong);
    assertEquals(16 * 200, pool.requests());
    assertTrue(pool.batches() <= pool.requests());
    assertEquals(List.of(), model.violations);
  }

  @Test
  void batchesFormWhenStreamsArriveTogether() throws Exception {
    FakeModel model = new FakeModel();
    model.sleepMs = 2;
    PredictorPool pool =
        start(PredictorPool.builder().setModel(model).optMaxWait(Duration.ofMillis(5)));
    assertEquals(List.of(), hammer(pool, 8, 20));
    assertEquals(160, pool.requests());
    assertTrue(pool.meanBatchSize() > 1.0, "mean batch " + pool.meanBatchSize());
    long[] histogram = pool.batchSizeHistogram();
    long total = 0;
    long batches = 0;
    for (int k = 0; k < histogram.length; k++) {
      total += k * histogram[k];
      batches += histogram[k];
    }
    assertEquals(pool.requests(), total, "the histogram accounts for every request");
    assertEquals(pool.batches(), batches);
  }

  @Test
  void aBatchNeverExceedsMaxBatch() throws Exception {
    FakeModel model = new FakeModel();
    model.sleepMs = 1;
    PredictorPool pool =
        start(
            PredictorPool.builder()
                .setModel(model)
                .optMaxBatch(3)
                .optMaxWait(Duration.ofMillis(5)));
    assertEquals(List.of(), hammer(pool, 16, 15));
    assertTrue(model.largestBatch.get() <= 3, "largest batch " + model.largestBatch.get());
    assertTrue(model.largestBatch.get() > 1, "16 waiting streams fill batches");
    assertEquals(4, pool.batchSizeHistogram().length);
  }

  @Test
  void withNoWaitAWorkerTakesOnlyWhatIsAlreadyQueued() throws Exception {
    FakeModel model = new FakeModel();
    PredictorPool pool = start(PredictorPool.builder().setModel(model).optMaxWait(Duration.ZERO));
    long t0 = System.nanoTime();
    for (int s = 0; s < 50; s++) {
      assertEquals("solo:" + s, pool.predict(obs("solo", s)).modelVersion());
    }
    assertEquals(50, pool.batches(), "one caller, no waiting: every batch has one request");
    assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
  }

  @Test
  void aLoneStreamNeverWaitsForABatchThatWillNotCome() throws Exception {
    FakeModel model = new FakeModel();
    model.sleepMs = 1;
    PredictorPool pool =
        start(PredictorPool.builder().setModel(model).optMaxWait(Duration.ofMillis(300)));
    pool.predict(obs("solo", 0));
    Thread.sleep(400); // a lone stream: the next call comes long after the previous one
    long t0 = System.nanoTime();
    assertEquals("solo:1", pool.predict(obs("solo", 1)).modelVersion());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(
        ms < 150, "a sparse request was held " + ms + " ms waiting for company (max wait 300 ms)");
  }

  @Test
  void eachWorkerOwnsOnePredictorAndNoPredictorIsSharedBetweenThreads() throws Exception {
    FakeModel model = new FakeModel();
    model.sleepMs = 1;
    PredictorPool pool =
        start(
            PredictorPool.builder()
                .setModel(model)
                .optWorkers(4)
                .optMaxBatch(2)
                .optMaxWait(Duration.ofMillis(1)));
    assertEquals(4, model.predictors.size(), "one predictor per worker, made at start");
    assertEquals(List.of(), hammer(pool, 16, 20));
    assertEquals(List.of(), model.violations);
    Set<String> allThreads = ConcurrentHashMap.newKeySet();
    for (FakePredictor p : model.predictors) {
      assertTrue(p.threads.size() <= 1, "a predictor used by " + p.threads);
      for (String name : p.threads) {
        assertTrue(name.startsWith("mantis-predictor-"), name);
        assertTrue(allThreads.add(name), "two predictors on thread " + name);
      }
    }
    assertTrue(allThreads.size() > 1, "the workers share the load: " + allThreads);
  }

  @Test
  void aPredictorFailureReachesEveryCallerOfTheBatchWithItsCause() throws Exception {
    FakeModel model = new FakeModel();
    PredictorPool pool = start(PredictorPool.builder().setModel(model));
    PredictionException e =
        assertThrows(PredictionException.class, () -> pool.predict(obs("boom", 0)));
    IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
    assertEquals("cannot predict for robot boom", cause.getMessage());
    assertTrue(e.getMessage().contains("cannot predict for robot boom"), e.getMessage());

    // Two callers in one batch: the healthy one fails with the batch.
    model.gate = new CountDownLatch(1);
    callers = Executors.newFixedThreadPool(3);
    Future<?> blocker = callers.submit(() -> pool.predict(obs("first", 0)));
    waitFor(() -> model.largestBatch.get() >= 1 && pool.batches() == 2);
    Future<ActionChunk> healthy = callers.submit(() -> pool.predict(obs("ok", 1)));
    Future<ActionChunk> failing = callers.submit(() -> pool.predict(obs("boom", 1)));
    Thread.sleep(50); // both queued behind the blocked batch
    model.gate.countDown();
    blocker.get(2, TimeUnit.SECONDS);
    var e1 =
        assertThrows(
            java.util.concurrent.ExecutionException.class, () -> failing.get(2, TimeUnit.SECONDS));
    assertInstanceOf(PredictionException.class, e1.getCause());
    if (pool.batches() == 3) { // they shared a batch
      var e2 =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () -> healthy.get(2, TimeUnit.SECONDS));
      assertInstanceOf(IllegalArgumentException.class, e2.getCause().getCause());
    }
    // The pool keeps serving after a failure.
    assertEquals("ok:7", pool.predict(obs("ok", 7)).modelVersion());
  }

  @Test
  void closeFailsWaitingAndNewCallsLetsRunningBatchesFinishAndClosesPredictors() throws Exception {
    FakeModel model = new FakeModel();
    model.gate = new CountDownLatch(1);
    PredictorPool pool = start(PredictorPool.builder().setModel(model).optMaxBatch(1));
    callers = Executors.newFixedThreadPool(3);
    Future<ActionChunk> running = callers.submit(() -> pool.predict(obs("running", 0)));
    waitFor(() -> pool.batches() == 1);
    Future<ActionChunk> waiting = callers.submit(() -> pool.predict(obs("waiting", 0)));
    Thread.sleep(50);
    Future<?> closing = callers.submit(pool::close);

    var e =
        assertThrows(
            java.util.concurrent.ExecutionException.class, () -> waiting.get(2, TimeUnit.SECONDS));
    IllegalStateException closed = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    assertFalse(closing.isDone(), "close waits for the running batch");

    model.gate.countDown();
    assertEquals("running:0", running.get(2, TimeUnit.SECONDS).modelVersion());
    closing.get(2, TimeUnit.SECONDS);
    assertTrue(model.predictors.get(0).closed.get(), "close closes the predictors");
    assertFalse(model.closed.get(), "the model belongs to the caller");
    IllegalStateException after =
        assertThrows(IllegalStateException.class, () -> pool.predict(obs("late", 0)));
    assertEquals("predictor pool is closed", after.getMessage());
    pool.close(); // idempotent
    assertEquals(List.of(), model.violations);
  }

  @Test
  void closeClosesTheModelOnlyWhenAskedTo() {
    FakeModel model = new FakeModel();
    PredictorPool pool =
        start(PredictorPool.builder().setModel(model).optWorkers(2).optCloseModel(true));
    pool.close();
    assertTrue(model.closed.get());
    assertTrue(model.predictors.stream().allMatch(p -> p.closed.get()));
  }

  @Test
  void predictBeforeStartFailsClearly() {
    PredictorPool pool = PredictorPool.builder().setModel(new FakeModel()).build();
    pools.add(pool);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> pool.predict(obs("r", 0)));
    assertTrue(e.getMessage().contains("start()"), e.getMessage());
    assertEquals("fake", pool.info().name());
  }

  @Test
  void theBuilderRejectsBadSettings() {
    assertThrows(IllegalStateException.class, () -> PredictorPool.builder().build());
    FakeModel m = new FakeModel();
    assertThrows(
        IllegalArgumentException.class,
        () -> PredictorPool.builder().setModel(m).optWorkers(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> PredictorPool.builder().setModel(m).optMaxBatch(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> PredictorPool.builder().setModel(m).optMaxWait(Duration.ofMillis(-1)).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> PredictorPool.builder().setModel(m).optMaxWait(null).build());
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 2 s");
      }
      Thread.sleep(1);
    }
  }
}
