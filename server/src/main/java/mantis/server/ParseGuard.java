package mantis.server;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import mantis.core.LogLimiter;

/**
 * Answers requests whose bytes are not a valid message (truncated or garbage protobuf, invalid
 * UTF-8 in a string field) with INVALID_ARGUMENT and a precise description, instead of grpc-java's
 * UNKNOWN ("Application error processing RPC") and a SEVERE stack trace per request.
 *
 * <p>grpc-java parses a request with the method's marshaller just before it hands it to the call's
 * listener, and any exception there closes the call as UNKNOWN and is logged by the executor. So
 * {@link #guard} rebuilds a service definition (same service descriptor, same schema for
 * reflection) whose request marshallers never throw: a parse failure yields a fresh empty message
 * and notes it for this thread; the listener in front of the service's own recognises that very
 * message when grpc-java delivers it (on the same thread, right after parsing), closes the call
 * with INVALID_ARGUMENT, cancels the service's listener and drops the rest of the call. At most one
 * log line per interval (a {@link LogLimiter}), no stack trace.
 */
final class ParseGuard {
  private ParseGuard() {}

  /** A parse failure: the placeholder message handed on, and why parsing failed. */
  private record Failure(Object message, String description) {}

  private static final ThreadLocal<Failure> LAST = new ThreadLocal<>();

  /**
   * True when {@code message} is the placeholder this guard just handed on for bytes that did not
   * parse (on this thread, before the guard's own listener refused the call): interceptors in front
   * of the guard see it first and must not take it for a request (e.g. audit it as a command).
   */
  static boolean isUnparseable(Object message) {
    Failure f = LAST.get();
    return f != null && f.message() == message;
  }

  /** {@code def} with every method's request parse failures answered as INVALID_ARGUMENT. */
  static ServerServiceDefinition guard(
      ServerServiceDefinition def, ServerMetrics metrics, LogLimiter logs) {
    ServiceDescriptor sd = def.getServiceDescriptor();
    ServiceDescriptor.Builder nsd =
        ServiceDescriptor.newBuilder(sd.getName()).setSchemaDescriptor(sd.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : def.getMethods()) {
      ServerMethodDefinition<?, ?> g = guard(m, metrics, logs);
      methods.add(g);
      nsd.addMethod(g.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(nsd.build());
    for (ServerMethodDefinition<?, ?> m : methods) {
      b.addMethod(m);
    }
    return b.build();
  }

  private static <Q, A> ServerMethodDefinition<Q, A> guard(
      ServerMethodDefinition<Q, A> m, ServerMetrics metrics, LogLimiter logs) {
    MethodDescriptor<Q, A> md = m.getMethodDescriptor();
    if (!(md.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> pm)
        || !(pm.getMessagePrototype() instanceof com.google.protobuf.Message)) {
      return m;
    }
    String type =
        ((com.google.protobuf.Message) pm.getMessagePrototype())
            .getDescriptorForType()
            .getFullName();
    MethodDescriptor<Q, A> guarded =
        md.toBuilder(new Marshaller<>(pm, type), md.getResponseMarshaller()).build();
    ServerCallHandler<Q, A> inner = m.getServerCallHandler();
    String rpc = md.getBareMethodName() != null ? md.getBareMethodName() : md.getFullMethodName();
    ServerCallHandler<Q, A> handler =
        (call, headers) -> new Listener<>(call, inner.startCall(call, headers), metrics, logs, rpc);
    return ServerMethodDefinition.create(guarded, handler);
  }

  /** Delegates to the method's marshaller; a parse failure becomes a placeholder and a note. */
  private static final class Marshaller<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
    private final MethodDescriptor.PrototypeMarshaller<Q> delegate;
    private final String type;

    Marshaller(MethodDescriptor.PrototypeMarshaller<Q> delegate, String type) {
      this.delegate = delegate;
      this.type = type;
    }

    @Override
    public InputStream stream(Q value) {
      return delegate.stream(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Q parse(InputStream stream) {
      try {
        Q q = delegate.parse(stream);
        LAST.remove();
        return q;
      } catch (RuntimeException e) {
        Q placeholder =
            (Q)
                ((com.google.protobuf.Message) delegate.getMessagePrototype())
                    .newBuilderForType()
                    .build();
        LAST.set(
            new Failure(
                placeholder,
                "request is not a valid " + type + " (protobuf parse failed: " + reason(e) + ")"));
        return placeholder;
      }
    }

    @Override
    public Q getMessagePrototype() {
      return delegate.getMessagePrototype();
    }

    @Override
    public Class<Q> getMessageClass() {
      return delegate.getMessageClass();
    }
  }

  /** The innermost message of a parse failure, e.g. "Protocol message had invalid UTF-8." */
  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return msg == null || msg.isBlank() ? root.getClass().getSimpleName() : msg.strip();
  }

  /** In front of the service's listener: refuses the call at the first unparseable message. */
  private static final class Listener<Q, A> extends ServerCall.Listener<Q> {
    private final ServerCall<Q, A> call;
    private final ServerCall.Listener<Q> delegate;
    private final ServerMetrics metrics;
    private final LogLimiter logs;
    private final String rpc;
    private boolean refused;

    Listener(
        ServerCall<Q, A> call,
        ServerCall.Listener<Q> delegate,
        ServerMetrics metrics,
        LogLimiter logs,
        String rpc) {
      this.call = call;
      this.delegate = delegate;
      this.metrics = metrics;
      this.logs = logs;
      this.rpc = rpc;
    }

    @Override
    public void onMessage(Q message) {
      Failure f = LAST.get();
      if (f != null && f.message() == message) {
        LAST.remove();
        if (!refused) {
          refused = true;
          metrics.unparseable.labelValues(rpc).inc();
          logs.warn(
              "unparseable-request",
              "{} from {}: {}",
              rpc,
              call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
              f.description());
          call.close(Status.INVALID_ARGUMENT.withDescription(f.description()), new Metadata());
          delegate.onCancel();
        }
        return;
      }
      if (!refused) {
        delegate.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!refused) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (!refused) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        delegate.onReady();
      }
    }
  }
}
