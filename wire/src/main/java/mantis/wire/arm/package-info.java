/**
 * {@link mantis.wire.arm.ArmServiceAdapter}: serves any {@link mantis.core.arm.Arm} as {@code
 * mantis.v1.ArmService} over gRPC (stream handling, status codes, limits). Security
 * (authentication, the exposure rule) is the serving side's: wrap the adapter with {@code
 * mantis.security.AuthInterceptor}.
 */
package mantis.wire.arm;
