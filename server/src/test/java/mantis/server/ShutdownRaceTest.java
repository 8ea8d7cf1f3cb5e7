package mantis.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ActionChunk;
import org.junit.jupiter.api.Test;

/**
 * Closing the server while a client cancels its Control stream: a cancel that lands between the
 * stream's isCancelled() check and its final hold must not throw out of {@link
 * MantisServer#close()} (which would leave the other streams without their hold). The response
 * observer here behaves as grpc-java's does: after a cancel, onNext throws CANCELLED unless a
 * cancel handler was set.
 */
class ShutdownRaceTest {
  /** A server-side response observer whose call is cancelled just as the next chunk is sent. */
  static final class CancellingObserver extends ServerCallStreamObserver<ActionChunk> {
    final List<ActionChunk> chunks = new CopyOnWriteArrayList<>();
    final CountDownLatch first = new CountDownLatch(1);
    volatile boolean cancelOnNextSend;
    volatile boolean cancelled;
    volatile Runnable onCancel;
    volatile boolean completed;

    @Override
    public void onNext(ActionChunk value) {
      if (cancelOnNextSend) {
        cancelled = true; // the client's cancel arrives now, after the caller checked isCancelled()
      }
      if (cancelled) {
        if (onCancel == null) {
          throw Status.CANCELLED.withDescription("call already cancelled").asRuntimeException();
        }
        return;
      }
      chunks.add(value);
      first.countDown();
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      completed = true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
      onCancel = handler;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void disableAutoRequest() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }

  @Test
  void aStreamCancelledDuringShutdownDoesNotKeepTheOthersFromTheirFinalHold() throws Exception {
    TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()));
    CancellingObserver racing = new CancellingObserver();
    CancellingObserver other = new CancellingObserver();
    s.server
        .policyService()
        .control(racing)
        .onNext(Observations.valid().setRobotId("racing").build());
    s.server
        .policyService()
        .control(other)
        .onNext(Observations.valid().setRobotId("other").build());
    assertTrue(racing.first.await(5, TimeUnit.SECONDS));
    assertTrue(other.first.await(5, TimeUnit.SECONDS));
    racing.cancelOnNextSend = true;
    other.cancelOnNextSend = false;

    assertDoesNotThrow(s::close);

    assertEquals(2, other.chunks.size(), "the other stream got its final hold");
    assertTrue(other.chunks.get(1).getHeld());
    assertTrue(other.completed);
  }
}
