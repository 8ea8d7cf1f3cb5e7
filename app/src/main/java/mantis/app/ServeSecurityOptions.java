package mantis.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import mantis.security.AuditLog;
import mantis.security.ExposurePolicy;
import mantis.security.ServerSecurity;
import mantis.server.config.MantisConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code mantis serve}'s security flags, and the checks that run before anything is loaded or
 * bound: the exposure rule (loopback may stay open; any other address needs TLS and tokens, or
 * {@code --insecure}), the tokens file, the TLS files and the audit log.
 */
final class ServeSecurityOptions {
  private static final Logger log = LoggerFactory.getLogger(ServeSecurityOptions.class);

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description =
          "TLS: the server's certificate chain (PEM); with --tls-key. The dashboard serves HTTPS with it "
              + "too. See docs/SECURITY.md.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "TLS: the private key of --tls-cert (PEM, PKCS#8, unencrypted).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "Mutual TLS: every client must present a certificate signed by this CA.")
  Path tlsClientCa;

  @Option(
      names = "--tokens-file",
      paramLabel = "YAML",
      description =
          "Bearer tokens clients must send (SHA-256 hashes with names and roles; 'mantis token create' "
              + "makes them). With tokens every call needs one, on loopback too; the dashboard's logins take them, "
              + "with their roles.")
  Path tokensFile;

  @Option(
      names = "--audit-log",
      paramLabel = "FILE",
      description =
          "Append JSON lines to FILE: server start/stop, who commands which robot, e-stops, resets, "
              + "takeovers, dashboard logins, denied calls.")
  Path auditLog;

  @Option(
      names = "--insecure",
      description =
          "Allow --host other than loopback without TLS and tokens (and --dashboard-host other than "
              + "loopback over plain HTTP): anyone who can reach the port can drive the robot. Prints a warning.")
  boolean insecure;

  /** The config with these flags applied over its {@code security:} section. */
  MantisConfig apply(MantisConfig cfg) {
    if (tlsCert == null
        && tlsKey == null
        && tlsClientCa == null
        && tokensFile == null
        && auditLog == null) {
      return cfg;
    }
    return cfg.withSecurity(
        cfg.security()
            .withTls(tlsCert, tlsKey, tlsClientCa)
            .withTokensFile(tokensFile)
            .withAuditLog(auditLog));
  }

  /**
   * What {@link #prepare} gives: the security for the server and its audit log (to close after the
   * server).
   */
  record Prepared(ServerSecurity security, AuditLog audit) {}

  /**
   * Checks everything security needs before the server loads or binds anything, printing refusals
   * and warnings to {@code err}.
   *
   * @throws UsageException with the message for a refusal (exit code 2)
   */
  Prepared prepare(MantisConfig cfg, PrintStream err) {
    ServerSecurity probe;
    try {
      probe = ServerFactory.security(cfg, insecure, AuditLog.none());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    ExposurePolicy.Decision d = probe.check(cfg.host());
    if (!d.allowed()) {
      throw new UsageException(
          d.message()
              + ".\n  For example: --tls-cert server.pem --tls-key server-key.pem "
              + "--tokens-file tokens.yaml (tokens from 'mantis token create --tokens-file tokens.yaml --name NAME "
              + "--role operator')");
    }
    try {
      probe.serverCredentials();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    for (String line : d.warningBanner()) {
      err.println(line);
    }
    if (cfg.metricsPort() >= 0 && !ExposurePolicy.isLoopback(cfg.metricsHost())) {
      err.println(
          "mantis serve: warning: the metrics endpoint on "
              + cfg.metricsHost()
              + " has no authentication; "
              + "anyone who can reach it can read the server's metrics (bind it to 127.0.0.1, or keep its port "
              + "behind a firewall)");
      log.warn("metrics endpoint on {} (not loopback) has no authentication", cfg.metricsHost());
    }
    AuditLog audit = AuditLog.none();
    if (cfg.security().auditLog().isPresent()) {
      try {
        audit = AuditLog.open(cfg.security().auditLog().get());
      } catch (IOException e) {
        throw new UsageException(e.getMessage());
      }
    }
    return new Prepared(probe.withAuditLog(audit), audit);
  }

  /** A refusal with its message; the command prints it and exits 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
