package mantis.ros.tcpros;

import static mantis.ros.tcpros.Tcpros.LIMITS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.peers.RequireRos;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java TCPROS against real rospy (Debian {@code ros-core}), both directions, through a real {@code
 * rosmaster}. Skipped where ROS is not installed, except in CI (see {@link RequireRos}).
 */
@Tag("ros")
class TcprosRospyInteropTest {

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("rosmaster did not open port " + port);
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void rospyAndMantisExchangeMessagesBothWays(@TempDir Path dir) throws Exception {
    RequireRos.installation();
    int masterPort = freePort();
    Process master =
        new ProcessBuilder("rosmaster", "--core", "-p", String.valueOf(masterPort))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.log").toFile())
            .start();
    Process py = null;
    try (TcprosServer server = new TcprosServer("127.0.0.1", 0, "/mantis", LIMITS);
        Publication<RosString> pub =
            new Publication<>("/mantis", "/mantis_out", RosMessages.STRING, false, 10)) {
      awaitPort(masterPort, 10_000);
      server.start();
      server.add(pub);
      Path script = dir.resolve("rospy_interop.py");
      Files.copy(
          getClass().getResourceAsStream("rospy_interop.py"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      ProcessBuilder pb =
          new ProcessBuilder(
              "/usr/bin/python3",
              script.toString(),
              "http://127.0.0.1:" + masterPort + "/",
              String.valueOf(server.port()));
      pb.environment().put("ROS_LOG_DIR", dir.toString());
      pb.environment().put("ROS_HOME", dir.toString());
      pb.redirectError(dir.resolve("python.log").toFile());
      py = pb.start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(
          line != null && line.startsWith("TCPROS "),
          "python said " + line + "; stderr: " + Files.readString(dir.resolve("python.log")));
      String[] parts = line.split(" ");
      InetSocketAddress rospyAddr = new InetSocketAddress(parts[1], Integer.parseInt(parts[2]));

      // rospy -> Mantis (latched)
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      try (Subscription<RosString> sub =
          new Subscription<>(
              "/mantis",
              "/rospy_out",
              RosMessages.STRING,
              10,
              true,
              m -> got.add(m.data()),
              (uri, topic) -> rospyAddr,
              LIMITS)) {
        sub.start();
        sub.setPublishers(Set.of("http://rospy/"));
        Tcpros.await(() -> got.contains("from rospy"), "rospy's latched message");
      }

      // Mantis -> rospy: publish until rospy has connected and printed one
      long deadline = System.currentTimeMillis() + 15_000;
      String echoed = null;
      Thread pump =
          new Thread(
              () -> {
                for (int i = 0; i < 300 && !Thread.currentThread().isInterrupted(); i++) {
                  pub.publish(new RosString("from mantis " + i));
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      pump.setDaemon(true);
      pump.start();
      while (System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
        if (line.startsWith("GOT ")) {
          echoed = line.substring(4);
          break;
        }
      }
      pump.interrupt();
      assertTrue(
          echoed != null && echoed.startsWith("from mantis "),
          "rospy got " + echoed + "; stderr: " + Files.readString(dir.resolve("python.log")));
      assertEquals(1, pub.subscriberCount());
      py.getOutputStream().close();
      assertTrue(py.waitFor(10, TimeUnit.SECONDS), "python exits");
    } finally {
      if (py != null) {
        py.destroy();
      }
      master.destroy();
      master.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
