package mantis.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link AuditLog#open(Path)}: JSON lines appended to a file. */
final class JsonLinesAuditLog implements AuditLog {
  private static final Logger log = LoggerFactory.getLogger(JsonLinesAuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Clock clock;
  private final FileChannel channel;
  private final AtomicLong failures = new AtomicLong();
  private final RateLimit errorLog = new RateLimit(System::nanoTime, TimeUnit.SECONDS.toNanos(10));
  private boolean closed;

  private JsonLinesAuditLog(Path file, Clock clock, FileChannel channel) {
    this.file = file;
    this.clock = clock;
    this.channel = channel;
  }

  static JsonLinesAuditLog open(Path file, Clock clock) throws IOException {
    try {
      OwnerOnlyFiles.createIfMissing(file);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      log.info("audit log: appending JSON lines to {}", file.toAbsolutePath());
      return new JsonLinesAuditLog(file, clock, ch);
    } catch (AccessDeniedException e) {
      throw new IOException("audit log " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new IOException("audit log " + file + ": cannot open it for appending (" + e + ")", e);
    }
  }

  /** The line for an event at the current time, without the newline. */
  String line(AuditEvent e) throws JsonProcessingException {
    ObjectNode o = JSON.createObjectNode();
    o.put("time", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
    o.put("event", e.event());
    putIfSet(o, "principal", e.principalName());
    if (e.role() != null) {
      o.put("role", e.role().configName());
    }
    putIfSet(o, "peer", e.peer());
    putIfSet(o, "robot_id", e.robotId());
    putIfSet(o, "detail", e.detail());
    for (Map.Entry<String, Object> f : e.fields().entrySet()) {
      Object v = f.getValue();
      if (v instanceof Boolean b) {
        o.put(f.getKey(), b);
      } else if (v instanceof Integer
          || v instanceof Long
          || v instanceof Short
          || v instanceof Byte) {
        o.put(f.getKey(), ((Number) v).longValue());
      } else if (v instanceof Number n) {
        o.put(f.getKey(), n.doubleValue());
      } else {
        o.put(f.getKey(), String.valueOf(v));
      }
    }
    return JSON.writeValueAsString(o);
  }

  private static void putIfSet(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  @Override
  public void record(AuditEvent event) {
    try {
      byte[] bytes = (line(event) + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (this) {
        if (closed) {
          throw new IOException("the audit log is closed");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
      }
    } catch (IOException | RuntimeException e) {
      long n = failures.incrementAndGet();
      long held = errorLog.tryAcquire();
      if (held >= 0) {
        log.error(
            "audit log {}: could not write {} ({}); {} audit event(s) lost so far",
            file,
            event.event(),
            e,
            n);
      }
    }
  }

  @Override
  public long failures() {
    return failures.get();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("audit log {}: close failed: {}", file, e.toString());
    }
  }

  @Override
  public String toString() {
    return "AuditLog[" + file + "]";
  }
}
