package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.server.MantisServer;
import mantis.server.policy.Policies;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shadow policy is the shipped learned model: its latent tokens reach the teleop state. */
class SimTeleopLearnedPolicyTest {
  @TempDir Path recordings;

  @Test
  void theLearnedPolicysLatentTokensAndStagesAppearInTheState() throws Exception {
    RobotSpec robot = RobotSpecs.mantisPlanar3();
    String name = InProcessServerBuilder.generateName();
    MantisServer server =
        MantisServer.builder()
            .setPolicy(Policies.create("mantis", robot, 128, MonotonicClock.system()))
            .setRobot(robot)
            .optWarmupPredictions(1)
            .optServerBuilder(InProcessServerBuilder.forName(name))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try (SimTeleop teleop =
        SimTeleop.builder()
            .setPolicyChannel(channel)
            .optFamily(TaskFamily.PUSH_DIRECTION)
            .optSeed(2)
            .optRecordingsDir(recordings)
            .build()) {
      assertTrue(server.awaitServing(30, TimeUnit.SECONDS));
      teleop.start();
      TeleopState s = teleop.state();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (s.latentTokens().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
        s = teleop.state();
      }
      assertEquals(4, s.latentTokens().size(), "4 tokens from an 8-entry codebook");
      assertTrue(
          s.latentTokens().stream().allMatch(k -> k >= 0 && k < 8), s.latentTokens().toString());
      assertTrue(
          s.stageMillis().keySet().stream().anyMatch(k -> k.startsWith("policy")),
          s.stageMillis().toString());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
  }
}
