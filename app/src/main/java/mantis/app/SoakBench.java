package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mantis.core.ActionChunk;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.safety.ChunkPlayer;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.wire.ProtoMapping;

/**
 * The soak benchmark behind {@code mantis bench-soak}: the real server (Netty on loopback, the
 * given policy, default settings) in this process, and N simulated robots, each on its own channel
 * and its own thread, driving one Control stream per episode in real time like a robot client:
 * every period (1 / rate) it renders the sim camera, sends the observation, waits for the chunk,
 * executes it at the sim's physics rate for one period, and sleeps to the next period. Episodes run
 * back to back, seeded and cycling through the task families, so streams open and close all the
 * time.
 *
 * <p>Every report interval it samples, for the interval: chunks received, errors (failed or
 * timed-out calls), stale chunks (arrived after their validity: send time + valid_for), held
 * chunks, watchdog holds, the call latency p50/p99; and for the process: RSS, heap after a full GC,
 * threads, open file descriptors.
 */
final class SoakBench {
  /** How long a client waits for a chunk before it counts an error and starts the next episode. */
  static final long CALL_TIMEOUT_NANOS = 2_000_000_000L;

  /**
   * @param policy the served policy, as {@code mantis serve --policy}
   * @param streams concurrent robots, one Control stream each
   * @param minutes how long the soak runs
   * @param reportEveryMin report interval, minutes
   * @param rateHz observations per second per stream
   * @param sizePx rendered frame side, pixels (raw RGB8 on the wire, as the sim client sends)
   */
  record Settings(
      String policy,
      int streams,
      double minutes,
      double reportEveryMin,
      double rateHz,
      int sizePx) {}

  /** One report: the interval's traffic and the process right after it. */
  record Row(
      double elapsedMin,
      long chunks,
      long errors,
      long stale,
      long held,
      long watchdogHolds,
      double p50Ms,
      double p99Ms,
      ProcessStats process) {}

  private SoakBench() {}

  /**
   * Runs the soak; {@code onRow} sees the start sample (elapsed 0, no traffic) and each report as
   * it is taken; {@code progress} gets one-line notes. Returns every row, the start first.
   */
  static List<Row> run(Settings s, Consumer<Row> onRow, Consumer<String> progress)
      throws Exception {
    MantisConfig cfg =
        MantisConfig.defaults()
            .withPolicy(s.policy())
            .withHost("127.0.0.1")
            .withPort(0)
            .withMetricsPort(-1);
    List<Row> rows = new ArrayList<>();
    try (MantisServer server = ServerFactory.build(cfg, null)) {
      server.start();
      if (!server.awaitServing(180, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the server did not warm up in 180 s");
      }
      progress.accept(
          "server SERVING on 127.0.0.1:"
              + server.port()
              + " (policy "
              + s.policy()
              + "); "
              + s.streams()
              + " streams at "
              + s.rateHz()
              + " Hz for "
              + s.minutes()
              + " min");
      Window window = new Window();
      long startNanos = System.nanoTime();
      long endNanos = startNanos + Math.round(s.minutes() * 60e9);
      List<ManagedChannel> channels = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      Row start = new Row(0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, ProcessStats.sample());
      rows.add(start);
      onRow.accept(start);
      try {
        for (int i = 0; i < s.streams(); i++) {
          ManagedChannel ch =
              NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
          channels.add(ch);
          Driver d = new Driver(i, ch, s, window, endNanos);
          Thread t = new Thread(d, "soak-robot-" + i);
          t.setDaemon(true);
          threads.add(t);
          t.start();
        }
        long every = Math.round(s.reportEveryMin() * 60e9);
        long next = startNanos + every;
        while (true) {
          long now = System.nanoTime();
          long until = Math.min(next, endNanos);
          if (until > now) {
            TimeUnit.NANOSECONDS.sleep(until - now);
          }
          boolean last = System.nanoTime() >= endNanos;
          if (last) {
            for (Thread t : threads) {
              t.join(5_000);
            }
          }
          Row r = window.take((System.nanoTime() - startNanos) / 60e9, ProcessStats.sample());
          rows.add(r);
          onRow.accept(r);
          if (last) {
            break;
          }
          next += every;
        }
      } finally {
        for (Thread t : threads) {
          t.interrupt();
        }
        for (ManagedChannel ch : channels) {
          ch.shutdownNow();
        }
        for (ManagedChannel ch : channels) {
          ch.awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
    return rows;
  }

  /** The interval's counters, shared by the drivers. */
  static final class Window {
    private long chunks;
    private long errors;
    private long stale;
    private long held;
    private long watchdogHolds;
    private long[] latencies = new long[1024];
    private int n;

    synchronized void chunk(long latencyNanos, boolean isStale, boolean isHeld) {
      chunks++;
      if (isStale) {
        stale++;
      }
      if (isHeld) {
        held++;
      }
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = latencyNanos;
    }

    synchronized void error() {
      errors++;
    }

    synchronized void watchdogHold() {
      watchdogHolds++;
    }

    /** The interval's row, and a fresh interval. */
    synchronized Row take(double elapsedMin, ProcessStats process) {
      long[] lat = Arrays.copyOf(latencies, n);
      Row r =
          new Row(
              elapsedMin,
              chunks,
              errors,
              stale,
              held,
              watchdogHolds,
              n == 0 ? Double.NaN : Stats.percentile(lat, 50) / 1e6,
              n == 0 ? Double.NaN : Stats.percentile(lat, 99) / 1e6,
              process);
      chunks = 0;
      errors = 0;
      stale = 0;
      held = 0;
      watchdogHolds = 0;
      n = 0;
      return r;
    }
  }

  /**
   * One simulated robot: episodes back to back, each on a Control stream of its own, in real time.
   */
  private static final class Driver implements Runnable {
    private final int index;
    private final ManagedChannel channel;
    private final Settings s;
    private final Window window;
    private final long endNanos;

    Driver(int index, ManagedChannel channel, Settings s, Window window, long endNanos) {
      this.index = index;
      this.channel = channel;
      this.s = s;
      this.window = window;
      this.endNanos = endNanos;
    }

    @Override
    public void run() {
      TabletopSim sim = TabletopSim.create(SimConfig.defaults());
      TaskFamily[] families = TaskFamily.values();
      long periodNanos = Math.round(1e9 / s.rateHz());
      int stepsPerPeriod = Math.max(1, (int) Math.round(sim.config().physicsHz() / s.rateHz()));
      long dtNanos = Math.round(1e9 / sim.config().physicsHz());
      for (int episode = 0;
          System.nanoTime() < endNanos && !Thread.currentThread().isInterrupted();
          episode++) {
        long seed = 1_000_000L * index + episode;
        TaskFamily family = families[episode % families.length];
        sim.reset(seed, family);
        try {
          runEpisode(
              sim,
              family.name().toLowerCase(Locale.ROOT) + "-" + seed,
              periodNanos,
              stepsPerPeriod,
              dtNanos);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void runEpisode(
        TabletopSim sim, String episodeId, long periodNanos, int stepsPerPeriod, long dtNanos)
        throws InterruptedException {
      Replies replies = new Replies(window);
      PolicyServiceGrpc.newStub(channel)
          .withDeadlineAfter(
              Math.max(0, endNanos - System.nanoTime()) + 60_000_000_000L, TimeUnit.NANOSECONDS)
          .control(replies);
      ClientCallStreamObserver<Observation> out = replies.requests;
      long[] virtualNow = new long[1];
      ChunkPlayer player = new ChunkPlayer(() -> virtualNow[0]);
      long next = System.nanoTime();
      long step = 0;
      try {
        while (!sim.done() && System.nanoTime() < endNanos) {
          Frame frame = sim.render(s.sizePx(), s.sizePx());
          JointState js = sim.jointState();
          long send = System.nanoTime();
          out.onNext(
              Observation.newBuilder()
                  .setRobotId("soak-" + index)
                  .setEpisodeId(episodeId)
                  .setStep(step)
                  .addFrames(ProtoMapping.toRawRgb8(frame))
                  .setInstruction(sim.instruction())
                  .setJointState(
                      ProtoMapping.toProto(
                          new JointState(
                              js.names(), js.positionsRad(), js.velocitiesRadPerS(), send)))
                  .setCaptureTimeNanos(send)
                  .setSendTimeNanos(send)
                  .build());
          mantis.proto.v1.ActionChunk reply = replies.await(step, send + CALL_TIMEOUT_NANOS);
          long receive = System.nanoTime();
          if (reply == null) {
            window.error();
            out.cancel("no chunk in time", null);
            return;
          }
          window.chunk(receive - send, receive > send + reply.getValidForNanos(), reply.getHeld());
          ActionChunk chunk = ProtoMapping.chunkFromProto(reply, send);
          virtualNow[0] = receive;
          boolean accepted = player.offer(chunk, receive, js.positionsRad());
          double[] holdAt = null;
          for (int k = 1; k <= stepsPerPeriod && !sim.done(); k++) {
            virtualNow[0] = receive + k * dtNanos;
            var target =
                accepted ? player.targetAt(virtualNow[0]) : java.util.Optional.<double[]>empty();
            if (target.isPresent()) {
              sim.step(target.get());
            } else {
              if (holdAt == null) {
                holdAt = sim.jointState().positionsRad();
              }
              sim.step(holdAt);
            }
          }
          step++;
          next += periodNanos;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          } else {
            next = System.nanoTime(); // behind: no burst to catch up
          }
        }
        out.onCompleted();
        replies.awaitEnd(5_000_000_000L);
      } catch (RuntimeException e) {
        window.error();
        out.cancel("soak client failed", e);
      } catch (InterruptedException e) {
        out.cancel("soak ending", null);
        throw e;
      }
    }
  }

  /** The answers of one Control call; watchdog holds counted aside. */
  private static final class Replies
      implements ClientResponseObserver<Observation, mantis.proto.v1.ActionChunk> {
    private static final Object END = new Object();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Window window;
    ClientCallStreamObserver<Observation> requests;

    Replies(Window window) {
      this.window = window;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Observation> requestStream) {
      requests = requestStream;
    }

    @Override
    public void onNext(mantis.proto.v1.ActionChunk c) {
      if (c.getSource() == ChunkSource.CHUNK_SOURCE_WATCHDOG) {
        window.watchdogHold();
      } else {
        queue.add(c);
      }
    }

    @Override
    public void onError(Throwable t) {
      queue.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      queue.add(END);
    }

    /**
     * The reply to {@code step}, or null (after counting nothing) when the call ended or the
     * deadline passed.
     */
    mantis.proto.v1.ActionChunk await(long step, long deadlineNanos) throws InterruptedException {
      while (true) {
        Object o = queue.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (o == null || o == END || o instanceof Status) {
          return null;
        }
        mantis.proto.v1.ActionChunk c = (mantis.proto.v1.ActionChunk) o;
        if (c.getStep() == step && c.getSource() == ChunkSource.CHUNK_SOURCE_REPLY) {
          return c;
        }
      }
    }

    void awaitEnd(long timeoutNanos) throws InterruptedException {
      long deadline = System.nanoTime() + timeoutNanos;
      Object o;
      while ((o = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
          != null) {
        if (o == END) {
          return;
        }
        if (o instanceof Status st && !st.isOk()) {
          window.error();
          return;
        }
      }
    }
  }
}
