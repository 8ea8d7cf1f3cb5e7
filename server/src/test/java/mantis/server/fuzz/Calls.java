package mantis.server.fuzz;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.Observation;

/**
 * Each PolicyService RPC as a fuzz target calls it: send, time it, judge the answer with the {@link
 * RpcOracle}.
 */
final class Calls {
  private Calls() {}

  /**
   * Predict: a chunk that is a safe reply to {@code obs}, or a proper refusal, within the bound.
   */
  static void predict(FuzzServer s, RpcOracle oracle, Observation obs) {
    long t0 = System.nanoTime();
    ActionChunk c;
    try {
      c = s.blocking().predict(obs);
    } catch (StatusRuntimeException e) {
      RpcOracle.checkDuration(t0, "Predict");
      RpcOracle.checkRefusal(e.getStatus(), "Predict");
      return;
    }
    RpcOracle.checkDuration(t0, "Predict");
    oracle.checkReply(c, obs, "Predict");
  }

  /** Annotate: marks (and the drawn frame when asked) or a proper refusal, within the bound. */
  static void annotate(FuzzServer s, RpcOracle oracle, Observation obs) {
    long t0 = System.nanoTime();
    Annotation a;
    try {
      a = s.blocking().annotate(obs);
    } catch (StatusRuntimeException e) {
      RpcOracle.checkDuration(t0, "Annotate");
      RpcOracle.checkRefusal(e.getStatus(), "Annotate");
      return;
    }
    RpcOracle.checkDuration(t0, "Annotate");
    oracle.checkAnnotation(a, obs, "Annotate");
  }

  /** Describe: the served policy, always. */
  static void describe(FuzzServer s, RpcOracle oracle) {
    long t0 = System.nanoTime();
    oracle.checkInfo(s.blocking().describe(DescribeRequest.getDefaultInstance()), "Describe");
    RpcOracle.checkDuration(t0, "Describe");
  }

  /**
   * Control: {@code observations} in order on one stream, each sent after the previous one's
   * answer, like a robot client; then half-close. The k-th reply answers the k-th observation and
   * is safe; watchdog holds in between are safe holds; the stream ends OK (every observation
   * answered) or with a proper refusal; each answer and the end come within the bound.
   *
   * @param pauseAfter index of the observation after which the client goes quiet past the server's
   *     watchdog timeout (so the server sends a watchdog hold), or -1
   */
  static void control(
      FuzzServer s, RpcOracle oracle, List<Observation> observations, int pauseAfter) {
    Probe probe = new Probe();
    StreamObserver<Observation> in =
        s.async()
            .withDeadlineAfter(
                RpcOracle.DEADLINE.toMillis() * (observations.size() + 2), TimeUnit.MILLISECONDS)
            .control(probe);
    List<ActionChunk> replies = new ArrayList<>();
    Status end = null;
    try {
      for (int i = 0; i < observations.size() && end == null; i++) {
        long t0 = System.nanoTime();
        in.onNext(observations.get(i));
        Object next = probe.awaitReplyOrEnd();
        RpcOracle.checkDuration(t0, "Control observation " + i);
        if (next instanceof Status st) {
          end = st;
        } else {
          ActionChunk c = (ActionChunk) next;
          oracle.checkReply(c, observations.get(i), "Control reply " + i);
          replies.add(c);
          if (i == pauseAfter) {
            Thread.sleep(150);
          }
        }
      }
      long t0 = System.nanoTime();
      if (end == null) {
        in.onCompleted();
        end = probe.awaitEnd();
        RpcOracle.checkDuration(t0, "Control half-close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      if (end == null) {
        in.onError(Status.CANCELLED.withDescription("fuzz harness").asRuntimeException());
      }
    }
    for (ActionChunk hold : probe.holds) {
      oracle.checkChunk(hold, "Control watchdog hold");
      if (!hold.getHeld()) {
        throw new AssertionError("Control: a " + hold.getSource() + " chunk that is not a hold");
      }
    }
    if (end.isOk()) {
      if (replies.size() != observations.size()) {
        throw new AssertionError(
            "Control ended OK after answering "
                + replies.size()
                + " of "
                + observations.size()
                + " observations");
      }
    } else {
      RpcOracle.checkRefusal(end, "Control");
    }
  }

  /** The answers of one Control call: replies and the end in a queue, unsolicited holds aside. */
  static final class Probe implements StreamObserver<ActionChunk> {
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    final List<ActionChunk> holds = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onNext(ActionChunk c) {
      if (c.getSource() == ChunkSource.CHUNK_SOURCE_REPLY) {
        queue.add(c);
      } else {
        holds.add(c);
      }
    }

    @Override
    public void onError(Throwable t) {
      queue.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      queue.add(Status.OK);
    }

    /** The next reply or the end status; fails when neither comes before the deadline. */
    Object awaitReplyOrEnd() throws InterruptedException {
      Object next = queue.poll(RpcOracle.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError(
            "Control: no answer within " + RpcOracle.DEADLINE.toMillis() + " ms (a hang)");
      }
      return next;
    }

    /** The end status after the client half-closed; a reply now is a reply to nothing. */
    Status awaitEnd() throws InterruptedException {
      Object next = awaitReplyOrEnd();
      if (next instanceof Status st) {
        return st;
      }
      throw new AssertionError("Control: a reply after every observation was answered: " + next);
    }
  }
}
