package mantis.teleop.dashboard;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.server.MantisServer;
import mantis.server.policy.Policies;
import mantis.sim.TaskFamily;
import mantis.teleop.SimTeleop;
import mantis.teleop.Teleop;

/**
 * The teleop session behind the browser tests: a real {@link SimTeleop} whose shadow policy is an
 * in-process Mantis server (the visual-servo baseline: no model to load, full marks path).
 */
final class TeleopFixture implements AutoCloseable {
  private final MantisServer server;
  private final ManagedChannel channel;
  private final SimTeleop teleop;

  private TeleopFixture(MantisServer server, ManagedChannel channel, SimTeleop teleop) {
    this.server = server;
    this.channel = channel;
    this.teleop = teleop;
  }

  static TeleopFixture start() throws Exception {
    RobotSpec robot = RobotSpecs.mantisPlanar3();
    String name = InProcessServerBuilder.generateName();
    MantisServer server =
        MantisServer.builder()
            .setPolicy(Policies.create("visual-servo", robot, 128, MonotonicClock.system()))
            .setRobot(robot)
            .optServerBuilder(InProcessServerBuilder.forName(name))
            .optWarmupPredictions(1)
            .build()
            .start();
    if (!server.awaitServing(30, TimeUnit.SECONDS)) {
      server.close();
      throw new IllegalStateException("the in-process server did not warm up");
    }
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    Path recordings = Files.createTempDirectory("mantis-dashboard-recordings");
    SimTeleop teleop =
        SimTeleop.builder()
            .setPolicyChannel(channel)
            .optFamily(TaskFamily.REACH)
            .optSeed(3)
            .optInputPx(128)
            .optRecordingsDir(recordings)
            .build();
    teleop.start();
    return new TeleopFixture(server, channel, teleop);
  }

  Teleop teleop() {
    return teleop;
  }

  @Override
  public void close() throws InterruptedException {
    teleop.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }
}
