package mantis.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.StageTiming;
import org.junit.jupiter.api.Test;

class PolicyServiceTest {
  private static final double LIMIT = 2.6 - 0.02;

  @Test
  void predictReturnsAChunkThatPassedTheSafetyFilterWithTimingsAndValidity() throws Exception {
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {5, -9, 0.5}, MonotonicClock.system()))) {
      mantis.proto.v1.ActionChunk c = s.blocking().predict(Observations.valid().setStep(7).build());
      assertEquals(List.of("shoulder", "elbow", "wrist"), c.getJointNamesList());
      assertEquals("arm-1", c.getRobotId());
      assertEquals(7, c.getStep());
      assertEquals(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY, c.getSource());
      assertEquals("scripted-1", c.getModelVersion());
      assertEquals(List.of(1, 2, 3, 4), c.getLatentTokensList());
      for (mantis.proto.v1.ActionPoint p : c.getPointsList()) {
        for (double q : p.getPositionsRadList()) {
          assertTrue(Math.abs(q) <= LIMIT + 1e-9, "inside limits: " + q);
        }
      }
      Set<String> kinds =
          c.getInterventionsList().stream().map(i -> i.getKind()).collect(Collectors.toSet());
      assertTrue(kinds.contains("POSITION_LIMIT"), kinds.toString());
      assertEquals(
          List.of("decode", "marks", "policy", "safety", "total"),
          c.getStageTimingsList().stream().map(StageTiming::getStage).collect(Collectors.toList()));
      long total = c.getStageTimings(4).getDurationNanos();
      assertTrue(total > 0 && total >= c.getStageTimings(2).getDurationNanos());
      // Valid for 1 s from when the policy made it, counted from when the observation arrived.
      assertTrue(
          c.getValidForNanos() > 1_000_000_000L - total
              && c.getValidForNanos() <= 1_000_000_000L + total,
          "" + c.getValidForNanos());
    }
  }

  @Test
  void nonFiniteChunksFromThePolicyNeverLeaveTheServer() throws Exception {
    Policy nan =
        TestServer.policy(
            obs ->
                new ActionChunk(
                    TestServer.ROBOT.jointNames(),
                    List.of(
                        new ActionPoint(
                            new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0.1},
                            100_000_000L)),
                    System.nanoTime() + 500_000_000L,
                    null,
                    null,
                    null,
                    "nan",
                    null));
    // No warm-up: warm-up would refuse this policy (see NonFinitePolicyTest); here it serves
    // regardless.
    try (TestServer s = new TestServer(TestServer.builder(nan).optWarmupPredictions(0))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      mantis.proto.v1.ActionChunk c = s.blocking().predict(Observations.valid().build());
      assertFalse(c.getPointsList().isEmpty());
      for (mantis.proto.v1.ActionPoint p : c.getPointsList()) {
        for (double q : p.getPositionsRadList()) {
          assertTrue(Double.isFinite(q));
        }
      }
      assertTrue(c.getInterventionsCount() > 0);
    }
  }

  @Test
  void aFailingPolicyYieldsAHoldWithTheReasonNotAnError() throws Exception {
    Policy broken =
        TestServer.policy(
            obs -> {
              throw new IllegalStateException("model exploded");
            });
    try (TestServer s = TestServer.started(broken)) {
      mantis.proto.v1.ActionChunk c = s.blocking().predict(Observations.valid().build());
      assertTrue(c.getHeld());
      assertEquals("POLICY_ERROR", c.getInterventions(0).getKind());
      assertTrue(c.getInterventions(0).getDetail().contains("model exploded"));
      assertArrayEquals(
          new double[] {0.1, 0.2, 0.3},
          c.getPoints(0).getPositionsRadList().stream().mapToDouble(Double::doubleValue).toArray(),
          1e-12);
    }
  }

  @Test
  void eStopOfOneRobotHoldsThatRobotOnlyUntilReset() throws Exception {
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.5, 0.5, 0.5}, MonotonicClock.system()))) {
      s.server.estop("arm-1", "operator pressed the button");
      mantis.proto.v1.ActionChunk one =
          s.blocking().predict(Observations.valid().setRobotId("arm-1").build());
      mantis.proto.v1.ActionChunk two =
          s.blocking().predict(Observations.valid().setRobotId("arm-2").build());
      assertTrue(one.getHeld());
      assertTrue(one.getInterventionsList().stream().anyMatch(i -> i.getKind().equals("ESTOP")));
      assertFalse(two.getHeld());
      // The e-stop stays latched...
      assertTrue(s.blocking().predict(Observations.valid().setRobotId("arm-1").build()).getHeld());
      s.server.resetEstop("arm-1");
      assertFalse(s.blocking().predict(Observations.valid().setRobotId("arm-1").build()).getHeld());
    }
  }

  @Test
  void describeReportsThePolicyAndTheRobot() throws Exception {
    try (TestServer s =
        TestServer.started(TestServer.movingTo(new double[3], MonotonicClock.system()))) {
      mantis.proto.v1.PolicyInfo info = s.blocking().describe(DescribeRequest.getDefaultInstance());
      assertEquals("scripted", info.getName());
      assertEquals("scripted-1", info.getVersion());
      assertEquals(4, info.getChunkLength());
      assertEquals("mantis-planar-3", info.getRobotName());
      assertEquals(List.of("shoulder", "elbow", "wrist"), info.getJointNamesList());
    }
  }

  @Test
  void healthIsNotServingUntilThePolicyHasWarmedUp() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Policy slowToWarm =
        TestServer.policy(
            obs -> {
              if (obs.robotId().equals("warmup")) {
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return TestServer.chunk(
                  obs.jointState().positionsRad(),
                  obs.jointState().positionsRad(),
                  System.nanoTime() + 1_000_000_000L);
            });
    try (TestServer s = new TestServer(TestServer.builder(slowToWarm).optWarmupPredictions(3))) {
      var health = HealthGrpc.newBlockingStub(s.channel).withDeadlineAfter(5, TimeUnit.SECONDS);
      HealthCheckRequest whole = HealthCheckRequest.getDefaultInstance();
      HealthCheckRequest service =
          HealthCheckRequest.newBuilder().setService(MantisServer.SERVICE_NAME).build();
      assertEquals(ServingStatus.NOT_SERVING, health.check(whole).getStatus());
      assertEquals(ServingStatus.NOT_SERVING, health.check(service).getStatus());
      release.countDown();
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      assertEquals(ServingStatus.SERVING, health.check(whole).getStatus());
      assertEquals(ServingStatus.SERVING, health.check(service).getStatus());
    }
  }

  @Test
  void reflectionListsThePolicyService() throws Exception {
    try (TestServer s =
        TestServer.started(TestServer.movingTo(new double[3], MonotonicClock.system()))) {
      LinkedBlockingQueue<ServerReflectionResponse> responses = new LinkedBlockingQueue<>();
      var in =
          ServerReflectionGrpc.newStub(s.channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
      in.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      ServerReflectionResponse r = responses.poll(5, TimeUnit.SECONDS);
      in.onCompleted();
      assertNotNull(r);
      List<String> names = new ArrayList<>();
      r.getListServicesResponse().getServiceList().forEach(x -> names.add(x.getName()));
      assertTrue(names.contains("mantis.v1.PolicyService"), names.toString());
      assertTrue(names.contains("grpc.health.v1.Health"), names.toString());
    }
  }

  @Test
  void controlStreamAnswersEveryObservationInOrder() throws Exception {
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.3, 0.3, 0.3}, MonotonicClock.system()))) {
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      for (int i = 0; i < 5; i++) {
        in.onNext(Observations.valid().setStep(i).build());
      }
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(10, TimeUnit.SECONDS).getCode());
      List<Long> steps =
          out.chunks().stream()
              .map(mantis.proto.v1.ActionChunk::getStep)
              .collect(Collectors.toList());
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L), steps);
      assertTrue(out.chunks().stream().noneMatch(mantis.proto.v1.ActionChunk::getHeld));
    }
  }

  @Test
  void watchdogHoldsWithinTheTimeoutWhenObservationsStop() throws Exception {
    FakeClock clock = new FakeClock(1_000_000_000L);
    Policy policy = TestServer.movingTo(new double[] {0.3, 0.3, 0.3}, clock);
    try (TestServer s =
        new TestServer(
            TestServer.builder(policy).optClock(clock).optWatchdogTimeoutNanos(100_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(Observations.valid().setJointState(Observations.joints(0.4, -0.2, 0.1)).build());
      mantis.proto.v1.ActionChunk first = out.next(5, TimeUnit.SECONDS);
      assertFalse(first.getHeld());
      clock.advanceMillis(99);
      assertNull(out.next(300, TimeUnit.MILLISECONDS), "no hold before the timeout");
      clock.advanceMillis(2);
      mantis.proto.v1.ActionChunk hold = out.next(5, TimeUnit.SECONDS);
      assertNotNull(hold, "hold after the timeout");
      assertTrue(hold.getHeld());
      assertEquals("WATCHDOG_HOLD", hold.getInterventions(0).getKind());
      assertEquals(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_WATCHDOG, hold.getSource());
      assertArrayEquals(
          new double[] {0.4, -0.2, 0.1},
          hold.getPoints(0).getPositionsRadList().stream()
              .mapToDouble(Double::doubleValue)
              .toArray(),
          1e-12);
      clock.advanceMillis(500);
      assertNull(out.next(300, TimeUnit.MILLISECONDS), "one hold per silence");
      in.onCompleted();
      out.awaitEnd(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void watchdogStaysQuietWhileObservationsAreFresh() throws Exception {
    FakeClock clock = new FakeClock(1_000_000_000L);
    Policy policy = TestServer.movingTo(new double[] {0.3, 0.3, 0.3}, clock);
    try (TestServer s =
        new TestServer(
            TestServer.builder(policy).optClock(clock).optWatchdogTimeoutNanos(100_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      for (int i = 0; i < 6; i++) {
        in.onNext(Observations.valid().setStep(i).build());
        assertFalse(out.next(5, TimeUnit.SECONDS).getHeld());
        clock.advanceMillis(80);
        Thread.sleep(60);
      }
      in.onCompleted();
      out.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(6, out.chunks().size());
      assertTrue(out.chunks().stream().noneMatch(mantis.proto.v1.ActionChunk::getHeld));
    }
  }

  @Test
  void shutdownHoldsOpenStreamsAndLetsInFlightCallsFinish() throws Exception {
    CountDownLatch inPolicy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Policy slow =
        TestServer.policy(
            obs -> {
              if (obs.instruction().equals("slow")) {
                inPolicy.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return TestServer.chunk(
                  obs.jointState().positionsRad(),
                  new double[] {0.2, 0.2, 0.2},
                  System.nanoTime() + 1_000_000_000L);
            });
    TestServer s = TestServer.started(slow);
    try {
      StreamCollector stream = new StreamCollector();
      var in = s.async().control(stream);
      in.onNext(Observations.valid().build());
      assertFalse(stream.next(5, TimeUnit.SECONDS).getHeld());

      CompletableFuture<mantis.proto.v1.ActionChunk> inFlight =
          CompletableFuture.supplyAsync(
              () -> s.blocking().predict(Observations.valid().setInstruction("slow").build()));
      assertTrue(inPolicy.await(5, TimeUnit.SECONDS));
      CompletableFuture<Void> closing = CompletableFuture.runAsync(s.server::close);

      mantis.proto.v1.ActionChunk last = stream.next(5, TimeUnit.SECONDS);
      assertNotNull(last, "open streams get a final hold");
      assertTrue(last.getHeld());
      assertEquals("SHUTDOWN_HOLD", last.getInterventions(0).getKind());
      assertEquals(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_SHUTDOWN, last.getSource());
      assertEquals(Status.Code.OK, stream.awaitEnd(5, TimeUnit.SECONDS).getCode());
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () -> s.blocking().predict(Observations.valid().build()));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());

      assertFalse(inFlight.isDone(), "the in-flight call is still running");
      release.countDown();
      assertEquals(
          3, inFlight.get(5, TimeUnit.SECONDS).getJointNamesCount(), "the in-flight call drained");
      closing.get(10, TimeUnit.SECONDS);
    } finally {
      release.countDown();
      s.close();
    }
  }

  @Test
  void framesAreDecodedAndResizedToThePolicyInputSize() throws Exception {
    AtomicReference<mantis.core.Frame> seen = new AtomicReference<>();
    PolicyInfo info = new PolicyInfo("sized", "1", TestServer.ROBOT.jointNames(), 16, 12, 4, "{}");
    Policy sized =
        new Policy() {
          @Override
          public PolicyInfo info() {
            return info;
          }

          @Override
          public ActionChunk predict(mantis.core.Observation obs) {
            seen.set(obs.frame());
            return TestServer.chunk(
                obs.jointState().positionsRad(),
                obs.jointState().positionsRad(),
                System.nanoTime() + 1_000_000_000L);
          }
        };
    try (TestServer s = TestServer.started(sized)) {
      byte[] png = Observations.encode("png", 64, 48);
      s.blocking()
          .predict(
              Observations.valid()
                  .clearFrames()
                  .addFrames(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_PNG, png))
                  .build());
      assertEquals(16, seen.get().widthPx());
      assertEquals(12, seen.get().heightPx());
      // The test image's red grows 8 per column: a 4x4 box average at column 0 is (0+8+16+24)/4 =
      // 12.
      assertEquals(12, (seen.get().rgbAt(0, 0) >> 16) & 0xff);
      assertEquals(0x40, seen.get().rgbAt(5, 5) & 0xff);
    }
  }

  @Test
  void metricsAreScrapedOverHttp() throws Exception {
    try (TestServer s =
        new TestServer(
            TestServer.builder(TestServer.movingTo(new double[] {5, 0, 0}, MonotonicClock.system()))
                .optMetricsPort(0))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      s.blocking().predict(Observations.valid().build());
      assertThrows(
          StatusRuntimeException.class,
          () -> s.blocking().predict(Observations.valid().setInstruction("").build()));
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + s.server.metricsPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      String text = r.body();
      assertTrue(text.contains("mantis_grpc_requests_total{code=\"OK\",rpc=\"Predict\"} 1"), text);
      assertTrue(
          text.contains("mantis_grpc_requests_total{code=\"INVALID_ARGUMENT\",rpc=\"Predict\"} 1"),
          text);
      for (String stage : List.of("decode", "marks", "policy", "safety", "total")) {
        assertTrue(
            text.contains("mantis_stage_duration_seconds_count{stage=\"" + stage + "\"}"), stage);
      }
      assertTrue(
          text.contains("mantis_stage_duration_seconds_bucket{stage=\"total\",le=\"0.001\"}"),
          text);
      assertTrue(text.contains("mantis_safety_interventions_total{kind=\"POSITION_LIMIT\"}"), text);
      assertTrue(text.contains("mantis_safety_interventions_total{kind=\"ESTOP\"} 0"), text);
      assertTrue(text.contains("mantis_serving 1"), text);
    }
  }
}
