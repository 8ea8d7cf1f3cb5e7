package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.ActionChunk;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.Trace;
import mantis.model.embodiment.EmbodimentAdapter;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.sim.ExpertEvaluation;
import mantis.sim.ObjectState;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.client.EpisodeListener;
import mantis.sim.client.EpisodeResult;
import mantis.sim.client.FrameFormat;
import mantis.sim.client.SimClient;

/**
 * Closed-loop evaluation of one policy on seeded sim episodes: {@link #served} runs a policy behind
 * its own in-process {@link MantisServer} and drives the episodes through {@code streams}
 * concurrent {@link SimClient}s (robot ids {@code eval-0 .. eval-(streams-1)}); {@link #expert}
 * runs the sim's scripted expert directly (privileged state). Episodes are taken from one shared
 * queue and stored by (family, seed), so the result does not depend on the number of streams. Every
 * sim uses {@link SimConfig#defaults()} with the settings' robot ({@link
 * SimConfig.Builder#optRobot}); the in-process server serves that robot.
 *
 * <p>Grounding: for each reply chunk with traces, {@code traces.get(0)} names the policy's grounded
 * mark. It counts as correct when that mark's centroid lies within {@code max(3 px, half the
 * object's projected side)} of the instruction's object's true centre, projected with the sim's
 * render camera (at the policy's input size) at the object's top-face height, in the state the
 * observed frame shows. Chunks whose true centre projects outside the frame are not counted.
 *
 * <p>Trace-of-Mark error: trace point {@code k >= 1} is the predicted pixel position of the
 * grounded mark {@code k x 0.1 s} after the observation; points with {@code k x 0.1 s <= replan
 * interval} (the part executed before the next observation) are compared with the true object
 * centre projected the same way at that sim time. Points falling after the episode ended are
 * skipped.
 */
final class ClosedLoopEval {
  /** Time between trace points, ns. */
  static final long TRACE_SPACING_NANOS = 100_000_000L;

  /** Smallest grounding tolerance, pixels. */
  static final double MIN_GROUNDING_TOLERANCE_PX = 3.0;

  /**
   * What to run.
   *
   * @param families task families, in report order
   * @param episodes episodes per family
   * @param firstSeed seed of the first episode of every family
   * @param streams concurrent sim clients
   * @param sizePx square frame size sent
   * @param replanS sim seconds each chunk is executed
   * @param robot the arm, a name of {@link RobotModels#names()}
   */
  record Settings(
      List<TaskFamily> families,
      int episodes,
      long firstSeed,
      int streams,
      int sizePx,
      double replanS,
      String robot,
      double ensembleBiasPerS) {
    Settings {
      families = List.copyOf(families);
      if (!Double.isNaN(ensembleBiasPerS) && !(ensembleBiasPerS >= 0)) {
        throw new IllegalArgumentException("the temporal ensemble's bias must be >= 0");
      }
      if (families.isEmpty() || episodes < 1 || streams < 1 || sizePx < 16 || !(replanS > 0)) {
        throw new IllegalArgumentException(
            "need a family, episodes >= 1, streams >= 1, size >= 16 and replan > 0");
      }
      RobotModels.forName(robot);
    }

    /** Without temporal ensembling. */
    Settings(
        List<TaskFamily> families,
        int episodes,
        long firstSeed,
        int streams,
        int sizePx,
        double replanS,
        String robot) {
      this(families, episodes, firstSeed, streams, sizePx, replanS, robot, Double.NaN);
    }

    /** On the planar 3-joint arm. */
    Settings(
        List<TaskFamily> families,
        int episodes,
        long firstSeed,
        int streams,
        int sizePx,
        double replanS) {
      this(families, episodes, firstSeed, streams, sizePx, replanS, RobotModels.PLANAR3);
    }

    /** The simulator configuration of every episode. */
    SimConfig simConfig() {
      return SimConfig.defaults().toBuilder().optRobot(robot).build();
    }

    int total() {
      return families.size() * episodes;
    }
  }

  /**
   * One episode's outcome.
   *
   * @param latenciesNanos call round trips (empty for the expert)
   * @param groundedChunks chunks with traces whose true object was in view
   * @param groundedCorrect of those, how many grounded the instruction's object
   * @param traceErrorsPx pixel errors of the trace points inside the executed window
   */
  record Episode(
      TaskFamily family,
      long seed,
      boolean success,
      long[] latenciesNanos,
      int expiredChunks,
      int groundedChunks,
      int groundedCorrect,
      double[] traceErrorsPx) {}

  /**
   * Every episode of one policy, by family in settings order, seeds ascending; {@code note} says
   * how the policy drove the arm when that is worth reporting (the embodiment-neutral path's
   * counts), else empty.
   */
  record PolicyRun(
      String policy, boolean served, Map<TaskFamily, List<Episode>> byFamily, String note) {
    PolicyRun(String policy, boolean served, Map<TaskFamily, List<Episode>> byFamily) {
      this(policy, served, byFamily, "");
    }
  }

  /** One episode given a stream's own sim and index. */
  private interface EpisodeTask {
    Episode run(TabletopSim sim, int stream, TaskFamily family, long seed);
  }

  private ClosedLoopEval() {}

  /** The scripted expert on the same seeds (no server, no rendering). */
  static PolicyRun expert(Settings s, PrintStream err) {
    return runAll(
        "expert",
        false,
        s,
        err,
        () -> {
          ScriptedExpert expert = new ScriptedExpert();
          return (sim, stream, family, seed) ->
              new Episode(
                  family,
                  seed,
                  ExpertEvaluation.runEpisode(sim, expert, seed, family),
                  new long[0],
                  0,
                  0,
                  0,
                  new double[0]);
        });
  }

  /**
   * {@code policy} served in-process (the server closes it) and driven over gRPC.
   *
   * @throws mantis.sim.client.SimClientException when the server fails an episode
   */
  static PolicyRun served(String label, Policy policy, Settings s, PrintStream err)
      throws IOException, InterruptedException {
    int inputPx = policy.info().inputWidthPx() > 0 ? policy.info().inputWidthPx() : s.sizePx();
    return withServer(
        label,
        policy,
        s,
        channel -> {
          PolicyRun run =
              runAll(
                  label,
                  true,
                  s,
                  err,
                  () ->
                      (sim, stream, family, seed) -> {
                        Probe probe = new Probe(inputPx, s.replanS());
                        EpisodeResult r =
                            client(channel, s, "eval-" + stream, probe)
                                .runEpisode(sim, seed, family);
                        return new Episode(
                            family,
                            seed,
                            r.success(),
                            r.latenciesNanos(),
                            r.expiredChunks(),
                            probe.grounded,
                            probe.correct,
                            probe.errors.stream().mapToDouble(Double::doubleValue).toArray());
                      });
          return new PolicyRun(run.policy(), run.served(), run.byFamily(), note(policy));
        });
  }

  /** Work done with a channel to an in-process server. */
  interface ChannelTask<R> {
    R run(ManagedChannel channel) throws IOException, InterruptedException;
  }

  /**
   * Serves {@code policy} in-process (the server closes it) for as long as {@code task} runs, on a
   * server configured for {@code s.streams()} concurrent streams over one connection.
   */
  static <R> R withServer(String label, Policy policy, Settings s, ChannelTask<R> task)
      throws IOException, InterruptedException {
    MantisConfig cfg = MantisConfig.defaults().withMetricsPort(-1);
    MantisConfig.AdmissionConfig a = cfg.admission();
    if (s.streams() > a.maxControlStreamsPerConnection()) {
      // All sim clients share one in-process connection: let it carry every stream.
      int max = Math.max(a.maxControlStreams(), s.streams());
      cfg =
          cfg.withAdmission(
              a.toBuilder()
                  .optControlStreams(max, s.streams(), max)
                  .optMaxRobots(Math.max(a.maxRobots(), max))
                  .build());
    }
    String name = "mantis-eval-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    try (MantisServer server =
        ServerFactory.build(
            cfg,
            InProcessServerBuilder.forName(name),
            policy,
            MonotonicClock.system(),
            RobotModels.forName(s.robot()).spec())) {
      server.start();
      if (!server.awaitServing(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the server for policy " + label + " did not warm up");
      }
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      try {
        return task.run(channel);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The sim client the evaluation drives each episode with. */
  static SimClient client(ManagedChannel channel, Settings s, String robotId, EpisodeListener l) {
    SimClient.Builder b =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(s.sizePx(), s.sizePx())
            .optFrameFormat(FrameFormat.RAW_RGB8)
            .optReplanIntervalS(s.replanS())
            .optCallTimeout(Duration.ofSeconds(30))
            .optRobotId(robotId)
            .optListener(l);
    if (!Double.isNaN(s.ensembleBiasPerS())) {
      b.optTemporalEnsemble(s.ensembleBiasPerS());
    }
    return b.build();
  }

  /** The embodiment-neutral path's counts when {@code policy} went through it, else empty. */
  static String note(Policy policy) {
    if (policy instanceof EmbodimentAdapter a) {
      EmbodimentAdapter.PathCounts c = a.counts();
      return String.format(
          Locale.ROOT,
          "embodiment-neutral path (%s -> %s): %d chunks, %d (%.1f%%) from the effector trace, %d"
              + " (%.1f%%) from the fallback (the policy's %s joint targets); %d effector-trace points"
              + " out of the arm's reach mapped by the fallback, %d points unreached by both",
          a.source().name(),
          a.target().name(),
          c.chunks(),
          c.effectorTraceChunks(),
          c.chunks() == 0 ? 0.0 : 100.0 * c.effectorTraceChunks() / c.chunks(),
          c.fallbackChunks(),
          c.chunks() == 0 ? 0.0 : 100.0 * c.fallbackChunks() / c.chunks(),
          a.source().name(),
          c.effectorPointsFellBack(),
          c.unreachedPoints());
    }
    return "";
  }

  private static PolicyRun runAll(
      String label, boolean served, Settings s, PrintStream err, Supplier<EpisodeTask> perStream) {
    int n = s.total();
    Episode[] results = new Episode[n];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    StepProgress progress = new StepProgress(err, 0, n, "episodes");
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            s.streams(),
            r -> {
              Thread t = new Thread(r, "eval-" + label + "-" + threads.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < s.streams(); i++) {
        int stream = i;
        futures.add(
            pool.submit(
                () -> {
                  TabletopSim sim = TabletopSim.create(s.simConfig());
                  EpisodeTask task = perStream.get();
                  for (int j = next.getAndIncrement(); j < n; j = next.getAndIncrement()) {
                    TaskFamily family = s.families().get(j / s.episodes());
                    Episode e = task.run(sim, stream, family, s.firstSeed() + j % s.episodes());
                    results[j] = e;
                    int good = e.success() ? ok.incrementAndGet() : ok.get();
                    int d = done.incrementAndGet();
                    progress.update(
                        d, String.format(Locale.ROOT, "%s: %d/%d succeeded", label, good, d));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          next.set(n);
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    } finally {
      progress.finish();
      pool.shutdownNow();
    }
    Map<TaskFamily, List<Episode>> byFamily = new LinkedHashMap<>();
    for (int j = 0; j < n; j++) {
      byFamily.computeIfAbsent(results[j].family(), f -> new ArrayList<>()).add(results[j]);
    }
    return new PolicyRun(label, served, byFamily);
  }

  /**
   * The true centre of {@code o} in the current frame at {@code sizePx}, at its top-face height.
   */
  static Optional<PixelPoint> trueCentre(TabletopSim sim, ObjectState o, int sizePx) {
    CameraModel cam = sim.renderCamera(sizePx, sizePx);
    return cam.project(new Vec3(o.xM(), o.yM(), o.heightM()))
        .filter(
            p -> p.xPx() >= 0 && p.yPx() >= 0 && p.xPx() <= sizePx - 1 && p.yPx() <= sizePx - 1);
  }

  /**
   * How far a grounded mark may lie from the true centre: max(3 px, half the object's projected
   * side).
   */
  static double groundingTolerancePx(TabletopSim sim, ObjectState o, int sizePx) {
    CameraModel cam = sim.renderCamera(sizePx, sizePx);
    Optional<PixelPoint> a = cam.project(new Vec3(o.xM() - o.halfSizeM(), o.yM(), o.heightM()));
    Optional<PixelPoint> b = cam.project(new Vec3(o.xM() + o.halfSizeM(), o.yM(), o.heightM()));
    double half = a.isPresent() && b.isPresent() ? distance(a.get(), b.get()) / 2 : 0;
    return Math.max(MIN_GROUNDING_TOLERANCE_PX, half);
  }

  static double distance(PixelPoint a, PixelPoint b) {
    return Math.hypot(a.xPx() - b.xPx(), a.yPx() - b.yPx());
  }

  /**
   * Watches one episode: grounding of every traced chunk and trace errors inside the executed
   * window.
   */
  private static final class Probe implements EpisodeListener {
    private final int inputPx;
    private final double replanS;
    private final List<Long> dueNanos = new ArrayList<>();
    private final List<PixelPoint> predicted = new ArrayList<>();
    private final List<Double> errors = new ArrayList<>();
    private int grounded;
    private int correct;

    Probe(int inputPx, double replanS) {
      this.inputPx = inputPx;
      this.replanS = replanS;
    }

    @Override
    public void onReply(TabletopSim sim, long step, Frame frame, ActionChunk chunk) {
      settle(sim);
      dueNanos.clear();
      predicted.clear();
      if (chunk.traces().isEmpty()) {
        return;
      }
      Trace trace = chunk.traces().get(0);
      ObjectState object = sim.groundTruth().taskObject();
      Optional<PixelPoint> truth = trueCentre(sim, object, inputPx);
      if (truth.isPresent()) {
        grounded++;
        Mark mark =
            chunk.marks().stream().filter(m -> m.id() == trace.markId()).findFirst().orElse(null);
        if (mark != null
            && distance(mark.centroid(), truth.get())
                <= groundingTolerancePx(sim, object, inputPx)) {
          correct++;
        }
      }
      long now = sim.timeNanos();
      for (int k = 1;
          k < trace.points().size() && k * TRACE_SPACING_NANOS <= replanS * 1e9 + 1e3;
          k++) {
        dueNanos.add(now + k * TRACE_SPACING_NANOS);
        predicted.add(trace.points().get(k));
      }
    }

    @Override
    public void onStep(TabletopSim sim, double[] jointTargetsRad, boolean holding) {
      settle(sim);
    }

    @Override
    public void onEnd(TabletopSim sim, EpisodeResult result) {
      settle(sim);
      dueNanos.clear();
      predicted.clear();
    }

    /** Scores the trace points due at the sim's current time (within half a physics step). */
    private void settle(TabletopSim sim) {
      if (dueNanos.isEmpty()) {
        return;
      }
      long now = sim.timeNanos();
      long halfStep = Math.round(0.5e9 / sim.config().physicsHz());
      Iterator<Long> due = dueNanos.iterator();
      Iterator<PixelPoint> p = predicted.iterator();
      while (due.hasNext()) {
        long t = due.next();
        PixelPoint q = p.next();
        if (t <= now + halfStep) {
          trueCentre(sim, sim.groundTruth().taskObject(), inputPx)
              .ifPresent(c -> errors.add(distance(q, c)));
          due.remove();
          p.remove();
        }
      }
    }
  }
}
