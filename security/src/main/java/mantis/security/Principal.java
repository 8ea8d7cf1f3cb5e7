package mantis.security;

import io.grpc.Context;
import java.util.Objects;

/**
 * The caller of one gRPC call: the name of its token (or of the trusted listener), its role and its
 * network peer. The {@link AuthInterceptor} puts it in the call's {@link Context} under {@link
 * #CONTEXT_KEY}; service code reads it with {@link #current()} (for the audit log, say).
 *
 * @param name the token's name, or a fixed name for unauthenticated listeners ({@value
 *     #LOCAL_NO_AUTH}, {@value #INSECURE_NO_AUTH}, {@value #IN_PROCESS})
 * @param role what the caller may do
 * @param peer the remote address ({@code 10.0.0.7:51234}), or a description for in-process calls;
 *     may be empty
 */
public record Principal(String name, Role role, String peer) {
  /** The principal of every call on a loopback server without tokens. */
  public static final String LOCAL_NO_AUTH = "local (no auth)";

  /** The principal of every call on a server started with {@code --insecure} and no tokens. */
  public static final String INSECURE_NO_AUTH = "insecure (no auth)";

  /** The principal of calls on a server's in-process listener (clients inside the same JVM). */
  public static final String IN_PROCESS = "in-process";

  /** The principal {@link #current()} returns outside an intercepted call. */
  public static final String NONE = "(none)";

  /** Where the {@link AuthInterceptor} puts the caller of each call. */
  public static final Context.Key<Principal> CONTEXT_KEY = Context.key("mantis.security.principal");

  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    peer = peer == null ? "" : peer;
  }

  /**
   * The caller of the current gRPC call. On a loopback server without tokens that is {@value
   * #LOCAL_NO_AUTH} with {@link Role#ADMIN}. Outside a call that passed an {@link AuthInterceptor}
   * (another thread, a test) it is a principal named {@value #NONE} with the lowest role, {@link
   * Role#VIEWER}: use it for labels, not to grant access.
   */
  public static Principal current() {
    Principal p = CONTEXT_KEY.get();
    return p != null ? p : new Principal(NONE, Role.VIEWER, "");
  }

  /** A copy with another peer. */
  public Principal withPeer(String newPeer) {
    return new Principal(name, role, newPeer);
  }

  @Override
  public String toString() {
    return name + " (" + role.configName() + (peer.isEmpty() ? "" : ", " + peer) + ")";
  }
}
