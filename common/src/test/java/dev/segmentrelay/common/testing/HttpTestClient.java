package dev.segmentrelay.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A plain HTTP/1.1 client for assertions: whole responses as bytes, every call with a timeout.
 *
 * <p>{@link #rawRequest} writes a request as given on its own socket, for what {@code
 * java.net.http} will not do: send a path with {@code ..} segments untouched, or keep reading the
 * answer to an oversized upload that the server refuses and closes before the body is written.
 */
public final class HttpTestClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** A whole response. */
  public record Response(int status, Map<String, List<String>> headers, byte[] body) {
    /** First value of a header (case-insensitive), or null. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String sha256() {
      return HttpTestClient.sha256(body);
    }

    @Override
    public String toString() {
      String preview = text();
      return "HTTP "
          + status
          + " "
          + (preview.length() > 300 ? preview.substring(0, 300) + "…" : preview);
    }
  }

  public Response get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  public Response get(URI url) {
    return get(url.toString());
  }

  /** PUT with extra headers given as name, value, name, value… */
  public Response put(String url, byte[] body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    return send(withHeaders(b, headers));
  }

  /** DELETE with extra headers given as name, value, name, value… */
  public Response delete(String url, String... headers) {
    return send(withHeaders(HttpRequest.newBuilder(URI.create(url)).DELETE(), headers));
  }

  private static HttpRequest.Builder withHeaders(HttpRequest.Builder b, String... headers) {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  private Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> r =
          client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("request failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line) and then {@code body}
   * (already framed: raw bytes for Content-Length, chunks for chunked) on a new connection to
   * 127.0.0.1:{@code port}, and reads the response while the body is still being written. The
   * connection is closed after the first response.
   */
  public static Response rawRequest(int port, String head, byte[] body) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int off = 0; off < body.length; off += 16 * 1024) {
                    out.write(body, off, Math.min(16 * 1024, body.length - off));
                  }
                  out.flush();
                } catch (IOException e) {
                  // The server answered and closed early: expected for refused uploads.
                }
              });
      Response response = readResponse(socket.getInputStream());
      try {
        writer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // The writer is bounded by the socket; the response is what matters.
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException("raw request to port " + port + " failed: " + e, e);
    }
  }

  /** Frames {@code body} as HTTP/1.1 chunks of {@code chunkSize} bytes plus the last chunk. */
  public static byte[] chunked(byte[] body, int chunkSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / 8 + 16);
    for (int off = 0; off < body.length; off += chunkSize) {
      int n = Math.min(chunkSize, body.length - off);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, off, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static Response readResponse(InputStream in) throws IOException {
    String statusLine = readLine(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: '" + statusLine + "'");
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String line;
    int count = 0;
    while (!(line = readLine(in)).isEmpty() && count++ < 200) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(line.substring(0, colon).trim(), k -> new java.util.ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
    }
    List<String> length = headers.get("content-length");
    List<String> encoding = headers.get("transfer-encoding");
    byte[] body;
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length.get(0)));
    } else if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < 100_000; i++) {
        int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
        if (size == 0) {
          break;
        }
        out.write(in.readNBytes(size));
        readLine(in);
      }
      body = out.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Response(status, headers, body);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 16 * 1024; i++) {
      int c = in.read();
      if (c < 0) {
        if (b.length() == 0) {
          throw new IOException("connection closed before a complete response");
        }
        break;
      }
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
