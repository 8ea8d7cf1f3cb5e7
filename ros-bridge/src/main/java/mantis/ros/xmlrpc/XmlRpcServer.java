package mantis.ros.xmlrpc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves XML-RPC over HTTP on one address with a small pool of daemon threads. Each POST body (at
 * most {@code maxRequestBytes}) is a {@code <methodCall>} handed to the {@link XmlRpcHandler};
 * malformed requests, handler exceptions and unsupported results are answered with a {@code
 * <fault>} (code -1 for bad requests, -2 for handler failures), never a crash.
 */
public final class XmlRpcServer implements AutoCloseable {
  /** Default request body limit: 1 MiB (ROS slave and master calls are a few KiB). */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(XmlRpcServer.class);
  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final String bindHost;
  private final int requestedPort;
  private final XmlRpcHandler handler;
  private final int threads;
  private final int maxRequestBytes;
  private HttpServer server;
  private ExecutorService pool;

  /** Calls in progress; the array is also the lock close() waits on. */
  private final int[] active = new int[1];

  private final ThreadLocal<Boolean> handling = ThreadLocal.withInitial(() -> false);

  /** 4 threads, {@link #DEFAULT_MAX_REQUEST_BYTES}. */
  public XmlRpcServer(String bindHost, int port, XmlRpcHandler handler) {
    this(bindHost, port, handler, 4, DEFAULT_MAX_REQUEST_BYTES);
  }

  /**
   * @param bindHost address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port port to bind, 0 for any free one
   */
  public XmlRpcServer(
      String bindHost, int port, XmlRpcHandler handler, int threads, int maxRequestBytes) {
    this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
    this.handler = Objects.requireNonNull(handler, "handler");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (maxRequestBytes < 64) {
      throw new IllegalArgumentException("maxRequestBytes must be >= 64, got " + maxRequestBytes);
    }
    this.requestedPort = port;
    this.threads = threads;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Binds and starts serving. */
  public synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("XML-RPC server already started");
    }
    HttpServer s = HttpServer.create(new InetSocketAddress(bindHost, requestedPort), 16);
    int n = SERVERS.incrementAndGet();
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor p =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "xmlrpc-" + n + "-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    p.allowCoreThreadTimeOut(true);
    s.setExecutor(p);
    s.createContext("/", this::handle);
    startAsDaemon(s);
    server = s;
    pool = p;
  }

  /**
   * The JDK server's dispatcher thread inherits the daemon flag of the thread that starts it, so it
   * is started from a daemon thread: an unclosed server must not keep the JVM alive.
   */
  private static void startAsDaemon(HttpServer s) throws IOException {
    RuntimeException[] failure = new RuntimeException[1];
    Thread starter =
        new Thread(
            () -> {
              try {
                s.start();
              } catch (RuntimeException e) {
                failure[0] = e;
              }
            },
            "xmlrpc-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s.stop(0);
      throw new IOException("interrupted while starting the XML-RPC server", e);
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /** The bound port (after {@link #start()}). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("XML-RPC server not started");
    }
    return server.getAddress().getPort();
  }

  /**
   * Stops serving after the calls in progress have answered (waiting at most a second); idempotent.
   */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    awaitIdle(1000);
    server.stop(0);
    pool.shutdownNow();
    server = null;
    pool = null;
  }

  /** Waits up to {@code ms} for calls in progress on other threads to finish. */
  private void awaitIdle(long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000L;
    synchronized (active) {
      int mine = handling.get() ? 1 : 0;
      while (active[0] > mine) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return;
        }
        try {
          active.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    synchronized (active) {
      active[0]++;
    }
    handling.set(true);
    try {
      handleCall(ex);
    } finally {
      handling.set(false);
      synchronized (active) {
        active[0]--;
        active.notifyAll();
      }
    }
  }

  private void handleCall(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equalsIgnoreCase(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "POST");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = readLimited(ex.getRequestBody());
      String answer;
      if (body == null) {
        LOG.warn(
            "XML-RPC request from {} over {} bytes refused",
            ex.getRemoteAddress(),
            maxRequestBytes);
        answer = XmlRpcCodec.encodeFault(-1, "request body over " + maxRequestBytes + " bytes");
      } else {
        answer = answer(body, ex);
      }
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/xml");
      ex.sendResponseHeaders(200, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private String answer(byte[] body, HttpExchange ex) {
    XmlRpcCodec.Call call;
    try {
      call = XmlRpcCodec.decodeCall(body);
    } catch (IOException e) {
      LOG.warn("bad XML-RPC request from {}: {}", ex.getRemoteAddress(), e.getMessage());
      return XmlRpcCodec.encodeFault(-1, e.getMessage());
    }
    Object result;
    try {
      result = handler.call(call.methodName(), call.params());
    } catch (XmlRpcFault f) {
      return XmlRpcCodec.encodeFault(f.faultCode(), f.faultString());
    } catch (Exception | Error e) {
      LOG.warn("XML-RPC {} from {} failed", call.methodName(), ex.getRemoteAddress(), e);
      return XmlRpcCodec.encodeFault(-2, call.methodName() + " failed: " + e);
    }
    try {
      return XmlRpcCodec.encodeResponse(result);
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "XML-RPC {} returned a value XML-RPC cannot carry: {}",
          call.methodName(),
          e.getMessage());
      return XmlRpcCodec.encodeFault(-2, call.methodName() + " failed: " + e.getMessage());
    }
  }

  /** The body, or null when it is longer than the limit. */
  private byte[] readLimited(InputStream in) throws IOException {
    byte[] buf = new byte[Math.min(8192, maxRequestBytes + 1)];
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (buf.length > maxRequestBytes) {
          return null;
        }
        buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, maxRequestBytes + 1));
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        return java.util.Arrays.copyOf(buf, len);
      }
      len += r;
    }
  }
}
