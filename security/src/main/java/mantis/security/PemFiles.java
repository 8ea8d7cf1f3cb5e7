package mantis.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks PEM certificates and private keys, with errors that name the file and say what
 * to do.
 */
final class PemFiles {
  static final Duration EXPIRY_WARNING = Duration.ofDays(30);
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private PemFiles() {}

  /** The bytes of a file; {@code what} names it in errors ("TLS certificate chain"). */
  static byte[] read(Path file, String what) {
    try {
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException(what + " " + file + ": is a folder, not a PEM file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(what + " " + file + ": permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  /** Every certificate of a PEM file, in file order (the leaf first in a chain); at least one. */
  static List<X509Certificate> certificates(byte[] pem, Path file, String what) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + ": not a PEM certificate (no '-----BEGIN CERTIFICATE-----' "
              + "line)"
              + (text.contains("PRIVATE KEY-----")
                  ? "; it holds a private key: swap the certificate and key files?"
                  : ""));
    }
    try {
      Collection<? extends java.security.cert.Certificate> all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
      List<X509Certificate> out = new ArrayList<>();
      for (java.security.cert.Certificate c : all) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new CertificateException("no certificate found");
      }
      return out;
    } catch (CertificateException | ClassCastException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": not a valid PEM X.509 certificate (" + e.getMessage() + ")");
    }
  }

  /** The private key of a PEM file in PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC. */
  static PrivateKey privateKey(byte[] pem, Path file, String what) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + ": the key is encrypted with a passphrase, which is not "
              + "supported; write an unencrypted copy readable only by the server's user: openssl pkey -in "
              + file
              + " -out key.pem && chmod 600 key.pem");
    }
    if (text.contains("-----BEGIN RSA PRIVATE KEY-----")
        || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + ": the key is in the old PKCS#1/SEC1 format; convert it "
              + "to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out key.pem");
    }
    Matcher m = PKCS8.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + ": not a PEM private key (no '-----BEGIN PRIVATE KEY-----' "
              + "block)"
              + (text.contains("BEGIN CERTIFICATE")
                  ? "; it holds a certificate: swap the certificate and key " + "files?"
                  : ""));
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": the key's base64 is damaged (" + e.getMessage() + ")");
    }
    for (String alg : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(
        what + " " + file + ": not an RSA or EC private key Java can read");
  }

  /**
   * Throws unless {@code key} is the private key of {@code cert} (signs a random message and
   * verifies it).
   */
  static void checkPair(PrivateKey key, X509Certificate cert, Path keyFile, Path certFile) {
    PublicKey pub = cert.getPublicKey();
    if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
      throw new IllegalArgumentException(
          "TLS private key "
              + keyFile
              + " ("
              + key.getAlgorithm()
              + ") does not belong to the certificate "
              + certFile
              + " ("
              + pub.getAlgorithm()
              + " key)");
    }
    String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] msg = new byte[32];
    new SecureRandom().nextBytes(msg);
    boolean ok;
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(msg);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(msg);
      ok = v.verify(sig);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "TLS private key "
              + keyFile
              + " does not belong to the certificate "
              + certFile
              + " ("
              + subject(cert)
              + ")");
    }
  }

  static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }

  /**
   * The subject alternative names (DNS names and IP addresses), comma-separated; empty when none.
   */
  static String altNames(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return "";
      }
      List<String> out = new ArrayList<>();
      for (List<?> san : sans) {
        if (san.size() >= 2 && san.get(1) instanceof String s) {
          out.add(s);
        }
      }
      return String.join(", ", out);
    } catch (CertificateException e) {
      return "";
    }
  }

  /**
   * Problems with a certificate's validity at {@code now}: expired (an error), not yet valid or
   * expiring (warnings).
   */
  static Validity validity(X509Certificate cert, Instant now) {
    Instant notAfter = cert.getNotAfter().toInstant();
    Instant notBefore = cert.getNotBefore().toInstant();
    long daysLeft = Duration.between(now, notAfter).toDays();
    if (now.isAfter(notAfter)) {
      return new Validity(true, "expired on " + notAfter);
    }
    if (now.isBefore(notBefore)) {
      return new Validity(false, "not valid before " + notBefore + " (check this machine's clock)");
    }
    if (Duration.between(now, notAfter).compareTo(EXPIRY_WARNING) < 0) {
      return new Validity(
          false, "expires in " + daysLeft + " day(s), on " + notAfter + "; renew it");
    }
    return new Validity(false, null);
  }

  /**
   * A validity check: {@code expired} is fatal; {@code warning} (may be null) is worth a WARN line.
   */
  record Validity(boolean expired, String warning) {}
}
