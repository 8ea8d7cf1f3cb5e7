package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.proto.v1.PolicyServiceGrpc;
import org.junit.jupiter.api.Test;

/** Control streams are limited per connection and server-wide, over real TCP connections. */
class StreamLimitsTest {
  @Test
  void streamsBeyondTheConnectionAndServerLimitsAreRefusedWithResourceExhausted() throws Exception {
    MantisServer server =
        TestServer.builder(
                TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
            .optHost("127.0.0.1")
            .optPort(0)
            .optAdmission(Admissions.streams(3, 2))
            .build()
            .start();
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      assertTrue(server.awaitServing(10, TimeUnit.SECONDS));
      ManagedChannel a = channel(server, channels);
      ManagedChannel b = channel(server, channels);
      StreamCollector a1 = new StreamCollector();
      var in1 = open(a, "a1", a1);
      StreamCollector a2 = new StreamCollector();
      open(a, "a2", a2);
      StreamCollector a3 = new StreamCollector();
      PolicyServiceGrpc.newStub(a)
          .control(a3)
          .onNext(Observations.valid().setRobotId("a3").build());
      Status refused = a3.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode());
      assertTrue(
          refused
              .getDescription()
              .contains(
                  "already has 2 open Control streams, the limit per connection "
                      + "(admission.max_control_streams_per_connection)"),
          refused.getDescription());

      StreamCollector b1 = new StreamCollector();
      open(b, "b1", b1);
      StreamCollector b2 = new StreamCollector();
      PolicyServiceGrpc.newStub(b)
          .control(b2)
          .onNext(Observations.valid().setRobotId("b2").build());
      Status full = b2.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getCode());
      assertTrue(
          full.getDescription()
              .contains(
                  "already has 3 open Control streams, its limit "
                      + "(admission.max_control_streams)"),
          full.getDescription());
      assertTrue(
          server
              .scrapeMetrics()
              .contains("mantis_admission_refusals_total{reason=\"streams_global\"} 1.0"));
      assertTrue(
          server
              .scrapeMetrics()
              .contains("mantis_admission_refusals_total{reason=\"streams_per_connection\"} 1.0"));

      in1.onCompleted();
      assertEquals(Status.Code.OK, a1.awaitEnd(5, TimeUnit.SECONDS).getCode());
      Thread.sleep(200); // the server releases the slot when the call closes
      open(b, "b3", new StreamCollector()); // a slot freed by an ended stream is taken again
      assertTrue(b1.chunks().size() >= 1 && a2.chunks().size() >= 1);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
      server.close();
    }
  }

  private static ManagedChannel channel(MantisServer server, List<ManagedChannel> all) {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    all.add(c);
    return c;
  }

  /** Opens a stream and waits for the answer to its first observation. */
  private static io.grpc.stub.StreamObserver<mantis.proto.v1.Observation> open(
      ManagedChannel channel, String robot, StreamCollector out) throws Exception {
    var in = PolicyServiceGrpc.newStub(channel).control(out);
    in.onNext(Observations.valid().setRobotId(robot).build());
    assertNotNull(out.next(10, TimeUnit.SECONDS), "stream " + robot + " answered");
    return in;
  }
}
