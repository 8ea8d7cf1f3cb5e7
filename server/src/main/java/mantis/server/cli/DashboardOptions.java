package mantis.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mantis.server.dashboard.DashboardServer;
import mantis.server.teleop.SimTeleop;
import mantis.sim.TaskFamily;
import picocli.CommandLine.Option;

/**
 * The teleop dashboard flags shared by {@code serve} and {@code demo}, and the wiring: a
 * {@link SimTeleop} whose shadow policy is the same server over an in-process channel, behind a
 * {@link DashboardServer}.
 */
final class DashboardOptions {
  @Option(names = "--dashboard-host",
      description = "Teleop dashboard address (default 127.0.0.1: this machine only; any other address needs a token).")
  String host = "127.0.0.1";

  @Option(names = "--dashboard-token", paramLabel = "TOKEN",
      description = "Token the dashboard's API requires when it is not bound to loopback (default: generated and printed).")
  String token;

  @Option(names = "--recordings", paramLabel = "DIR",
      description = "Where the dashboard's teleop recordings go (default recordings/teleop).")
  Path recordings = Path.of("recordings", "teleop");

  /** Refuses bad access flags before anything starts ({@link IllegalArgumentException} with the reason). */
  void check() {
    DashboardServer.checkAccessSettings(host, token);
  }

  /** A running dashboard and what it owns. */
  static final class Running implements AutoCloseable {
    final DashboardServer dashboard;
    private final SimTeleop teleop;
    private final ManagedChannel channel;

    Running(DashboardServer dashboard, SimTeleop teleop, ManagedChannel channel) {
      this.dashboard = dashboard;
      this.teleop = teleop;
      this.channel = channel;
    }

    /** The address to open, with {@code ?token=} when one is needed. */
    String openUrl() {
      return dashboard.url() + (dashboard.tokenRequired() ? "?token=" + dashboard.token() : "");
    }

    @Override
    public void close() {
      dashboard.close();
      teleop.close();
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Starts a simulated teleop session against the server listening in-process under
   * {@code inProcessName}, and the dashboard on {@code port}; prints where to open it on {@code out}.
   */
  Running start(String inProcessName, int port, int inputPx, PrintStream out) {
    DashboardServer.Builder db = DashboardServer.builder().optHost(host).optPort(port).optToken(token);
    ManagedChannel channel = InProcessChannelBuilder.forName(inProcessName).build();
    SimTeleop teleop = null;
    try {
      teleop = SimTeleop.builder()
          .setPolicyChannel(channel)
          .optFamily(TaskFamily.REACH)
          .optSeed(1)
          .optInputPx(inputPx)
          .optRecordingsDir(recordings)
          .build();
      DashboardServer dashboard = db.setTeleop(teleop).build();
      teleop.start();
      dashboard.start();
      Running r = new Running(dashboard, teleop, channel);
      out.println("mantis: teleop dashboard at " + r.openUrl()
          + (dashboard.tokenRequired() && token == null ? "  (token generated for this run; --dashboard-token sets one)" : ""));
      return r;
    } catch (RuntimeException e) {
      if (teleop != null) {
        teleop.close();
      }
      channel.shutdownNow();
      throw e;
    }
  }
}
