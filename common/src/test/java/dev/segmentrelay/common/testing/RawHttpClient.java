package dev.segmentrelay.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 exchange on its own socket, reporting exactly how the response ended: whether its
 * framing completed ({@code Content-Length} bytes or the terminating chunk arrived) or the
 * connection was cut first. This is what tells a truthful error (a cut connection) from a lie (a
 * short body that looks complete). The request is sent as written, so paths with {@code ..},
 * backslashes or raw bytes reach the server untouched.
 */
public final class RawHttpClient {
  private static final int READ_TIMEOUT_MILLIS = 15_000;
  private static final int MAX_BODY = 64 * 1024 * 1024;

  private RawHttpClient() {}

  /** How the response ended. */
  public enum End {
    /** The framing completed (or the response has no body). */
    COMPLETE,
    /** The server closed the connection (FIN) before the framing completed. */
    EOF,
    /** The connection was reset before the framing completed. */
    RESET,
    /** Nothing arrived for {@link #READ_TIMEOUT_MILLIS}. */
    TIMEOUT
  }

  /**
   * What arrived.
   *
   * @param status the status code, or -1 if no status line arrived
   * @param headers response headers (case-insensitive keys)
   * @param body body bytes received (possibly fewer than announced)
   * @param end how the response ended
   * @param detail the exception message when the connection was cut, else empty
   */
  public record Response(
      int status, Map<String, List<String>> headers, byte[] body, End end, String detail) {
    public boolean complete() {
      return end == End.COMPLETE;
    }

    /** First value of a header, or null. */
    public String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      String preview = text();
      return "HTTP "
          + status
          + " "
          + end
          + (detail.isEmpty() ? "" : " (" + detail + ")")
          + ", "
          + body.length
          + " body bytes, headers "
          + headers
          + (preview.length() > 200 ? "" : ", body '" + preview + "'");
    }
  }

  /**
   * {@code GET target} with {@code Host} and {@code Connection: close}, plus extra header lines.
   */
  public static Response get(int port, String target, String... extraHeaderLines) {
    return exchange(port, "GET", target, extraHeaderLines);
  }

  /** Sends {@code METHOD target HTTP/1.1} with the given header lines and no body. */
  public static Response exchange(
      int port, String method, String target, String... extraHeaderLines) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Connection: close\r\n");
    for (String line : extraHeaderLines) {
      head.append(line).append("\r\n");
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      head.append("Content-Length: 0\r\n");
    }
    head.append("\r\n");
    return send(port, head.toString().getBytes(StandardCharsets.ISO_8859_1), method.equals("HEAD"));
  }

  /** Sends {@code request} (head and body, exactly as given) and reads one response. */
  public static Response send(int port, byte[] request, boolean headRequest) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return read(socket.getInputStream(), headRequest);
    } catch (IOException e) {
      throw new UncheckedIOException("raw exchange with port " + port + " failed: " + e, e);
    }
  }

  private static Response read(InputStream in, boolean headRequest) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status = -1;
    try {
      String statusLine = readLine(in);
      if (statusLine == null) {
        return new Response(-1, headers, new byte[0], End.EOF, "closed before a status line");
      }
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP response: '" + statusLine + "'");
      }
      status = Integer.parseInt(parts[1]);
      for (int i = 0; i < 200; i++) {
        String line = readLine(in);
        if (line == null) {
          return new Response(status, headers, new byte[0], End.EOF, "closed inside the head");
        }
        if (line.isEmpty()) {
          break;
        }
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers
              .computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
              .add(line.substring(colon + 1).trim());
        }
      }
      if (headRequest || status == 204 || status == 304 || (status >= 100 && status < 200)) {
        return new Response(status, headers, new byte[0], End.COMPLETE, "");
      }
      List<String> length = headers.get("content-length");
      List<String> encoding = headers.get("transfer-encoding");
      if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
        return readChunked(in, status, headers, body);
      }
      if (length != null) {
        long expected = Long.parseLong(length.get(0).trim());
        if (expected > MAX_BODY) {
          throw new IOException("Content-Length " + expected + " is over the test limit");
        }
        copy(in, body, expected);
        End end = body.size() == expected ? End.COMPLETE : End.EOF;
        return new Response(
            status,
            headers,
            body.toByteArray(),
            end,
            end == End.COMPLETE ? "" : body.size() + " of " + expected + " bytes");
      }
      copy(in, body, MAX_BODY);
      return new Response(status, headers, body.toByteArray(), End.COMPLETE, "");
    } catch (SocketTimeoutException e) {
      return new Response(status, headers, body.toByteArray(), End.TIMEOUT, e.toString());
    } catch (IOException e) {
      return new Response(status, headers, body.toByteArray(), End.RESET, e.toString());
    }
  }

  private static Response readChunked(
      InputStream in, int status, Map<String, List<String>> headers, ByteArrayOutputStream body)
      throws IOException {
    for (int i = 0; i < 1_000_000; i++) {
      String sizeLine = readLine(in);
      if (sizeLine == null) {
        return new Response(status, headers, body.toByteArray(), End.EOF, "no terminating chunk");
      }
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        // Trailers (none expected) up to the blank line.
        for (int t = 0; t < 100; t++) {
          String trailer = readLine(in);
          if (trailer == null || trailer.isEmpty()) {
            break;
          }
        }
        return new Response(status, headers, body.toByteArray(), End.COMPLETE, "");
      }
      if (body.size() + size > MAX_BODY) {
        throw new IOException("chunked body over the test limit");
      }
      int before = body.size();
      copy(in, body, size);
      if (body.size() - before < size || readLine(in) == null) {
        return new Response(status, headers, body.toByteArray(), End.EOF, "cut inside a chunk");
      }
    }
    throw new IOException("too many chunks");
  }

  private static void copy(InputStream in, ByteArrayOutputStream out, long limit)
      throws IOException {
    byte[] buffer = new byte[16 * 1024];
    long left = limit;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        return;
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  /** A line without its CRLF, or null at end of stream before any byte. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 16 * 1024; i++) {
      int c = in.read();
      if (c < 0) {
        return b.length() == 0 ? null : b.toString();
      }
      if (c == '\n') {
        return b.toString();
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    throw new IOException("header line over 16 KiB");
  }
}
