/**
 * Who may call what on Mantis's gRPC services, over which transport, and the record of it.
 *
 * <ul>
 *   <li>{@link mantis.security.Role} and {@link mantis.security.Principal}: the caller of a gRPC
 *       call and its role (viewer, operator, admin), put in the call's {@link io.grpc.Context} by
 *       the {@link mantis.security.AuthInterceptor}.
 *   <li>{@link mantis.security.TokenStore} and {@link mantis.security.TokenEntry}: bearer tokens,
 *       stored as SHA-256 hashes only; {@link mantis.security.TokenStore#newToken()} makes new
 *       ones.
 *   <li>{@link mantis.security.MethodRoles}: the role each gRPC method needs (deny by default).
 *   <li>{@link mantis.security.BearerToken} and {@link mantis.security.ClientSecurity}: the client
 *       side (call credentials, TLS channel credentials).
 *   <li>{@link mantis.security.TlsServerConfig} and {@link mantis.security.TlsClientConfig}: PEM
 *       files to gRPC credentials, with errors that name the file.
 *   <li>{@link mantis.security.ExposurePolicy}: whether a server may bind an address with the
 *       security it has (loopback may stay open; anything else needs TLS and tokens, or {@code
 *       --insecure}).
 *   <li>{@link mantis.security.ServerSecurity}: one value with all of the above for a server.
 *   <li>{@link mantis.security.AuditLog} and {@link mantis.security.AuditEvent}: JSON lines of who
 *       commanded which robot, e-stops, resets, takeovers and denied calls.
 * </ul>
 *
 * <p>This module depends on gRPC's API, Jackson and SLF4J only, so the server, the ROS bridge and
 * the simulator's clients can all use it.
 */
package mantis.security;
