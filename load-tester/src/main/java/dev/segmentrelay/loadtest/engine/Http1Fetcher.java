package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.engine.Http1ResponseParser.CloseOutcome;
import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.Fetcher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer's HTTP GETs over its event loop's {@link Http1Client}.
 *
 * <p><b>Timing.</b> The clock starts in {@link #get} when the viewer asks, before any wait for a
 * pooled connection, so a saturated pool or a slow connect shows up as a slow download instead of
 * being hidden (no coordinated omission). It stops at the last body byte; redirects are inside.
 *
 * <p><b>Threads.</b> One instance per viewer, bound to the viewer's event loop: every callback runs
 * there, one at a time, so an exchange needs no locks. A call from another thread is moved onto the
 * loop (the clock has already started).
 *
 * <p><b>Memory.</b> A segment body is counted and dropped as it arrives ({@code keepBody=false});
 * only playlists, MPDs and steering answers are kept, up to {@link FetchOptions#maxBodyBytes()}.
 *
 * <p><b>Classification.</b> Refused or unresolvable connects (and failed TLS handshakes) are {@code
 * CONNECT}; no whole answer within the request timeout is {@code TIMEOUT}; a connection that closes
 * before the announced {@code Content-Length} or the last chunk, or before any answer at all, is
 * {@code TRUNCATED}; a playlist or MPD with another content type is {@code BAD_CONTENT}; more than
 * {@code maxRedirects} redirects or a redirect back to a visited URL is {@code REDIRECT_LOOP};
 * bytes that are not an HTTP/1.x answer are {@code OTHER}. A request on a kept-alive connection
 * that the server closed before answering is sent once more on another connection, as browsers do.
 */
public final class Http1Fetcher implements Fetcher {
  private static final Logger log = LoggerFactory.getLogger(Http1Fetcher.class);
  private static final List<String> HLS_TYPES =
      List.of(
          "application/vnd.apple.mpegurl",
          "application/x-mpegurl",
          "audio/mpegurl",
          "audio/x-mpegurl");
  private static final List<String> DASH_TYPES =
      List.of("application/dash+xml", "video/vnd.mpeg.dash.mpd");
  private static final byte[] GET = "GET ".getBytes(StandardCharsets.US_ASCII);

  private final Http1Client client;
  private final FetchOptions options;
  private final String clientAddress;
  private Target lastTarget; // the origin of the last URL, reused for the next on the same one

  /**
   * Where URLs starting with {@code prefix} ({@code scheme://authority/}) go, and the request bytes
   * after the path ({@code HTTP/1.1}, {@code Host}, {@code X-Forwarded-For} when it gets one): made
   * once per origin, not per request.
   */
  private static final class Target {
    final String prefix;
    final Http1Client.Origin origin;
    final byte[] afterPath;

    Target(String prefix, Http1Client.Origin origin, byte[] afterPath) {
      this.prefix = prefix;
      this.origin = origin;
      this.afterPath = afterPath;
    }
  }

  /**
   * @param client the event loop's client
   * @param clientAddress the viewer's simulated address for {@code X-Forwarded-For}, if any
   */
  public Http1Fetcher(Http1Client client, FetchOptions options, Optional<String> clientAddress) {
    this.client = client;
    this.options = options;
    this.clientAddress = clientAddress.orElse(null);
  }

  @Override
  public void get(String url, boolean keepBody, Consumer<FetchResult> done) {
    long startNanos = System.nanoTime();
    Exchange exchange = new Exchange(startNanos, keepBody, done);
    if (client.loop().inEventLoop()) {
      exchange.begin(url);
    } else {
      client.loop().execute(() -> exchange.begin(url));
    }
  }

  /** {@code host:port} with the scheme's default port filled in, lower case. */
  public static String authority(URI uri) {
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Whether {@code contentType} suits the playlist or MPD at {@code path}; other paths pass. */
  static boolean contentTypeFits(String path, String contentType) {
    String p = path.toLowerCase(Locale.ROOT);
    List<String> wanted;
    if (p.endsWith(".m3u8")) {
      wanted = HLS_TYPES;
    } else if (p.endsWith(".mpd")) {
      wanted = DASH_TYPES;
    } else {
      return true;
    }
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String bare =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(Locale.ROOT);
    return wanted.contains(bare);
  }

  /** The kind of a failure seen before or while reading an answer. */
  static ErrorKind classify(Throwable failure, boolean answered) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof ConnectTimeoutException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException) {
        return ErrorKind.CONNECT;
      }
      if (t instanceof TimeoutException) {
        return ErrorKind.TIMEOUT;
      }
      if (t instanceof SSLHandshakeException) {
        return ErrorKind.CONNECT;
      }
      if (t instanceof Http1ResponseParser.MalformedResponseException) {
        return ErrorKind.OTHER;
      }
      if (t instanceof ClosedChannelException || t instanceof IOException) {
        return ErrorKind.TRUNCATED;
      }
    }
    return answered ? ErrorKind.TRUNCATED : ErrorKind.OTHER;
  }

  /** One GET and its redirects; lives on the viewer's event loop. */
  private final class Exchange extends RequestDeadlines.Entry
      implements Http1Client.Waiter, Http1Connection.ResponseListener {
    private final long startNanos;
    private final boolean keepBody;
    private final Consumer<FetchResult> done;
    private List<String> visited;
    private String url;
    private Target target;
    private String requestPath; // path and query as sent
    private boolean timing;
    private boolean retried;
    private Http1Connection connection;
    private boolean finished;
    private int status;
    private String location; // of a redirect being drained
    private long bytes;
    private boolean keep; // keeping this answer's body
    private byte[] body;
    private int bodyLength;
    private boolean tooLong;
    private String contentType;
    private String edge;
    private String cache;

    Exchange(long startNanos, boolean keepBody, Consumer<FetchResult> done) {
      this.startNanos = startNanos;
      this.keepBody = keepBody;
      this.done = done;
    }

    void begin(String url) {
      if (finished) {
        return;
      }
      this.url = url;
      if (!timing) {
        timing = true;
        client.deadlines().add(this, startNanos + options.requestTimeout().toNanos());
      }
      Target to = lastTarget;
      if (to != null && url.startsWith(to.prefix) && plainPath(url, to.prefix.length())) {
        requestPath = url.substring(to.prefix.length() - 1);
      } else {
        URI uri;
        try {
          uri = URI.create(url);
          if (uri.getHost() == null
              || !("http".equalsIgnoreCase(uri.getScheme())
                  || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("not an absolute http(s) URL");
          }
        } catch (IllegalArgumentException e) {
          log.debug("unusable URL {}: {}", url, e.getMessage());
          finish(ErrorKind.OTHER);
          return;
        }
        String path =
            uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        requestPath = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        to = target(uri);
        if (uri.getRawUserInfo() == null && url.startsWith(to.prefix)) {
          lastTarget = to;
        }
      }
      target = to;
      client.acquire(to.origin, this);
    }

    @Override
    public boolean ready(Http1Connection c) {
      if (finished) {
        return false;
      }
      connection = c;
      status = 0;
      location = null;
      ByteBuf request =
          c.alloc().buffer(GET.length + requestPath.length() + target.afterPath.length);
      request.writeBytes(GET);
      ByteBufUtil.writeUtf8(request, requestPath);
      request.writeBytes(target.afterPath);
      c.send(request, this);
      return true;
    }

    @Override
    public void connectFailed(Throwable cause) {
      finish(classify(cause, false));
    }

    @Override
    public void head(Http1Head head) {
      status = head.status();
      if (status >= 300 && status < 400 && head.location() != null) {
        location = head.location(); // its body is drained, not counted
        return;
      }
      edge = head.edge();
      cache = head.cache();
      contentType = head.contentType();
      keep = keepBody && status < 300;
      if (keep) {
        long announced = head.contentLength();
        if (announced > options.maxBodyBytes()) {
          tooLong = true;
        } else {
          body = new byte[announced >= 0 ? (int) announced : 4096];
        }
      }
    }

    @Override
    public void body(ByteBuf buf, int index, int length) {
      if (location != null) {
        return;
      }
      bytes += length;
      if (keep && !tooLong) {
        if (bodyLength + length > options.maxBodyBytes()) {
          tooLong = true; // too long for a playlist: reported as BAD_CONTENT
          body = null;
          return;
        }
        if (bodyLength + length > body.length) {
          body =
              Arrays.copyOf(
                  body,
                  Math.min(options.maxBodyBytes(), Math.max(body.length * 2, bodyLength + length)));
        }
        buf.getBytes(index, body, bodyLength, length);
        bodyLength += length;
      }
    }

    @Override
    public void complete(Http1Connection c, boolean reusable) {
      connection = null;
      if (reusable) {
        client.release(c);
      }
      if (finished) {
        return;
      }
      if (location != null) {
        redirect(location);
      } else if (status >= 500) {
        finish(ErrorKind.HTTP_5XX);
      } else if (status >= 400) {
        finish(ErrorKind.HTTP_4XX);
      } else if (status >= 300) {
        finish(ErrorKind.OTHER); // a 3xx without Location
      } else if (keep && (tooLong || !contentTypeFits(pathOf(requestPath), contentType))) {
        finish(ErrorKind.BAD_CONTENT);
      } else {
        finish(ErrorKind.NONE);
      }
    }

    @Override
    public void failed(Throwable cause, CloseOutcome outcome, boolean retryable) {
      connection = null;
      if (finished) {
        return;
      }
      if (retryable && !retried) {
        retried = true;
        client.acquire(target.origin, this);
        return;
      }
      finish(classify(cause, outcome != CloseOutcome.NO_ANSWER));
    }

    private void redirect(String to) {
      URI next;
      try {
        next = URI.create(url).resolve(to.trim());
      } catch (IllegalArgumentException e) {
        finish(ErrorKind.OTHER);
        return;
      }
      if (visited == null) {
        visited = new ArrayList<>(options.maxRedirects() + 1);
      }
      visited.add(url);
      String nextUrl = next.toString();
      if (visited.size() > options.maxRedirects() || visited.contains(nextUrl)) {
        finish(ErrorKind.REDIRECT_LOOP);
        return;
      }
      status = 0;
      retried = false;
      begin(nextUrl);
    }

    @Override
    void expired() {
      if (finished) {
        return;
      }
      Http1Connection c = connection;
      connection = null;
      finish(ErrorKind.TIMEOUT);
      if (c != null) {
        c.abort(); // closed, not returned to the pool half-read
      } else if (target != null) {
        client.cancel(target.origin, this);
      }
    }

    private void finish(ErrorKind kind) {
      if (finished) {
        return;
      }
      finished = true;
      client.deadlines().remove(this);
      double elapsed = (System.nanoTime() - startNanos) / 1_000_000.0;
      Optional<String> text =
          keep && body != null && !tooLong && kind != ErrorKind.TIMEOUT
              ? Optional.of(new String(body, 0, bodyLength, StandardCharsets.UTF_8))
              : Optional.empty();
      FetchResult result =
          new FetchResult(
              url,
              status,
              kind,
              bytes,
              elapsed,
              text,
              Optional.ofNullable(edge),
              Optional.ofNullable(cache));
      body = null;
      try {
        done.accept(result);
      } catch (RuntimeException e) {
        log.warn("viewer callback failed for {}", url, e);
      }
    }
  }

  /** The origin of {@code uri} and the request bytes after the path for it. */
  private Target target(URI uri) {
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() < 0 ? (ssl ? 443 : 80) : uri.getPort();
    boolean forward =
        clientAddress != null
            && (options.forwardedFor() == ForwardedFor.ALL
                || (options.forwardedFor() == ForwardedFor.ROUTER
                    && authority(uri).equals(options.routerAuthority())));
    String host = uri.getHost();
    String hostHeader = uri.getPort() < 0 ? host : host + ":" + port;
    String after =
        " HTTP/1.1\r\nHost: "
            + hostHeader
            + "\r\nUser-Agent: segment-relay-loadtest\r\nAccept: */*\r\n"
            + (forward ? "X-Forwarded-For: " + clientAddress + "\r\n" : "")
            + "\r\n";
    String connectHost =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return new Target(
        uri.getScheme() + "://" + uri.getRawAuthority() + "/",
        new Http1Client.Origin(connectHost, port, ssl),
        after.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Whether {@code url} from {@code from} on is a path (and query) that {@link URI} would take as
   * it is: only unreserved and sub-delimiter characters, no escapes, no fragment.
   */
  static boolean plainPath(String url, int from) {
    for (int i = from; i < url.length(); i++) {
      char c = url.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-._~/?=&:@!$'()*+,;".indexOf(c) >= 0;
      if (!plain) {
        return false;
      }
    }
    return true;
  }

  /** The decoded path of a request path (and query) as sent. */
  private static String pathOf(String requestPath) {
    String raw = requestPath;
    int q = raw.indexOf('?');
    if (q >= 0) {
      raw = raw.substring(0, q);
    }
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    try {
      return URI.create(raw).getPath();
    } catch (IllegalArgumentException e) {
      return raw;
    }
  }
}
