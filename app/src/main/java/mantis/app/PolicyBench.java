package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.spi.PolicyRequest;
import mantis.latent.bench.LatentBenchResult;
import mantis.latent.bench.LatentBenchmark;
import mantis.marks.MarkProposer;
import mantis.model.embodiment.EmbodimentAdapter;
import mantis.model.policy.MantisPolicyModel;
import mantis.model.serve.BatchPredictor;
import mantis.model.serve.LearnedPolicies;
import mantis.model.serve.PredictorPool;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.server.policy.Policies;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;

/**
 * The learned policy's serving speed, as rows for {@code mantis bench} (issue 5, point 7): the full
 * Predict path (decode, marks, policy through the {@link PredictorPool}, safety) over loopback TCP
 * at several numbers of concurrent closed-loop client streams, then the policy's batched forward
 * pass alone next to the fp32 matrix-product peak measured in the same process.
 *
 * <p>Frames: 128x128 renders of 16 mid-episode sim scenes (domain randomisation, seeds 3000..3015,
 * all task families) with their instructions and joint states, cycled, so marks and instructions
 * vary from call to call.
 */
final class PolicyBench {
  /** The size of the frames sent, pixels. */
  static final int FRAME_PX = 128;

  static final double ONE_STREAM_P50_GOAL_MS = 10;
  static final double ONE_STREAM_P99_GOAL_MS = 20;
  static final int THROUGHPUT_GOAL_STREAMS = 8;
  static final double THROUGHPUT_GOAL_PER_S = 200;
  static final double PEAK_GOAL_PERCENT = 30;

  /** Stages of the server's chunk timings shown in the split, in order. */
  static final List<String> STAGES =
      List.of("decode", "marks", "policy", "policy.forward", "safety", "total");

  /** The split's last entry: round trip minus the server's total (gRPC, network, client). */
  static final String OUTSIDE = "outside server";

  private static final long CALL_DEADLINE_S = 10;

  /**
   * What to run.
   *
   * @param bundle the policy bundle directory
   * @param serving predictor workers, largest batch and batching wait of the served policy
   * @param streams numbers of concurrent client streams, one measure each
   * @param warmupSeconds unmeasured closed-loop calls first, at each number of streams
   * @param seconds measured closed-loop time at each number of streams
   * @param forwardBatches batch sizes of the forward-only measure
   * @param forwardSeconds each forward batch size (and the matmul) repeats at least this long and 5
   *     calls
   * @param matmulSide n of the n x n fp32 matrix product giving the peak
   */
  record Settings(
      Path bundle,
      PolicyRequest.Serving serving,
      int[] streams,
      double warmupSeconds,
      double seconds,
      int[] forwardBatches,
      double forwardSeconds,
      int matmulSide) {}

  /**
   * One number of streams, measured.
   *
   * @param streams concurrent client threads, each its own robot
   * @param roundTripNanos round trip of every measured call that succeeded
   * @param failures measured calls that failed (deadline or error status)
   * @param seconds measured wall time, from the start of the measure to the last answer
   * @param meanBatch requests per forward pass the pool ran during the measure (NaN when not a
   *     pool)
   * @param stageNanos server stage name to its duration in every measured call (the chunk's stage
   *     timings)
   */
  record StreamRun(
      int streams,
      long[] roundTripNanos,
      int failures,
      double seconds,
      double meanBatch,
      Map<String, long[]> stageNanos) {
    double predictionsPerS() {
      return roundTripNanos.length / seconds;
    }

    double p50Ms() {
      return Stats.percentile(roundTripNanos, 50) / 1e6;
    }

    double p99Ms() {
      return Stats.percentile(roundTripNanos, 99) / 1e6;
    }
  }

  /**
   * One forward-only batch size, measured.
   *
   * @param batch observations per forward pass
   * @param calls timed forward passes
   * @param msPerBatch mean time of one pass
   */
  record ForwardRun(int batch, int calls, double msPerBatch) {
    double examplesPerS() {
      return batch * 1000.0 / msPerBatch;
    }

    double gflopPerS(long flopsPerExample) {
      return examplesPerS() * flopsPerExample / 1e9;
    }
  }

  private PolicyBench() {}

  /** Runs both measures and returns the rows {benchmark, result, goal}. */
  static List<String[]> run(Settings s, RobotSpec robot, Consumer<String> log) throws Exception {
    List<Scene> scenes = scenes(FRAME_PX);
    List<StreamRun> streamRuns = new ArrayList<>();
    MonotonicClock clock = MonotonicClock.system();
    Policy policy =
        Policies.create(
            LearnedPolicies.BUNDLE_PREFIX + s.bundle(), robot, FRAME_PX, clock, s.serving());
    MantisConfig cfg =
        MantisConfig.defaults()
            .withPolicy(LearnedPolicies.BUNDLE_PREFIX + s.bundle())
            .withHost("127.0.0.1")
            .withPort(0)
            .withMetricsPort(-1)
            .withBatching(
                s.serving().workers(), s.serving().maxBatch(), s.serving().maxWaitMicros());
    try (MantisServer server = ServerFactory.build(cfg, null, policy, clock)) {
      server.start();
      if (!server.awaitServing(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "server with bundle " + s.bundle() + " did not warm up in 120 s");
      }
      // A bundle served through the embodiment-neutral path: its pool sits inside the adapter.
      Policy inner = policy instanceof EmbodimentAdapter a ? a.policy() : policy;
      PredictorPool pool = inner instanceof PredictorPool p ? p : null;
      for (int n : s.streams()) {
        log.accept(
            String.format(
                Locale.ROOT,
                "policy: Predict, %d stream(s), %.1f s warm-up + %.1f s",
                n,
                s.warmupSeconds(),
                s.seconds()));
        StreamRun r = streams(server.port(), scenes, n, s.warmupSeconds(), s.seconds(), pool);
        log.accept(
            String.format(
                Locale.ROOT,
                "policy: %d stream(s): p50 %.2f ms, p99 %.2f ms, %.0f/s, mean batch %.2f",
                n,
                r.p50Ms(),
                r.p99Ms(),
                r.predictionsPerS(),
                r.meanBatch()));
        streamRuns.add(r);
      }
    }
    List<ForwardRun> forwardRuns = new ArrayList<>();
    long flops;
    try (MantisPolicyModel model = MantisPolicyModel.open(s.bundle(), robot, clock);
        BatchPredictor predictor = model.newPredictor()) {
      flops = model.forwardFlops();
      MarkProposer proposer = MarkProposer.defaults();
      List<Observation> obs = new ArrayList<>();
      List<List<Mark>> marks = new ArrayList<>();
      for (int i = 0; i < scenes.size(); i++) {
        Scene sc = scenes.get(i);
        obs.add(
            new Observation(
                "forward-" + i, "forward", 1, List.of(sc.frame), sc.instruction, sc.joints, 0, 0));
        marks.add(proposer.propose(sc.frame));
      }
      for (int b : s.forwardBatches()) {
        log.accept("policy: forward only, batch " + b);
        List<Observation> bo = new ArrayList<>(b);
        List<List<Mark>> bm = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
          bo.add(obs.get(i % obs.size()));
          bm.add(marks.get(i % marks.size()));
        }
        forwardRuns.add(forward(b, s.forwardSeconds(), () -> predictor.predict(bo, bm)));
      }
    }
    log.accept("policy: fp32 matmul " + s.matmulSide() + "^3");
    LatentBenchResult.MatmulPeak peak =
        LatentBenchmark.matmulPeak(s.matmulSide(), 2, 5, s.forwardSeconds());
    return rows(
        s,
        streamRuns,
        forwardRuns,
        flops,
        peak,
        System.getProperty(TorchThreadsOption.PROPERTY, "engine default"));
  }

  /** Formats the measures as rows {benchmark, result, goal}; goals are marked met or MISSED. */
  static List<String[]> rows(
      Settings s,
      List<StreamRun> streamRuns,
      List<ForwardRun> forwardRuns,
      long flopsPerExample,
      LatentBenchResult.MatmulPeak peak,
      String threads) {
    List<String[]> rows = new ArrayList<>();
    PolicyRequest.Serving sv = s.serving();
    String serving =
        String.format(
            Locale.ROOT,
            "%d worker(s), batch <= %d, wait %d us",
            sv.workers(),
            sv.maxBatch(),
            sv.maxWaitMicros());
    for (StreamRun r : streamRuns) {
      String goal = "";
      if (r.streams() == 1) {
        goal =
            goal(
                r.p50Ms() <= ONE_STREAM_P50_GOAL_MS && r.p99Ms() <= ONE_STREAM_P99_GOAL_MS,
                String.format(
                    Locale.ROOT,
                    "p50 <= %.0f ms, p99 <= %.0f ms",
                    ONE_STREAM_P50_GOAL_MS,
                    ONE_STREAM_P99_GOAL_MS));
      } else if (r.streams() == THROUGHPUT_GOAL_STREAMS) {
        goal =
            goal(
                r.predictionsPerS() >= THROUGHPUT_GOAL_PER_S,
                String.format(Locale.ROOT, ">= %.0f predictions/s", THROUGHPUT_GOAL_PER_S));
      }
      String name =
          String.format(
              Locale.ROOT,
              "Predict, learned policy, %d stream%s, loopback TCP, %dx%d raw",
              r.streams(),
              r.streams() == 1 ? "" : "s",
              FRAME_PX,
              FRAME_PX);
      if (r.streams() == streamRuns.get(0).streams()) {
        name += " (" + serving + ")";
      }
      String result =
          String.format(
              Locale.ROOT,
              "p50 %.2f ms, p99 %.2f ms; %.0f predictions/s; mean batch %.2f",
              r.p50Ms(),
              r.p99Ms(),
              r.predictionsPerS(),
              r.meanBatch());
      if (r.failures() > 0) {
        result += "; " + r.failures() + " FAILED calls";
      }
      rows.add(new String[] {name, result, goal});
      if (r.streams() == 1) {
        rows.add(new String[] {"  server stages at 1 stream, p50 (ms)", stageSplit(r), ""});
      }
    }
    for (ForwardRun f : forwardRuns) {
      double gflops = f.gflopPerS(flopsPerExample);
      double percent = 100 * gflops / peak.gflopPerS();
      rows.add(
          new String[] {
            String.format(
                Locale.ROOT,
                "policy forward only (features + network + decode), batch %d",
                f.batch()),
            String.format(
                Locale.ROOT,
                "%.2f ms/batch, %.0f examples/s, %.2f GFLOP/s = %.1f%% of peak",
                f.msPerBatch(),
                f.examplesPerS(),
                gflops,
                percent),
            f.batch() > 1
                ? goal(
                    percent >= PEAK_GOAL_PERCENT,
                    String.format(Locale.ROOT, ">= %.0f%% of peak", PEAK_GOAL_PERCENT))
                : ""
          });
    }
    if (!forwardRuns.isEmpty()) {
      rows.add(
          new String[] {
            String.format(
                Locale.ROOT,
                "  fp32 matmul %d^3 peak, same process (%d calls)",
                peak.side(),
                peak.calls()),
            String.format(
                Locale.ROOT,
                "%.2f GFLOP/s; model %s per example; PyTorch threads %s",
                peak.gflopPerS(),
                mflop(flopsPerExample),
                threads),
            ""
          });
    }
    return rows;
  }

  /**
   * "decode a, marks b, ..." from the p50 of each stage, in {@link #STAGES} order then {@link
   * #OUTSIDE} (absent stages left out).
   */
  static String stageSplit(StreamRun r) {
    List<String> parts = new ArrayList<>();
    List<String> order = new ArrayList<>(STAGES);
    order.add(OUTSIDE);
    for (String stage : order) {
      long[] v = r.stageNanos().get(stage);
      if (v != null && v.length > 0) {
        parts.add(String.format(Locale.ROOT, "%s %.2f", stage, Stats.percentile(v, 50) / 1e6));
      }
    }
    return String.join(", ", parts);
  }

  static String goal(boolean met, String what) {
    return what + (met ? ": met" : ": MISSED");
  }

  private static String mflop(long flops) {
    return String.format(Locale.ROOT, "%.2f MFLOP", flops / 1e6);
  }

  private static ForwardRun forward(int batch, double minSeconds, Runnable call) {
    long[] timed = mantis.latent.bench.LatentBenchmark.timeCalls(call, 3, 5, minSeconds);
    return new ForwardRun(batch, (int) timed[0], timed[1] / 1e6 / timed[0]);
  }

  /** A rendered scene: frame, instruction, joint state. */
  private record Scene(Frame frame, String instruction, JointState joints) {}

  private static List<Scene> scenes(int px) {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    ScriptedExpert expert = new ScriptedExpert();
    List<Scene> out = new ArrayList<>();
    for (long seed = 3000; seed < 3016; seed++) {
      sim.reset(seed, TaskFamily.values()[(int) (seed % TaskFamily.values().length)]);
      for (int i = 0; i < 20 + seed % 60 && !sim.done(); i++) {
        sim.step(expert.act(sim));
      }
      out.add(new Scene(sim.render(px, px), sim.instruction(), sim.jointState()));
    }
    return out;
  }

  /**
   * {@code n} client threads, each on its own channel as its own robot, call Predict in a closed
   * loop: for {@code warmupSeconds} unmeasured, then for {@code seconds} measured (calls started in
   * the measured window).
   */
  private static StreamRun streams(
      int port, List<Scene> scenes, int n, double warmupSeconds, double seconds, PredictorPool pool)
      throws Exception {
    List<mantis.proto.v1.Observation> wire = new ArrayList<>();
    for (Scene sc : scenes) {
      wire.add(
          mantis.proto.v1.Observation.newBuilder()
              .addFrames(mantis.wire.ProtoMapping.toRawRgb8(sc.frame))
              .setInstruction(sc.instruction)
              .setJointState(mantis.wire.ProtoMapping.toProto(sc.joints))
              .build());
    }
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long measureTo = measureFrom + (long) (seconds * 1e9);
    List<ManagedChannel> channels = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<List<long[]>> perThread = new ArrayList<>();
    AtomicLong lastAnswer = new AtomicLong(measureFrom);
    int[] failures = new int[n];
    Throwable[] errors = new Throwable[n];
    try {
      for (int t = 0; t < n; t++) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(channel);
        List<long[]> samples = new ArrayList<>();
        perThread.add(samples);
        int id = t;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    var stub = PolicyServiceGrpc.newBlockingStub(channel);
                    for (long step = 0; ; step++) {
                      long t0 = System.nanoTime();
                      if (t0 >= measureTo) {
                        break;
                      }
                      mantis.proto.v1.Observation o =
                          wire.get((int) ((id * 5 + step) % wire.size())).toBuilder()
                              .setRobotId("bench-" + id)
                              .setEpisodeId("bench-" + id)
                              .setStep(step)
                              .setSendTimeNanos(t0)
                              .build();
                      mantis.proto.v1.ActionChunk c;
                      try {
                        c = stub.withDeadlineAfter(CALL_DEADLINE_S, TimeUnit.SECONDS).predict(o);
                      } catch (StatusRuntimeException e) {
                        if (t0 >= measureFrom) {
                          failures[id]++;
                        }
                        continue;
                      }
                      long t1 = System.nanoTime();
                      if (t0 >= measureFrom) {
                        long[] sample = new long[1 + STAGES.size()];
                        sample[0] = t1 - t0;
                        Arrays.fill(sample, 1, sample.length, -1);
                        for (var st : c.getStageTimingsList()) {
                          int k = STAGES.indexOf(st.getStage());
                          if (k >= 0) {
                            sample[1 + k] = st.getDurationNanos();
                          }
                        }
                        samples.add(sample);
                        lastAnswer.accumulateAndGet(t1, Math::max);
                      }
                    }
                  } catch (Throwable e) {
                    errors[id] = e;
                  }
                },
                "bench-client-" + t);
        thread.setDaemon(true);
        threads.add(thread);
      }
      threads.forEach(Thread::start);
      long wait = measureFrom - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      long batches0 = pool == null ? 0 : pool.batches();
      long requests0 = pool == null ? 0 : pool.requests();
      for (Thread thread : threads) {
        thread.join(
            TimeUnit.SECONDS.toMillis(CALL_DEADLINE_S)
                + (long) ((warmupSeconds + seconds) * 1000)
                + 5000);
        if (thread.isAlive()) {
          throw new IllegalStateException(thread.getName() + " did not finish");
        }
      }
      for (Throwable e : errors) {
        if (e != null) {
          throw new IllegalStateException("bench client failed: " + e, e);
        }
      }
      double meanBatch = Double.NaN;
      if (pool != null && pool.batches() > batches0) {
        meanBatch = (double) (pool.requests() - requests0) / (pool.batches() - batches0);
      }
      List<long[]> all = new ArrayList<>();
      perThread.forEach(all::addAll);
      long[] rtt = new long[all.size()];
      Map<String, long[]> stages = new LinkedHashMap<>();
      for (int k = 0; k < STAGES.size(); k++) {
        int col = 1 + k;
        long[] v = all.stream().mapToLong(x -> x[col]).filter(x -> x >= 0).toArray();
        if (v.length > 0) {
          stages.put(STAGES.get(k), v);
        }
      }
      int totalCol = 1 + STAGES.indexOf("total");
      for (int i = 0; i < rtt.length; i++) {
        rtt[i] = all.get(i)[0];
      }
      long[] outside =
          all.stream().filter(x -> x[totalCol] >= 0).mapToLong(x -> x[0] - x[totalCol]).toArray();
      if (outside.length > 0) {
        stages.put(OUTSIDE, outside);
      }
      if (rtt.length == 0) {
        throw new IllegalStateException(
            "no Predict call succeeded in the measured "
                + seconds
                + " s with "
                + n
                + " stream(s) ("
                + Arrays.stream(failures).sum()
                + " failed)");
      }
      double measured = Math.max(1e-9, (lastAnswer.get() - measureFrom) / 1e9);
      return new StreamRun(n, rtt, Arrays.stream(failures).sum(), measured, meanBatch, stages);
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow();
      }
      for (ManagedChannel c : channels) {
        c.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Whether {@code dir} looks like a policy bundle (has a model card); opening the model checks the
   * rest.
   */
  static boolean isBundle(Path dir) {
    return java.nio.file.Files.isRegularFile(dir.resolve(mantis.model.bundle.ModelCard.FILE_NAME));
  }
}
