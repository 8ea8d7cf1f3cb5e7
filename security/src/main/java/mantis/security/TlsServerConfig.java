package mantis.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS files: its certificate chain and private key (PEM, key in PKCS#8), and optionally
 * a client CA, which turns on mutual TLS: every client must then present a certificate signed by
 * that CA (REQUIRED, not optional).
 *
 * <p>{@link #toCredentials()} reads and checks the files (PEM, the key belongs to the certificate,
 * not expired) and fails with a message naming the file; it logs the certificate's subject, names
 * and expiry, and warns when it expires within 30 days.
 *
 * @param certChain PEM certificate chain, the server's certificate first
 * @param privateKey PEM private key of that certificate, PKCS#8 ({@code -----BEGIN PRIVATE
 *     KEY-----}), unencrypted
 * @param clientCa PEM CA certificate(s) client certificates must chain to; empty for TLS without
 *     client certificates
 */
public record TlsServerConfig(Path certChain, Path privateKey, Optional<Path> clientCa) {
  private static final Logger log = LoggerFactory.getLogger(TlsServerConfig.class);

  /** The alias of the one entry of {@link #toKeyStore(char[])}. */
  public static final String KEY_ALIAS = "mantis";

  public TlsServerConfig {
    Objects.requireNonNull(certChain, "TLS certificate chain file is required with a private key");
    Objects.requireNonNull(privateKey, "TLS private key file is required with a certificate chain");
    clientCa = clientCa == null ? Optional.empty() : clientCa;
  }

  /** TLS without client certificates. */
  public static TlsServerConfig of(Path certChain, Path privateKey) {
    return new TlsServerConfig(certChain, privateKey, Optional.empty());
  }

  /** True when clients must present certificates. */
  public boolean mutual() {
    return clientCa.isPresent();
  }

  /**
   * Reads and checks the files and returns gRPC server credentials.
   *
   * @throws IllegalArgumentException naming the file that is missing, unreadable, not PEM, expired
   *     or mismatched
   */
  public ServerCredentials toCredentials() {
    return toCredentials(Clock.systemUTC());
  }

  ServerCredentials toCredentials(Clock clock) {
    Checked c = check(clock);
    byte[] chainPem = c.chainPem();
    byte[] keyPem = c.keyPem();
    X509Certificate leaf = c.chain().get(0);
    PemFiles.Validity v = c.validity();
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder();
    try {
      b.keyManager(new ByteArrayInputStream(chainPem), new ByteArrayInputStream(keyPem));
      if (clientCa.isPresent()) {
        byte[] caPem = PemFiles.read(clientCa.get(), "TLS client CA");
        List<X509Certificate> cas = PemFiles.certificates(caPem, clientCa.get(), "TLS client CA");
        b.trustManager(new ByteArrayInputStream(caPem))
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        log.info("TLS: client certificates REQUIRED, signed by {}", PemFiles.subject(cas.get(0)));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "TLS files " + certChain + ", " + privateKey + ": " + e.getMessage(), e);
    }
    String names = PemFiles.altNames(leaf);
    log.info(
        "TLS: server certificate {}{}, valid until {}",
        PemFiles.subject(leaf),
        names.isEmpty()
            ? " (no subject alternative names: clients checking host names will refuse it)"
            : ", names " + names,
        leaf.getNotAfter().toInstant());
    if (v.warning() != null) {
      log.warn(
          "TLS: the server certificate {} ({}) {}", certChain, PemFiles.subject(leaf), v.warning());
    }
    return b.build();
  }

  /**
   * The certificate chain and private key as an in-memory PKCS#12 {@link KeyStore} (one entry,
   * alias {@value #KEY_ALIAS}, protected by {@code password}), for servers that take a key store
   * rather than PEM files: the teleop dashboard's HTTPS listener (Jetty). The files are read and
   * checked exactly as by {@link #toCredentials()}. The client CA is not part of it.
   *
   * @throws IllegalArgumentException naming the file that is missing, unreadable, not PEM, expired
   *     or mismatched
   */
  public KeyStore toKeyStore(char[] password) {
    return toKeyStore(password, Clock.systemUTC());
  }

  KeyStore toKeyStore(char[] password, Clock clock) {
    Objects.requireNonNull(password, "password");
    Checked c = check(clock);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(KEY_ALIAS, c.key(), password, c.chain().toArray(new Certificate[0]));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "TLS files "
              + certChain
              + ", "
              + privateKey
              + ": cannot make a key store ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /**
   * Reads the PEM files and checks them: the key belongs to the leaf certificate, which has not
   * expired.
   */
  private Checked check(Clock clock) {
    byte[] chainPem = PemFiles.read(certChain, "TLS certificate chain");
    byte[] keyPem = PemFiles.read(privateKey, "TLS private key");
    List<X509Certificate> chain =
        PemFiles.certificates(chainPem, certChain, "TLS certificate chain");
    X509Certificate leaf = chain.get(0);
    PrivateKey key = PemFiles.privateKey(keyPem, privateKey, "TLS private key");
    PemFiles.checkPair(key, leaf, privateKey, certChain);
    PemFiles.Validity v = PemFiles.validity(leaf, clock.instant());
    if (v.expired()) {
      throw new IllegalArgumentException(
          "TLS certificate chain "
              + certChain
              + ": the server certificate ("
              + PemFiles.subject(leaf)
              + ") "
              + v.warning()
              + "; clients will refuse it");
    }
    return new Checked(chainPem, keyPem, chain, key, v);
  }

  /** The files' bytes and what was read from them. */
  private record Checked(
      byte[] chainPem,
      byte[] keyPem,
      List<X509Certificate> chain,
      PrivateKey key,
      PemFiles.Validity validity) {}

  @Override
  public String toString() {
    return "tls(cert "
        + certChain
        + ", key "
        + privateKey
        + clientCa.map(p -> ", client CA " + p + " (mTLS)").orElse("")
        + ")";
  }
}
