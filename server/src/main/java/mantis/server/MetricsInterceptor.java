package mantis.server;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts every finished call by method and status code. */
final class MetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;

  MetricsInterceptor(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String rpc = call.getMethodDescriptor().getBareMethodName();
    String service = call.getMethodDescriptor().getServiceName();
    String label =
        rpc == null
            ? call.getMethodDescriptor().getFullMethodName()
            : (service != null && service.startsWith("mantis.") ? rpc : service + "/" + rpc);
    return next.startCall(
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.requests.labelValues(label, status.getCode().name()).inc();
            super.close(status, trailers);
          }
        },
        headers);
  }
}
