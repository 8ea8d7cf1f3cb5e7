package mantis.ros.tcpros;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's connection on the publisher side: a bounded queue of serialized messages that
 * drops the oldest, and one writer thread. Queued payloads are shared by every connection (never
 * modified); the writer adds the length prefix. A write failure closes only this connection.
 */
final class OutConnection {
  private static final Logger log = LoggerFactory.getLogger(OutConnection.class);
  private static final int BUFFER_BYTES = 64 * 1024;

  final int id;
  final String peer;
  private final Publication<?> owner;
  private final Socket socket;
  private final byte[] replyHeader;
  private final int capacity;
  private final ArrayDeque<byte[]> queue;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private final Thread writer;
  private boolean closed; // guarded by lock
  private long dropped; // guarded by lock
  private boolean writing =
      true; // a frame (or the reply header) taken but not yet flushed; guarded by lock

  OutConnection(
      Publication<?> owner, Socket socket, String peer, byte[] replyHeader, int capacity) {
    this.id = Wire.IDS.incrementAndGet();
    this.owner = owner;
    this.socket = socket;
    this.peer = peer;
    this.replyHeader = replyHeader;
    this.capacity = capacity;
    this.queue = new ArrayDeque<>(Math.min(capacity, 64));
    this.writer = new Thread(this::writeLoop, "tcpros-out-" + owner.topic() + "-" + id);
    this.writer.setDaemon(true);
  }

  void start() {
    writer.start();
  }

  /** Queues a serialized message; never blocks on I/O. */
  void offer(byte[] frame) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (queue.size() >= capacity) {
        queue.pollFirst();
        dropped++;
      }
      queue.addLast(frame);
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  boolean isOpen() {
    lock.lock();
    try {
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every queued message has been written and flushed to the socket, the connection
   * closed, or {@code deadlineNanos} (on {@link System#nanoTime()}) passed.
   *
   * @return true unless the deadline passed first
   */
  boolean awaitDrained(long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (!closed && (writing || !queue.isEmpty())) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        drained.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  BusConnection info() {
    return new BusConnection(id, peer, 'o', owner.topic(), isOpen());
  }

  private void writeLoop() {
    try {
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
      byte[] lengthScratch = new byte[4];
      out.write(replyHeader);
      out.flush();
      while (true) {
        byte[] frame;
        boolean more;
        lock.lock();
        try {
          while (queue.isEmpty() && !closed) {
            writing = false;
            drained.signalAll();
            ready.await();
          }
          writing = true;
          if (closed) {
            return;
          }
          frame = queue.pollFirst();
          more = !queue.isEmpty();
        } finally {
          lock.unlock();
        }
        Wire.writeFrame(out, lengthScratch, frame, BUFFER_BYTES);
        if (!more) {
          out.flush(); // flush once the backlog is written: one segment per message when idle
        }
      }
    } catch (IOException e) {
      if (isOpen()) {
        log.info(
            "TCPROS: subscriber {} of {} disconnected: {}", peer, owner.topic(), e.getMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  /** Closes the socket and stops the writer; idempotent. */
  void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      ready.signalAll();
      drained.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    owner.removed(this);
  }
}
