package mantis.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mantis.proto.v1.ActionChunk;

/** Collects a Control stream's chunks and its end status. */
final class StreamCollector implements StreamObserver<ActionChunk> {
  private final LinkedBlockingQueue<ActionChunk> queue = new LinkedBlockingQueue<>();
  private final List<ActionChunk> all = new ArrayList<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Status status;

  @Override
  public synchronized void onNext(ActionChunk value) {
    all.add(value);
    queue.add(value);
  }

  @Override
  public void onError(Throwable t) {
    status = Status.fromThrowable(t);
    ended.countDown();
  }

  @Override
  public void onCompleted() {
    status = Status.OK;
    ended.countDown();
  }

  ActionChunk next(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  synchronized List<ActionChunk> chunks() {
    return List.copyOf(all);
  }

  /** The end status, or null when the stream has not ended within the timeout. */
  Status endWithin(long timeout, TimeUnit unit) throws InterruptedException {
    return ended.await(timeout, unit) ? status : null;
  }

  Status awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
    if (!ended.await(timeout, unit)) {
      throw new AssertionError("stream did not end");
    }
    return status;
  }
}
