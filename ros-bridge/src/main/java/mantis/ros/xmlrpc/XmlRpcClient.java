package mantis.ros.xmlrpc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Calls XML-RPC methods on one server over HTTP/1.1. Thread-safe; every call has its own timeout.
 * Transport and format problems are {@link IOException}s whose message names the server, the method
 * and what went wrong; a {@code <fault>} answer is an {@link XmlRpcFault}.
 */
public final class XmlRpcClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final URI uri;
  private final Duration timeout;

  /** A client of the server at {@code uri} (http), each call limited to {@code timeout}. */
  public XmlRpcClient(URI uri, Duration timeout) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "XML-RPC server URI must be http://host:port/, got " + uri);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  public URI uri() {
    return uri;
  }

  /** Calls {@code methodName} with {@code params}; returns the result value. */
  public Object call(String methodName, Object... params) throws IOException {
    return call(methodName, Arrays.asList(params));
  }

  /** Calls {@code methodName} with {@code params}; returns the result value. */
  public Object call(String methodName, List<?> params) throws IOException {
    String body = XmlRpcCodec.encodeCall(methodName, params);
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "text/xml")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<byte[]> resp;
    try {
      resp = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new IOException(
          where(methodName) + ": no answer within " + timeout.toMillis() + " ms", e);
    } catch (ConnectException e) {
      throw new IOException(
          where(methodName)
              + ": cannot connect ("
              + (e.getMessage() == null ? "connection refused" : e.getMessage())
              + ")",
          e);
    } catch (IOException e) {
      throw new IOException(where(methodName) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(where(methodName) + ": interrupted", e);
    }
    if (resp.statusCode() != 200) {
      throw new IOException(where(methodName) + ": HTTP status " + resp.statusCode());
    }
    try {
      return XmlRpcCodec.decodeResponse(resp.body());
    } catch (XmlRpcFault f) {
      throw f;
    } catch (IOException e) {
      throw new IOException(where(methodName) + ": " + e.getMessage(), e);
    }
  }

  private String where(String methodName) {
    return "XML-RPC " + methodName + " at " + uri;
  }

  @Override
  public String toString() {
    return "XmlRpcClient[" + uri + "]";
  }
}
