package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.Fetcher;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer's HTTP GETs over its event loop's pooled Vert.x client.
 *
 * <p><b>Timing.</b> The clock starts in {@link #get} when the viewer asks, before any wait for a
 * pooled connection, so a saturated pool or a slow connect shows up as a slow download instead of
 * being hidden (no coordinated omission). It stops at the last body byte; redirects are inside.
 *
 * <p><b>Threads.</b> One instance per viewer, bound to the viewer's event-loop context: every
 * callback runs there, one at a time, so an exchange needs no locks. A call from another thread is
 * moved onto the context (the clock has already started).
 *
 * <p><b>Memory.</b> A segment body is counted and dropped as it arrives ({@code keepBody=false});
 * only playlists, MPDs and steering answers are kept, up to {@link FetchOptions#maxBodyBytes()}.
 *
 * <p><b>Classification.</b> Refused or unresolvable connects are {@code CONNECT}; no whole answer
 * within the request timeout is {@code TIMEOUT}; a connection that closes before the announced
 * {@code Content-Length} or the last chunk, or before any answer at all, is {@code TRUNCATED}; a
 * playlist or MPD with another content type is {@code BAD_CONTENT}; more than {@code maxRedirects}
 * redirects or a redirect back to a visited URL is {@code REDIRECT_LOOP}.
 */
public final class VertxFetcher implements Fetcher {
  private static final Logger log = LoggerFactory.getLogger(VertxFetcher.class);
  private static final List<String> HLS_TYPES =
      List.of(
          "application/vnd.apple.mpegurl",
          "application/x-mpegurl",
          "audio/mpegurl",
          "audio/x-mpegurl");
  private static final List<String> DASH_TYPES =
      List.of("application/dash+xml", "video/vnd.mpeg.dash.mpd");

  private final HttpClient client;
  private final Context context;
  private final FetchOptions options;
  private final String clientAddress;
  private RequestDeadlines deadlines; // the context's; set on it at the first request
  private Target lastTarget; // the origin of the last URL, reused for the next on the same one

  /**
   * Where URLs starting with {@code prefix} ({@code scheme://authority/}) go, and whether they get
   * {@code X-Forwarded-For}: parsed once per origin, not per request.
   */
  private static final class Target {
    final String prefix;
    final String host;
    final int port;
    final boolean ssl;
    final boolean forward;

    Target(String prefix, String host, int port, boolean ssl, boolean forward) {
      this.prefix = prefix;
      this.host = host;
      this.port = port;
      this.ssl = ssl;
      this.forward = forward;
    }
  }

  /**
   * @param client the event loop's pooled client
   * @param context the viewer's event-loop context: every callback runs there
   * @param clientAddress the viewer's simulated address for {@code X-Forwarded-For}, if any
   */
  public VertxFetcher(
      HttpClient client, Context context, FetchOptions options, Optional<String> clientAddress) {
    this.client = client;
    this.context = context;
    this.options = options;
    this.clientAddress = clientAddress.orElse(null);
  }

  @Override
  public void get(String url, boolean keepBody, Consumer<FetchResult> done) {
    long startNanos = System.nanoTime();
    Exchange exchange = new Exchange(startNanos, keepBody, done);
    if (Vertx.currentContext() == context) {
      exchange.begin(url);
    } else {
      context.runOnContext(v -> exchange.begin(url));
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
      if (t instanceof HttpClosedException
          || t instanceof ClosedChannelException
          || t instanceof IOException) {
        return ErrorKind.TRUNCATED;
      }
    }
    return answered ? ErrorKind.TRUNCATED : ErrorKind.OTHER;
  }

  /** One GET and its redirects; lives on the viewer's context. */
  private final class Exchange extends RequestDeadlines.Entry {
    private final long startNanos;
    private final boolean keepBody;
    private final Consumer<FetchResult> done;
    private List<String> visited;
    private String url;
    private boolean timing;
    private HttpClientRequest request;
    private boolean finished;
    private int status;
    private long bytes;
    private Buffer body;
    private String edge;
    private String cache;
    private String requestPath; // path and query as sent

    Exchange(long startNanos, boolean keepBody, Consumer<FetchResult> done) {
      this.startNanos = startNanos;
      this.keepBody = keepBody;
      this.done = done;
    }

    void begin(String target) {
      if (finished) {
        return;
      }
      url = target;
      if (!timing) {
        timing = true;
        if (deadlines == null) {
          deadlines = RequestDeadlines.on(context);
        }
        deadlines.add(this, startNanos + options.requestTimeout().toNanos());
      }
      Target to = lastTarget;
      String path;
      if (to != null && target.startsWith(to.prefix) && plainPath(target, to.prefix.length())) {
        path = target.substring(to.prefix.length() - 1);
      } else {
        URI uri;
        try {
          uri = URI.create(target);
          if (uri.getHost() == null
              || !("http".equalsIgnoreCase(uri.getScheme())
                  || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("not an absolute http(s) URL");
          }
        } catch (IllegalArgumentException e) {
          log.debug("unusable URL {}: {}", target, e.getMessage());
          finish(ErrorKind.OTHER);
          return;
        }
        boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
        path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
          path = path + "?" + uri.getRawQuery();
        }
        boolean forward =
            clientAddress != null
                && (options.forwardedFor() == ForwardedFor.ALL
                    || (options.forwardedFor() == ForwardedFor.ROUTER
                        && authority(uri).equals(options.routerAuthority())));
        to =
            new Target(
                uri.getScheme() + "://" + uri.getRawAuthority() + "/",
                uri.getHost(),
                uri.getPort() < 0 ? (ssl ? 443 : 80) : uri.getPort(),
                ssl,
                forward);
        if (uri.getRawUserInfo() == null && target.startsWith(to.prefix)) {
          lastTarget = to;
        }
      }
      requestPath = path;
      RequestOptions request =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setHost(to.host)
              .setPort(to.port)
              .setSsl(to.ssl)
              .setURI(path)
              .setFollowRedirects(false);
      if (to.forward) {
        request.putHeader("X-Forwarded-For", clientAddress);
      }
      client.request(request).onComplete(this::onRequest);
    }

    private void onRequest(AsyncResult<HttpClientRequest> ar) {
      if (ar.failed()) {
        finish(classify(ar.cause(), false));
        return;
      }
      HttpClientRequest req = ar.result();
      if (finished) {
        req.reset();
        return;
      }
      request = req;
      req.exceptionHandler(e -> {});
      req.send().onComplete(this::onResponse);
    }

    private void onResponse(AsyncResult<HttpClientResponse> ar) {
      if (finished) {
        return;
      }
      if (ar.failed()) {
        finish(classify(ar.cause(), false));
        return;
      }
      HttpClientResponse response = ar.result();
      status = response.statusCode();
      response.exceptionHandler(e -> {});
      String location = response.getHeader("Location");
      if (status >= 300 && status < 400 && location != null) {
        response.handler(b -> {});
        redirect(location);
        return;
      }
      edge = response.getHeader("X-Relay-Edge");
      cache = response.getHeader("X-Relay-Cache");
      String contentLength = response.getHeader("Content-Length");
      boolean keep = keepBody && status < 300;
      if (keep) {
        body = Buffer.buffer();
      }
      response.handler(
          chunk -> {
            bytes += chunk.length();
            if (keep && body != null) {
              if (body.length() + chunk.length() > options.maxBodyBytes()) {
                body = null; // too long for a playlist: reported as BAD_CONTENT
              } else {
                body.appendBuffer(chunk);
              }
            }
          });
      response
          .end()
          .onComplete(
              end -> {
                if (finished) {
                  return;
                }
                if (end.failed()) {
                  finish(classify(end.cause(), true));
                } else if (contentLength != null && bytes < parseLength(contentLength)) {
                  finish(ErrorKind.TRUNCATED);
                } else if (status >= 500) {
                  finish(ErrorKind.HTTP_5XX);
                } else if (status >= 400) {
                  finish(ErrorKind.HTTP_4XX);
                } else if (status >= 300) {
                  finish(ErrorKind.OTHER); // a 3xx without Location
                } else if (keep
                    && (body == null
                        || !contentTypeFits(
                            pathOf(requestPath), response.getHeader("Content-Type")))) {
                  finish(ErrorKind.BAD_CONTENT);
                } else {
                  finish(ErrorKind.NONE);
                }
              });
    }

    private void redirect(String location) {
      URI next;
      try {
        next = URI.create(url).resolve(location.trim());
      } catch (IllegalArgumentException e) {
        finish(ErrorKind.OTHER);
        return;
      }
      if (visited == null) {
        visited = new ArrayList<>(options.maxRedirects() + 1);
      }
      visited.add(url);
      String target = next.toString();
      if (visited.size() > options.maxRedirects() || visited.contains(target)) {
        finish(ErrorKind.REDIRECT_LOOP);
        return;
      }
      request = null;
      status = 0;
      begin(target);
    }

    @Override
    void expired() {
      if (finished) {
        return;
      }
      HttpClientRequest req = request;
      finish(ErrorKind.TIMEOUT);
      if (req != null) {
        req.reset(); // the connection is closed, not returned to the pool half-read
      }
    }

    private void finish(ErrorKind kind) {
      if (finished) {
        return;
      }
      finished = true;
      if (deadlines != null) {
        deadlines.remove(this);
      }
      double elapsed = (System.nanoTime() - startNanos) / 1_000_000.0;
      Optional<String> text =
          keepBody && body != null && kind != ErrorKind.TIMEOUT
              ? Optional.of(body.toString(StandardCharsets.UTF_8))
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

  private static long parseLength(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
