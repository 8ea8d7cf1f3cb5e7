package mantis.security;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests: a CA, a server certificate for {@code
 * localhost} and {@code 127.0.0.1}, and a client certificate, written as PEM files (keys in PKCS#8)
 * into a folder. EC P-256 keys, so making them takes milliseconds. Shared with other modules' tests
 * through this module's test jar.
 */
public final class TestCertificates {
  /** A certificate and its key, as PEM files. */
  public record Pair(Path cert, Path key) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate caCert;

  /** The CA certificate (what clients trust). */
  public final Path ca;

  /** The server's certificate (SAN localhost, 127.0.0.1, ::1) and key. */
  public final Pair server;

  /** A client certificate signed by the same CA, and its key. */
  public final Pair client;

  private TestCertificates(Path dir, String caName) throws IOException, GeneralSecurityException {
    this.dir = dir;
    Files.createDirectories(dir);
    caKeys = newKeys();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=" + caName);
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            serial(),
            Date.from(now.minusSeconds(60)),
            Date.from(now.plus(Duration.ofDays(365))),
            name,
            caKeys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      caCert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (Exception e) {
      throw new GeneralSecurityException(e);
    }
    ca = writeCert(caCert, caName.replace(' ', '-').toLowerCase() + "-ca.pem");
    server = issue("localhost", true, Duration.ofDays(90), "server");
    client = issue("test-client", false, Duration.ofDays(90), "client");
  }

  /** A new CA with server and client certificates in {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException, GeneralSecurityException {
    return new TestCertificates(dir, "Mantis Test CA");
  }

  /**
   * A new CA named {@code caName} (another, untrusted CA, say) with its certificates in {@code
   * dir}.
   */
  public static TestCertificates create(Path dir, String caName)
      throws IOException, GeneralSecurityException {
    return new TestCertificates(dir, caName);
  }

  /**
   * A certificate signed by this CA, valid from a minute ago for {@code validity} (negative:
   * already expired), for a server ({@code localhost}, {@code 127.0.0.1}, {@code ::1}) or a client;
   * files {@code <file>.pem} and {@code <file>-key.pem}.
   */
  public Pair issue(String commonName, boolean forServer, Duration validity, String file)
      throws IOException, GeneralSecurityException {
    KeyPair keys = newKeys();
    Instant now = Instant.now();
    Instant notBefore =
        validity.isNegative()
            ? now.plus(validity).minus(Duration.ofDays(30))
            : now.minusSeconds(60);
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            caCert,
            serial(),
            Date.from(notBefore),
            Date.from(now.plus(validity)),
            new X500Name("CN=" + commonName),
            keys.getPublic());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              forServer ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      if (forServer) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                  new GeneralName(GeneralName.iPAddress, "::1")
                }));
      }
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
      return new Pair(
          writeCert(cert, file + ".pem"), writeKey(keys.getPrivate(), file + "-key.pem"));
    } catch (IOException | GeneralSecurityException e) {
      throw e;
    } catch (Exception e) {
      throw new GeneralSecurityException(e);
    }
  }

  private Path writeCert(X509Certificate cert, String name)
      throws IOException, GeneralSecurityException {
    return write(name, "CERTIFICATE", cert.getEncoded());
  }

  private Path writeKey(PrivateKey key, String name) throws IOException {
    return write(name, "PRIVATE KEY", key.getEncoded());
  }

  private Path write(String name, String type, byte[] der) throws IOException {
    String pem =
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n";
    Path p = dir.resolve(name);
    Files.writeString(p, pem, StandardCharsets.US_ASCII);
    return p;
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
  }
}
