package mantis.ros.tcpros;

import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import mantis.ros.msg.RosMessageType;
import org.slf4j.LoggerFactory;

/** Test helpers: waiting, log capture, raw peers. */
final class Tcpros {
  private Tcpros() {}

  static final TcprosLimits LIMITS =
      new TcprosLimits(64 * 1024, 1024 * 1024, Duration.ofMillis(500));

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  static InetSocketAddress local(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  /** The header a well-behaved subscriber sends. */
  static ConnectionHeader subscriberHeader(String topic, RosMessageType<?> type, String md5) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("message_definition", type.definition());
    h.put("callerid", "/raw_sub");
    h.put("topic", topic);
    h.put("md5sum", md5);
    h.put("type", type.type());
    h.put("tcp_nodelay", "1");
    return ConnectionHeader.of(h);
  }

  /** The reply a well-behaved publisher sends. */
  static ConnectionHeader publisherHeader(RosMessageType<?> type, String md5) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("callerid", "/fake_pub");
    h.put("latching", "0");
    h.put("md5sum", md5);
    h.put("message_definition", type.definition());
    h.put("type", type.type());
    return ConnectionHeader.of(h);
  }

  static byte[] le32(long v) {
    byte[] b = new byte[4];
    Wire.putUint32(b, 0, v);
    return b;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }

  /** Reads until the peer closes (or 2 s pass); returns what came. */
  static byte[] readUntilClosed(Socket s) throws IOException {
    s.setSoTimeout(2000);
    return s.getInputStream().readAllBytes();
  }

  /** A WARN/INFO capture on the mantis.ros.tcpros loggers. */
  static final class Logs implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("mantis.ros.tcpros");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level before;

    Logs() {
      before = logger.getLevel();
      logger.setLevel(Level.DEBUG);
      appender.start();
      logger.addAppender(appender);
    }

    List<ILoggingEvent> events() {
      synchronized (appender) {
        return new ArrayList<>(appender.list);
      }
    }

    List<String> warnings() {
      List<String> out = new ArrayList<>();
      for (ILoggingEvent e : events()) {
        if (e.getLevel() == Level.WARN) {
          out.add(e.getFormattedMessage());
        }
      }
      return out;
    }

    /** Waits for a WARN line holding every word; returns it. */
    String awaitWarn(String... words) {
      String[] found = new String[1];
      await(
          () -> {
            for (String w : warnings()) {
              boolean all = true;
              for (String word : words) {
                all &= w.contains(word);
              }
              if (all) {
                found[0] = w;
                return true;
              }
            }
            return false;
          },
          "a WARN containing " + List.of(words) + "; got " + warnings());
      return found[0];
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(before);
    }
  }

  /** A fake publisher: accepts connections and runs a script on each. */
  static final class FakePublisher implements AutoCloseable {
    interface Script {
      void run(Socket s, ConnectionHeader request) throws IOException;
    }

    final ServerSocket server;
    final List<ConnectionHeader> requests = new ArrayList<>();
    private final Thread thread;

    FakePublisher(Script script) throws IOException {
      server = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    ConnectionHeader h = ConnectionHeader.read(in, 1 << 16);
                    synchronized (requests) {
                      requests.add(h);
                    }
                    script.run(s, h);
                    OutputStream out = s.getOutputStream();
                    out.flush();
                    s.shutdownOutput();
                    s.setSoTimeout(2000);
                    in.readAllBytes(); // wait for the subscriber to hang up
                  } catch (IOException e) {
                    // next
                  }
                }
              },
              "fake-publisher");
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return local(server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
