package mantis.ros.bridge;

import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.wire.arm.ArmServiceAdapter;

/**
 * Serves the bridge's {@link BridgeArm} as {@code mantis.v1.ArmService} through {@link
 * ArmServiceAdapter}, with gRPC health, every call behind the given {@link
 * mantis.security.AuthInterceptor}.
 *
 * <p>At most {@code arm_service.max_streams} StreamCommands calls are open at once (each is sent
 * every joint state); one more is refused with {@code RESOURCE_EXHAUSTED} naming the limit.
 */
final class BridgeArmService {
  private BridgeArmService() {}

  /** The adapter serving {@code core}'s arm, with the bridge's stream limit. */
  static ArmServiceAdapter adapter(BridgeCore core, MonotonicClock clock) {
    return ArmServiceAdapter.builder()
        .setArm(new BridgeArm(core, clock))
        .optMaxStreams(core.config().armService().maxStreams(), "arm_service.max_streams")
        .optLabel("bridge's ArmService")
        .build();
  }

  /**
   * Builds and starts a server on {@code sb} with this service for {@code core} and gRPC health
   * ({@code ""} and {@code mantis.v1.ArmService} SERVING), both behind {@code auth}.
   */
  static io.grpc.Server serve(
      BridgeCore core,
      MonotonicClock clock,
      io.grpc.ServerBuilder<?> sb,
      io.grpc.protobuf.services.HealthStatusManager health,
      ServerInterceptor auth)
      throws java.io.IOException {
    return serve(core, clock, sb, health, auth, true);
  }

  /**
   * As {@link #serve(BridgeCore, MonotonicClock, io.grpc.ServerBuilder,
   * io.grpc.protobuf.services.HealthStatusManager, ServerInterceptor)}; with {@code servingNow}
   * false health says NOT_SERVING until the caller sets SERVING (the bridge binds before it has
   * joined the ROS graph).
   */
  static io.grpc.Server serve(
      BridgeCore core,
      MonotonicClock clock,
      io.grpc.ServerBuilder<?> sb,
      io.grpc.protobuf.services.HealthStatusManager health,
      ServerInterceptor auth,
      boolean servingNow)
      throws java.io.IOException {
    io.grpc.health.v1.HealthCheckResponse.ServingStatus initial =
        servingNow
            ? io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
            : io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
    health.setStatus("", initial);
    health.setStatus(ArmServiceGrpc.SERVICE_NAME, initial);
    return sb.addService(ServerInterceptors.intercept(adapter(core, clock), auth))
        .addService(ServerInterceptors.intercept(health.getHealthService(), auth))
        .build()
        .start();
  }
}
