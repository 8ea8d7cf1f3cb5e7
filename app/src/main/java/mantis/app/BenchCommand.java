package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import mantis.core.Observation;
import mantis.core.spi.PolicyRequest;
import mantis.model.serve.LearnedPolicies;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mantis bench}: sim render rates, gRPC Predict round trip on loopback (no-op policy and the
 * baseline), Set-of-Mark speed, the learned policy's serving speed ({@link PolicyBench}), and
 * {@code serve} cold start to SERVING.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks: sim step+render rate, gRPC Predict round trip over loopback TCP (128x128 raw frame) "
            + "with the no-op and the visual-servo policy, Set-of-Mark speed, the learned policy (--bundle) served to "
            + "1, 4, 8 and 16 concurrent streams plus its batched forward pass against the fp32 matmul peak, and "
            + "'serve' cold start to SERVING. Prints one table.")
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--calls",
      defaultValue = "2000",
      description = "Measured Predict calls per policy (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(
      names = "--warmup-calls",
      defaultValue = "2000",
      description = "Unmeasured calls first (default ${DEFAULT-VALUE}).")
  int warmupCalls;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Measured rounds of --calls; medians are reported (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--cold-starts",
      defaultValue = "3",
      description = "Cold starts measured; the median is reported (default ${DEFAULT-VALUE}).")
  int coldStarts;

  @Option(
      names = "--jar",
      paramLabel = "JAR",
      description =
          "The mantis jar for the cold start (default: the running jar, "
              + "else app/target/mantis.jar).")
  Path jar;

  @Option(
      names = "--markdown",
      paramLabel = "FILE",
      description = "Also write the table as a Markdown page " + "(e.g. docs/BENCHMARKS.md).")
  Path markdown;

  @Option(
      names = "--rss-calls",
      defaultValue = "100000",
      description =
          "Propose + draw calls between the two "
              + "RSS readings of the marks part (default ${DEFAULT-VALUE}).")
  int rssCalls;

  @Option(
      names = "--skip",
      split = ",",
      description = "Parts to skip: sim, grpc, marks, policy, coldstart.")
  List<String> skip = new ArrayList<>();

  @Option(
      names = "--bundle",
      paramLabel = "DIR",
      description =
          "Policy bundle of the policy part (default: "
              + "models/policy/default; the part is skipped with a note when that default is missing).")
  Path bundle;

  @Option(
      names = "--policy-workers",
      defaultValue = "1",
      description = "Predictor threads serving the bundle " + "(default ${DEFAULT-VALUE}).")
  int policyWorkers;

  @Option(
      names = "--policy-max-batch",
      defaultValue = "8",
      description = "Largest batch of the served bundle " + "(default ${DEFAULT-VALUE}).")
  int policyMaxBatch;

  @Option(
      names = "--policy-wait-us",
      defaultValue = "2000",
      description =
          "How long a predictor waits to fill a "
              + "batch, microseconds (default ${DEFAULT-VALUE}).")
  long policyWaitMicros;

  @Option(
      names = "--policy-streams",
      split = ",",
      defaultValue = "1,4,8,16",
      description =
          "Concurrent client "
              + "streams of the policy Predict measures (default ${DEFAULT-VALUE}).")
  int[] policyStreams;

  @Option(
      names = "--policy-seconds",
      defaultValue = "3",
      description = "Measured seconds at each number of " + "streams (default ${DEFAULT-VALUE}).")
  double policySeconds;

  @Option(
      names = "--policy-warmup-seconds",
      defaultValue = "1",
      description =
          "Unmeasured seconds first at each " + "number of streams (default ${DEFAULT-VALUE}).")
  double policyWarmupSeconds;

  @Option(
      names = "--forward-batches",
      split = ",",
      defaultValue = "1,8,32",
      description = "Batch sizes of the " + "forward-only measure (default ${DEFAULT-VALUE}).")
  int[] forwardBatches;

  @Option(
      names = "--forward-seconds",
      defaultValue = "1.5",
      description =
          "Each forward batch size and the matmul "
              + "peak run at least this long and 5 calls (default ${DEFAULT-VALUE}).")
  double forwardSeconds;

  @Option(
      names = "--matmul",
      defaultValue = "1024",
      paramLabel = "N",
      description =
          "Side of the N x N fp32 " + "matrix product giving the peak (default ${DEFAULT-VALUE}).")
  int matmulSide;

  @Mixin TorchThreadsOption torch;

  @Spec CommandSpec spec;

  private final List<String[]> rows = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (calls < 1 || rounds < 1 || coldStarts < 1 || warmupCalls < 0) {
      System.err.println("mantis bench: --calls, --rounds and --cold-starts must be >= 1");
      return 2;
    }
    String policyProblem = checkPolicyOptions();
    if (policyProblem != null) {
      System.err.println("mantis bench: " + policyProblem);
      return 2;
    }
    torch.apply(spec);
    PrintStream out = System.out;
    if (!skip.contains("sim")) {
      System.err.println("bench: sim step + render rates...");
      simRates();
    }
    if (!skip.contains("grpc")) {
      System.err.println("bench: gRPC Predict round trip (no-op policy)...");
      predictRoundTrip("hold");
      System.err.println("bench: gRPC Predict round trip (visual-servo)...");
      predictRoundTrip("visual-servo");
    }
    if (!skip.contains("marks")) {
      System.err.println("bench: Set-of-Mark propose/draw, Annotate, RSS...");
      rows.addAll(
          mantis.learn.eval.MarksBenchmark.run(
              calls,
              Math.max(1, calls / 2),
              rssCalls,
              line -> System.err.println("bench: " + line)));
    }
    if (!skip.contains("policy")) {
      policy();
    }
    if (!skip.contains("coldstart")) {
      System.err.println("bench: serve cold start...");
      coldStart();
    }
    String table = table();
    String machine =
        String.format(
            "Java %s, %d available processors, %s %s",
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.name"),
            System.getProperty("os.arch"));
    out.println();
    out.print(table);
    out.println();
    out.println(machine);
    if (markdown != null) {
      String page =
          "# Benchmarks\n\n"
              + "Measured with `./mantis bench` ("
              + java.time.LocalDate.now()
              + "; "
              + machine
              + ").\n"
              + "Sim rates are one thread; the Predict round trip runs client and server in one JVM over loopback TCP "
              + "with a 128x128 raw RGB frame ("
              + warmupCalls
              + " warm-up calls, then "
              + rounds
              + " rounds of "
              + calls
              + " calls; medians of the rounds' percentiles); the cold start launches `java -jar mantis.jar serve` and polls "
              + "gRPC health until SERVING."
              + (skip.contains("policy") ? "" : "\n\n" + policyNote())
              + "\n\n"
              + table;
      Path parent = markdown.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(markdown, page);
      System.err.println("bench: wrote " + markdown);
    }
    return 0;
  }

  private void simRates() {
    for (String[] r : mantis.sim.bench.SimBenchmark.run()) {
      boolean goal = r[0].equals("128x128");
      rows.add(
          new String[] {
            "sim step + render " + r[0] + ", one thread",
            r[1] + " frames/s",
            goal ? ">= 1000 frames/s" : ""
          });
      rows.add(
          new String[] {
            "  render only " + r[0] + " / physics only",
            r[2] + " frames/s / " + r[3] + " steps/s",
            ""
          });
    }
  }

  private void predictRoundTrip(String policy) throws Exception {
    MantisConfig cfg =
        MantisConfig.defaults()
            .withPolicy(policy)
            .withHost("127.0.0.1")
            .withPort(0)
            .withMetricsPort(-1);
    try (MantisServer server = ServerFactory.build(cfg, null)) {
      server.start();
      if (!server.awaitServing(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("server did not warm up");
      }
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        Observation obs = simObservation(128);
        mantis.proto.v1.Observation.Builder wire =
            mantis.proto.v1.Observation.newBuilder()
                .setRobotId("bench")
                .setEpisodeId("bench")
                .addFrames(mantis.wire.ProtoMapping.toRawRgb8(obs.frame()))
                .setInstruction(obs.instruction())
                .setJointState(mantis.wire.ProtoMapping.toProto(obs.jointState()));
        var stub = PolicyServiceGrpc.newBlockingStub(channel);
        for (int i = 0; i < warmupCalls; i++) {
          stub.withDeadlineAfter(5, TimeUnit.SECONDS)
              .predict(wire.setStep(i).setSendTimeNanos(System.nanoTime()).build());
        }
        // Several rounds: on a shared machine one round's tail can be another process's burst.
        double[][] p = new double[rounds][6];
        for (int round = 0; round < rounds; round++) {
          long[] rtt = new long[calls];
          long[] serverTotal = new long[calls];
          for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            mantis.proto.v1.ActionChunk c =
                stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .predict(wire.setStep(i).setSendTimeNanos(t0).build());
            rtt[i] = System.nanoTime() - t0;
            for (var st : c.getStageTimingsList()) {
              if (st.getStage().equals("total")) {
                serverTotal[i] = st.getDurationNanos();
              }
            }
          }
          long[] overhead = new long[calls];
          for (int i = 0; i < calls; i++) {
            overhead[i] = rtt[i] - serverTotal[i];
          }
          p[round] =
              new double[] {
                Stats.percentile(rtt, 50),
                Stats.percentile(rtt, 99),
                Stats.percentile(serverTotal, 50),
                Stats.percentile(serverTotal, 99),
                Stats.percentile(overhead, 50),
                Stats.percentile(overhead, 99)
              };
          System.err.printf(
              "bench: %s round %d: round trip p50 %.3f ms p99 %.3f ms, overhead p99 %.3f ms%n",
              policy, round + 1, p[round][0] / 1e6, p[round][1] / 1e6, p[round][5] / 1e6);
        }
        String rs = rounds > 1 ? " (median of " + rounds + " rounds)" : "";
        rows.add(
            new String[] {
              "Predict round trip, loopback TCP, 128x128 raw, " + policy + rs, ms(p, 0), ""
            });
        rows.add(new String[] {"  of which server pipeline (decode+policy+safety)", ms(p, 2), ""});
        rows.add(
            new String[] {
              "  gRPC overhead (round trip - server pipeline)",
              ms(p, 4) + worst(p, 5),
              "p99 <= 1 ms"
            });
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private String table() {
    return BenchTable.format(rows);
  }

  /** Checks the policy part's numbers; null when they are fine, else the problem. */
  String checkPolicyOptions() {
    if (skip.contains("policy")) {
      return null;
    }
    if (policyWorkers < 1 || policyWorkers > 64) {
      return "--policy-workers must be in [1, 64], got " + policyWorkers;
    }
    if (policyMaxBatch < 1 || policyMaxBatch > 1024) {
      return "--policy-max-batch must be in [1, 1024], got " + policyMaxBatch;
    }
    if (policyWaitMicros < 0 || policyWaitMicros > 1_000_000) {
      return "--policy-wait-us must be in [0, 1000000], got " + policyWaitMicros;
    }
    if (policyStreams.length == 0
        || java.util.Arrays.stream(policyStreams).anyMatch(n -> n < 1 || n > 256)) {
      return "--policy-streams must be numbers in [1, 256], got "
          + java.util.Arrays.toString(policyStreams);
    }
    if (!(policySeconds > 0 && policySeconds <= 600)
        || !(policyWarmupSeconds >= 0 && policyWarmupSeconds <= 600)) {
      return "--policy-seconds must be in (0, 600] and --policy-warmup-seconds in [0, 600], got "
          + policySeconds
          + " and "
          + policyWarmupSeconds;
    }
    if (java.util.Arrays.stream(forwardBatches).anyMatch(b -> b < 1 || b > 4096)) {
      return "--forward-batches must be sizes in [1, 4096], got "
          + java.util.Arrays.toString(forwardBatches);
    }
    if (!(forwardSeconds >= 0 && forwardSeconds <= 600)) {
      return "--forward-seconds must be in [0, 600], got " + forwardSeconds;
    }
    if (matmulSide < 1 || matmulSide > 8192) {
      return "--matmul must be in [1, 8192], got " + matmulSide;
    }
    if (bundle != null && !PolicyBench.isBundle(bundle)) {
      return "--bundle " + bundle + " is not a policy bundle (no model-card.json there)";
    }
    return null;
  }

  private void policy() throws Exception {
    Path dir = bundle != null ? bundle : LearnedPolicies.DEFAULT_BUNDLE;
    if (!PolicyBench.isBundle(dir)) {
      rows.add(
          new String[] {
            "Predict, learned policy", "skipped: no bundle at " + dir + " (give --bundle DIR)", ""
          });
      return;
    }
    System.err.println(
        "bench: learned policy "
            + dir
            + ", Predict at "
            + java.util.Arrays.toString(policyStreams)
            + " streams, then forward only; PyTorch threads "
            + System.getProperty(TorchThreadsOption.PROPERTY));
    PolicyBench.Settings s =
        new PolicyBench.Settings(
            dir,
            new PolicyRequest.Serving(policyWorkers, policyMaxBatch, policyWaitMicros),
            policyStreams.clone(),
            policyWarmupSeconds,
            policySeconds,
            forwardBatches.clone(),
            forwardSeconds,
            matmulSide);
    rows.addAll(
        PolicyBench.run(
            s,
            ServerFactory.robot(MantisConfig.defaults()),
            line -> System.err.println("bench: " + line)));
  }

  private String policyNote() {
    return "The learned policy part serves the bundle "
        + (bundle != null ? bundle : LearnedPolicies.DEFAULT_BUNDLE)
        + " through the predictor pool in an in-process server; N client threads, each its own robot on its own "
        + "channel, call Predict in a closed loop with 16 different domain-randomised 128x128 sim scenes ("
        + policyWarmupSeconds
        + " s warm-up, then "
        + policySeconds
        + " s measured at each N); the mean batch is "
        + "requests per forward pass in the measured window; the stage split is the server's own chunk timings "
        + "(policy = queue wait + batch + forward). Forward only runs the model's predictor on pre-built "
        + "observations and marks; GFLOP/s is the model's forward FLOPs x examples/s, next to an fp32 matrix "
        + "product in the same process with the same PyTorch thread count ("
        + System.getProperty(TorchThreadsOption.PROPERTY)
        + ", --threads).";
  }

  /**
   * "p50 a ms, p99 b ms": medians over rounds of columns {@code col} (p50) and {@code col + 1}
   * (p99).
   */
  private String ms(double[][] p, int col) {
    double[] p50 = new double[p.length];
    double[] p99 = new double[p.length];
    for (int r = 0; r < p.length; r++) {
      p50[r] = p[r][col];
      p99[r] = p[r][col + 1];
    }
    return String.format(
        "p50 %.3f ms, p99 %.3f ms", Stats.median(p50) / 1e6, Stats.median(p99) / 1e6);
  }

  private String worst(double[][] p, int col) {
    if (p.length < 2) {
      return "";
    }
    double w = 0;
    for (double[] r : p) {
      w = Math.max(w, r[col]);
    }
    return String.format(" (worst p99 %.3f)", w / 1e6);
  }

  private Path jarPath() throws Exception {
    if (jar != null) {
      return jar;
    }
    var src = BenchCommand.class.getProtectionDomain().getCodeSource();
    if (src != null) {
      Path p = Path.of(src.getLocation().toURI());
      if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
        return p;
      }
    }
    return Path.of("app", "target", "mantis.jar");
  }

  private void coldStart() throws Exception {
    Path jarFile = jarPath();
    if (!Files.isRegularFile(jarFile)) {
      rows.add(new String[] {"serve cold start to SERVING", "skipped: no " + jarFile, "<= 5 s"});
      return;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    double[] seconds = new double[coldStarts];
    for (int i = 0; i < coldStarts; i++) {
      int port = freePort();
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(
                  java,
                  "-jar",
                  jarFile.toString(),
                  "serve",
                  "--host",
                  "127.0.0.1",
                  "--port",
                  Integer.toString(port),
                  "--metrics-port",
                  "-1")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        var health = HealthGrpc.newBlockingStub(channel);
        while (true) {
          if (!p.isAlive()) {
            throw new IllegalStateException(
                "serve exited with " + p.exitValue() + " before SERVING");
          }
          if (System.nanoTime() - t0 > 60_000_000_000L) {
            throw new IllegalStateException("serve not SERVING after 60 s");
          }
          try {
            if (health
                    .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus()
                == ServingStatus.SERVING) {
              break;
            }
          } catch (io.grpc.StatusRuntimeException e) {
            // not listening yet
          }
          Thread.sleep(10);
        }
        seconds[i] = (System.nanoTime() - t0) / 1e9;
        System.err.printf("bench: cold start %d: %.2f s%n", i + 1, seconds[i]);
      } finally {
        channel.shutdownNow();
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    rows.add(
        new String[] {
          "serve cold start to SERVING (visual-servo, median of " + coldStarts + ")",
          String.format("%.2f s", Stats.median(seconds)),
          "<= 5 s"
        });
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * A realistic observation: a rendered reach scene at {@code sizePx} with the sim's instruction.
   */
  private static Observation simObservation(int sizePx) {
    mantis.sim.TabletopSim sim = mantis.sim.TabletopSim.create(mantis.sim.SimConfig.defaults());
    sim.reset(0, mantis.sim.TaskFamily.REACH);
    return new Observation(
        "bench",
        "bench",
        0,
        java.util.List.of(sim.render(sizePx, sizePx)),
        sim.instruction(),
        sim.jointState(),
        0,
        0);
  }
}
