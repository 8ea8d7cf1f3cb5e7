package mantis.server;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Admission of long-lived calls: at most {@code maxStreams} open Control streams on the whole server and at
 * most {@code maxPerClient} per client; a stream over either limit is refused at once with RESOURCE_EXHAUSTED
 * and a description naming the limit, before the service sees it.
 *
 * <p>A client is, for now, one connection: this class is also a {@link ServerTransportFilter} that gives
 * every transport (a TCP connection, or one in-process channel transport) its own id ({@link #CONNECTION_ID}).
 * So one client cannot take every slot through one connection. The key is a function of the call ({@code
 * clientKey}): when calls carry an authenticated principal, key by it instead, so that opening many
 * connections does not help either. Register it as an interceptor of the service and as a transport filter of
 * the server builder. Thread-safe.
 */
final class StreamAdmission extends ServerTransportFilter implements ServerInterceptor {
  /** The id {@link #transportReady} gives each transport. */
  static final Attributes.Key<Long> CONNECTION_ID = Attributes.Key.create("mantis.connection-id");

  private final Set<String> methods;
  private final int maxStreams;
  private final int maxPerClient;
  private final Function<ServerCall<?, ?>, Object> clientKey;
  private final ServerMetrics metrics;
  private final AtomicLong ids = new AtomicLong();
  // Guarded by this.
  private int open;
  private final Map<Object, Integer> perClient = new HashMap<>();

  /**
   * @param methods full names of the limited methods (e.g. {@code mantis.v1.PolicyService/Control})
   * @param clientKey the client a call belongs to; null means {@link #byConnection}
   */
  StreamAdmission(Set<String> methods, int maxStreams, int maxPerClient, Function<ServerCall<?, ?>, Object> clientKey,
      ServerMetrics metrics) {
    this.methods = Set.copyOf(methods);
    this.maxStreams = maxStreams;
    this.maxPerClient = maxPerClient;
    this.clientKey = clientKey != null ? clientKey : StreamAdmission::byConnection;
    this.metrics = metrics;
  }

  /** The call's connection: its transport's id, else its remote address. */
  static Object byConnection(ServerCall<?, ?> call) {
    Attributes a = call.getAttributes();
    Long id = a == null ? null : a.get(CONNECTION_ID);
    if (id != null) {
      return id;
    }
    SocketAddress remote = a == null ? null : a.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return remote != null ? remote : "unknown";
  }

  @Override
  public Attributes transportReady(Attributes attributes) {
    return attributes.toBuilder().set(CONNECTION_ID, ids.incrementAndGet()).build();
  }

  /** Open limited calls now. */
  synchronized int open() {
    return open;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    if (!methods.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    Object key = clientKey.apply(call);
    String refusal;
    synchronized (this) {
      int mine = perClient.getOrDefault(key, 0);
      if (open >= maxStreams) {
        refusal = "streams_global";
      } else if (mine >= maxPerClient) {
        refusal = "streams_per_connection";
      } else {
        refusal = null;
        open++;
        perClient.put(key, mine + 1);
      }
    }
    if (refusal != null) {
      metrics.refusals.labelValues(refusal).inc();
      SocketAddress peer = call.getAttributes() == null ? null : call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      String why = refusal.equals("streams_global")
          ? "this server already has " + maxStreams + " open Control streams, its limit "
              + "(admission.max_control_streams); retry later"
          : "this connection" + (peer == null ? "" : " (" + peer + ")") + " already has " + maxPerClient
              + " open Control streams, the limit per connection (admission.max_control_streams_per_connection); "
              + "end one first";
      call.close(Status.RESOURCE_EXHAUSTED.withDescription("Control stream refused: " + why), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        synchronized (this) {
          open--;
          int left = perClient.getOrDefault(key, 1) - 1;
          if (left <= 0) {
            perClient.remove(key);
          } else {
            perClient.put(key, left);
          }
        }
      }
    };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }
    };
  }
}
