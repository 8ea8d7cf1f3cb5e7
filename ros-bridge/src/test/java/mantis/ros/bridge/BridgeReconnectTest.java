package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mantis.ros.msg.JointTrajectory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bridge against a real Netty gRPC server that goes away for much longer than the bridge's
 * reconnect backoff (default config: 100 ms doubling to 5 s) and gRPC's own connect backoff (1 s
 * growing by 1.6x: past 10 s after a 20 s outage), then comes back on the same port: the policy
 * must drive the arm again within 2 s.
 */
@Tag("slow")
class BridgeReconnectTest {
  private static final long OUTAGE_MS = 20_000;
  private static final long BACK_WITHIN_MS = 2_000;

  /** A trajectory with its arrival time (System.nanoTime). */
  private record Published(long atNanos, JointTrajectory trajectory) {
    boolean isChunk() {
      return trajectory.points().size() == 2; // Harness.gentle's chunks; holds have one point
    }
  }

  @Test
  void afterALongServerOutageTheFirstChunkComesWithinTwoSecondsOfTheServerReturning()
      throws Exception {
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    try (FakePolicyServer server = new FakePolicyServer(0).start()) {
      BridgeConfig config =
          BridgeConfig.parse(
              """
          topics:
            image: /cam
            controller: /arm_controller
          robot:
            id: arm7
            joints: [j_shoulder, j_elbow, j_wrist]
          server:
            target: %s
            control_rate_hz: 20
          bridge:
            default_instruction: reach
          """
                  .formatted(server.target()),
              "reconnect.yaml",
              null,
              Map.of());
      List<Published> published = new CopyOnWriteArrayList<>();
      BridgePort port =
          new BridgePort() {
            @Override
            public void publishTrajectory(JointTrajectory t) {
              published.add(new Published(System.nanoTime(), t));
            }

            @Override
            public void publishStatus(String status) {}
          };
      ManagedChannel channel = BridgeNode.newChannel(config);
      BridgeCore core =
          BridgeCore.builder()
              .setConfig(config)
              .setPort(port)
              .setChannel(channel)
              .optScheduler(scheduler)
              .build();
      // A 20 Hz camera and joint state, as a robot would publish.
      scheduler.scheduleAtFixedRate(
          () -> {
            core.onImage(Harness.rgbImage());
            core.onJointState(Harness.jointState(0.1, 0.2, 0.3));
          },
          0,
          50,
          TimeUnit.MILLISECONDS);
      try {
        core.start();
        awaitChunkAfter(published, System.nanoTime(), 10_000, "the first chunk");

        long downAt = System.nanoTime();
        server.stop();
        Thread.sleep(OUTAGE_MS);
        assertTrue(
            published.stream().anyMatch(p -> p.atNanos() > downAt && !p.isChunk()),
            "the arm held while the server was away");
        server.start();
        long backAt = System.nanoTime();
        Published first = awaitChunkAfter(published, backAt, 15_000, "a chunk after the restart");
        long tookMs = (first.atNanos() - backAt) / 1_000_000;
        assertTrue(
            tookMs <= BACK_WITHIN_MS,
            "after a "
                + OUTAGE_MS / 1000
                + " s outage the first chunk came "
                + tookMs
                + " ms after the server was back; at most "
                + BACK_WITHIN_MS
                + " ms allowed");
      } finally {
        core.close();
        channel.shutdownNow();
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static Published awaitChunkAfter(
      List<Published> published, long afterNanos, long timeoutMs, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (System.nanoTime() < deadline) {
      for (Published p : published) {
        if (p.atNanos() > afterNanos && p.isChunk()) {
          return p;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no " + what + " within " + timeoutMs + " ms");
  }
}
