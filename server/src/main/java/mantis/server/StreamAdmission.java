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
import mantis.security.Principal;

/**
 * Admission of long-lived calls: at most {@code maxStreams} open Control streams on the whole
 * server, at most {@code maxPerConnection} per client connection and, for token-authenticated
 * callers, at most {@code maxPerPrincipal} per principal (all its connections together); a stream
 * over any limit is refused at once with RESOURCE_EXHAUSTED and a description naming the limit,
 * before the service sees it.
 *
 * <p>A connection is numbered by this class, which is also a {@link ServerTransportFilter} giving
 * every transport (a TCP connection, or one in-process channel transport) its own id ({@link
 * #CONNECTION_ID}), so one connection cannot take every slot. The principal is {@link
 * Principal#current()}, which the auth interceptor (running before this one) puts in the call's
 * context: a token's name, so a token opening many connections cannot take every slot either.
 * Callers without a token share fixed names ({@value Principal#LOCAL_NO_AUTH}, {@value
 * Principal#INSECURE_NO_AUTH}, the in-process listener's {@value Principal#IN_PROCESS}, or {@value
 * Principal#NONE} without an auth interceptor); they are not one client, so they are limited per
 * connection only. Register it as an interceptor of the service and as a transport filter of the
 * server builder. Thread-safe.
 */
final class StreamAdmission extends ServerTransportFilter implements ServerInterceptor {
  /** The id {@link #transportReady} gives each transport. */
  static final Attributes.Key<Long> CONNECTION_ID = Attributes.Key.create("mantis.connection-id");

  private final Set<String> methods;
  private final int maxStreams;
  private final int maxPerConnection;
  private final int maxPerPrincipal;
  private final ServerMetrics metrics;
  private final AtomicLong ids = new AtomicLong();
  // Guarded by this.
  private int open;
  private final Map<Object, Integer> perConnection = new HashMap<>();
  private final Map<String, Integer> perPrincipal = new HashMap<>();

  /**
   * @param methods full names of the limited methods (e.g. {@code mantis.v1.PolicyService/Control})
   */
  StreamAdmission(
      Set<String> methods,
      int maxStreams,
      int maxPerConnection,
      int maxPerPrincipal,
      ServerMetrics metrics) {
    this.methods = Set.copyOf(methods);
    this.maxStreams = maxStreams;
    this.maxPerConnection = maxPerConnection;
    this.maxPerPrincipal = maxPerPrincipal;
    this.metrics = metrics;
  }

  /**
   * The token-authenticated principal of the current call, or null for callers without a token (the
   * fixed names of unauthenticated listeners; the in-process listener's principal is told apart
   * from a token of the same name by its peer, which is {@value Principal#IN_PROCESS} too).
   */
  static String tokenPrincipal() {
    Principal p = Principal.current();
    String name = p.name();
    if (name.equals(Principal.LOCAL_NO_AUTH)
        || name.equals(Principal.INSECURE_NO_AUTH)
        || name.equals(Principal.NONE)
        || name.equals(Principal.IN_PROCESS) && p.peer().equals(Principal.IN_PROCESS)) {
      return null;
    }
    return name;
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

  private static <K> void decrement(Map<K, Integer> counts, K key) {
    int left = counts.getOrDefault(key, 1) - 1;
    if (left <= 0) {
      counts.remove(key);
    } else {
      counts.put(key, left);
    }
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
    Object connection = byConnection(call);
    String principal = tokenPrincipal();
    String refusal;
    int had = 0;
    synchronized (this) {
      int onConnection = perConnection.getOrDefault(connection, 0);
      int ofPrincipal = principal == null ? 0 : perPrincipal.getOrDefault(principal, 0);
      if (open >= maxStreams) {
        refusal = "streams_global";
      } else if (onConnection >= maxPerConnection) {
        refusal = "streams_per_connection";
      } else if (principal != null && ofPrincipal >= maxPerPrincipal) {
        refusal = "streams_per_principal";
        had = ofPrincipal;
      } else {
        refusal = null;
        open++;
        perConnection.put(connection, onConnection + 1);
        if (principal != null) {
          perPrincipal.put(principal, ofPrincipal + 1);
        }
      }
    }
    if (refusal != null) {
      metrics.refusals.labelValues(refusal).inc();
      SocketAddress peer =
          call.getAttributes() == null
              ? null
              : call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      String why =
          switch (refusal) {
            case "streams_global" ->
                "this server already has "
                    + maxStreams
                    + " open Control streams, its limit "
                    + "(admission.max_control_streams); retry later";
            case "streams_per_connection" ->
                "this connection"
                    + (peer == null ? "" : " (" + peer + ")")
                    + " already has "
                    + maxPerConnection
                    + " open Control streams, the limit per connection "
                    + "(admission.max_control_streams_per_connection); end one first";
            default ->
                "principal '"
                    + principal
                    + "' already has "
                    + had
                    + " open Control streams, the limit per "
                    + "principal (admission.max_control_streams_per_principal); end one first";
          };
      call.close(
          Status.RESOURCE_EXHAUSTED.withDescription("Control stream refused: " + why),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            synchronized (this) {
              open--;
              decrement(perConnection, connection);
              if (principal != null) {
                decrement(perPrincipal, principal);
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
