package dev.segmentrelay.edge;

import dev.segmentrelay.common.http.ErrorBody;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.edge.EdgeMetrics.Result;
import dev.segmentrelay.edge.cache.CachedObject;
import dev.segmentrelay.edge.cache.EdgeCache;
import dev.segmentrelay.edge.cache.Fill;
import dev.segmentrelay.edge.overflow.OverflowTier;
import dev.segmentrelay.edge.registration.ViewerActivity;
import dev.segmentrelay.edge.upstream.UpstreamException;
import dev.segmentrelay.edge.upstream.UpstreamResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers viewers: {@code GET|HEAD /live/{stream}/{path}}.
 *
 * <p>Pipeline: method check → path validation and normalisation ({@link MediaPath}; nothing invalid
 * ever reaches the cache or an upstream) → {@link ViewerActivity} (viewer count, prefetch) → cache
 * key (the normalised path; for playlists plus the LL-HLS directives {@code _HLS_msn}, {@code
 * _HLS_part}, {@code _HLS_skip}, in a fixed order; every other query parameter is ignored) → {@link
 * EdgeCache#lookup} → a hit is written straight from the cached buffer, a miss or coalesced request
 * streams from the {@link Fill}. A fill answered by the S3 overflow tier says {@code X-Relay-Cache:
 * S3} to the request that started it.
 *
 * <p>Statuses: 200, 206 (single byte range on segments), 304 ({@code If-None-Match} / {@code
 * If-Modified-Since}), 400 (unsafe path, malformed Range), 404 (unknown extension or stream name,
 * or upstream 404, cached about a second), 405 (other methods), 416 (unsatisfiable range), 502/504
 * (every upstream failed and nothing stale to serve). A body that breaks off upstream after its
 * head was sent cuts the viewer's connection: a truncated body is never passed off as complete.
 */
final class EdgeRequestHandler implements Handler<HttpServerRequest> {
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String LIVE = "no-cache";

  // Header names and fixed values pre-encoded once (Netty AsciiString): every response carries
  // them, and encoding them per request is measurable at tens of thousands of hits a second.
  private static final CharSequence X_RELAY_EDGE = HttpHeaders.createOptimized("X-Relay-Edge");
  private static final CharSequence X_RELAY_CACHE = HttpHeaders.createOptimized("X-Relay-Cache");
  private static final CharSequence ALLOW_ORIGIN =
      HttpHeaders.createOptimized("Access-Control-Allow-Origin");
  private static final CharSequence ANY = HttpHeaders.createOptimized("*");
  private static final CharSequence EXPOSE_HEADERS =
      HttpHeaders.createOptimized("Access-Control-Expose-Headers");
  private static final CharSequence EXPOSED =
      HttpHeaders.createOptimized(
          "X-Relay-Cache, X-Relay-Edge, Content-Length, Content-Range, Age");
  private static final CharSequence IMMUTABLE_VALUE = HttpHeaders.createOptimized(IMMUTABLE);
  private static final CharSequence LIVE_VALUE = HttpHeaders.createOptimized(LIVE);
  private static final CharSequence BYTES = HttpHeaders.createOptimized("bytes");
  private static final Map<String, CharSequence> CONTENT_TYPES = new ConcurrentHashMap<>();
  private static final Map<Result, CharSequence> RESULTS = new EnumMap<>(Result.class);

  static {
    for (Result r : Result.values()) {
      RESULTS.put(r, HttpHeaders.createOptimized(r.name()));
    }
  }

  private final EdgeCache cache;
  private final EdgeMetrics metrics;
  private final CharSequence edgeId;
  private final ViewerActivity activity;

  EdgeRequestHandler(EdgeCache cache, EdgeMetrics metrics, String edgeId, ViewerActivity activity) {
    this.cache = cache;
    this.metrics = metrics;
    this.edgeId = HttpHeaders.createOptimized(edgeId);
    this.activity = activity;
  }

  @Override
  public void handle(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    MultiMap h = resp.headers();
    h.add(X_RELAY_EDGE, edgeId);
    h.add(ALLOW_ORIGIN, ANY);
    HttpMethod method = req.method();
    if (method == HttpMethod.OPTIONS) {
      h.add("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      h.add("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since");
      h.add("Access-Control-Max-Age", "86400");
      resp.setStatusCode(204).end();
      return;
    }
    String path = req.path();
    if (!path.startsWith("/live/")) {
      reject(req, 404, "no such resource: viewers fetch /live/{stream}/{file}");
      return;
    }
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      h.add("Allow", "GET, HEAD, OPTIONS");
      reject(req, 405, "method " + method + " not allowed on /live/: use GET or HEAD");
      return;
    }
    MediaPath media;
    Optional<ByteRangeRequest> range;
    try {
      int slash = path.indexOf('/', 6);
      if (slash < 0) {
        reject(req, 404, "expected /live/{stream}/{file}");
        return;
      }
      media = MediaPath.parse(path.substring(6, slash), path.substring(slash + 1));
      range =
          media.kind().isLive() ? Optional.empty() : ByteRangeRequest.parse(req.getHeader("Range"));
    } catch (MediaPath.InvalidPathException e) {
      reject(req, e.status(), e.getMessage());
      return;
    } catch (ByteRangeRequest.MalformedRangeException e) {
      reject(req, 400, e.getMessage());
      return;
    }
    activity.request(media.stream().value(), req.remoteAddress());
    String key = cacheKey(media, req);
    EdgeCache.Lookup lookup = cache.lookup(key, media, key);
    if (lookup instanceof EdgeCache.Hit hit) {
      serve(req, media, key, hit.object(), Result.HIT, range);
    } else if (lookup instanceof EdgeCache.Joined joined) {
      Result result = joined.created() ? Result.MISS : Result.COALESCED;
      new Waiting(req, media, key, joined.fill(), result, range).start();
    }
  }

  /** The normalised path, plus the LL-HLS directives for playlists. */
  static String cacheKey(MediaPath media, HttpServerRequest req) {
    String key = media.urlPath();
    if (media.kind() != ObjectKind.PLAYLIST || req.query() == null) {
      return key;
    }
    TreeMap<String, String> directives = new TreeMap<>();
    for (String name : new String[] {"_HLS_msn", "_HLS_part", "_HLS_skip"}) {
      String v = req.getParam(name);
      if (v != null && v.matches("[A-Za-z0-9]{1,20}")) {
        directives.put(name, v);
      }
    }
    if (directives.isEmpty()) {
      return key;
    }
    StringBuilder b = new StringBuilder(key).append('?');
    directives.forEach((k, v) -> b.append(k).append('=').append(v).append('&'));
    return b.substring(0, b.length() - 1);
  }

  /** Writes a complete object: conditional requests, ranges, HEAD. */
  private void serve(
      HttpServerRequest req,
      MediaPath media,
      String key,
      CachedObject object,
      Result result,
      Optional<ByteRangeRequest> range) {
    HttpServerResponse resp = req.response();
    MultiMap h = resp.headers();
    h.add(X_RELAY_CACHE, RESULTS.get(result));
    if (object.status() != 200) {
      metrics.request(media.kind(), result);
      h.add("Cache-Control", "max-age=1");
      ErrorBody.send(resp, 404, "'" + media.urlPath() + "' does not exist upstream (yet)");
      return;
    }
    h.add(HttpHeaders.CONTENT_TYPE, contentType(media));
    h.add(HttpHeaders.ETAG, object.etag());
    h.add(HttpHeaders.LAST_MODIFIED, object.lastModified());
    h.add(HttpHeaders.CACHE_CONTROL, media.kind().isLive() ? LIVE_VALUE : IMMUTABLE_VALUE);
    h.add(HttpHeaders.AGE, Long.toString(object.ageSeconds(cache.nowNanos())));
    h.add(EXPOSE_HEADERS, EXPOSED);
    if (!media.kind().isLive()) {
      h.add(HttpHeaders.ACCEPT_RANGES, BYTES);
    }
    if (notModified(req, object)) {
      metrics.request(media.kind(), Result.NOT_MODIFIED);
      resp.setStatusCode(304).end();
      return;
    }
    Buffer body = object.body();
    if (range.isPresent()) {
      Optional<long[]> slice = range.get().resolve(body.length());
      if (slice.isEmpty()) {
        metrics.request(media.kind(), Result.ERROR);
        h.add("Content-Range", "bytes */" + body.length());
        ErrorBody.send(
            resp,
            416,
            "range not satisfiable: '" + media.path() + "' has " + body.length() + " bytes");
        return;
      }
      long offset = slice.get()[0];
      long length = slice.get()[1];
      resp.setStatusCode(206);
      h.add("Content-Range", "bytes " + offset + "-" + (offset + length - 1) + "/" + body.length());
      body = body.slice((int) offset, (int) (offset + length));
    }
    metrics.request(media.kind(), result);
    if (req.method() == HttpMethod.HEAD) {
      h.add("Content-Length", Integer.toString(body.length()));
      resp.end();
      return;
    }
    metrics.bytesOut(body.length());
    resp.end(body);
  }

  private static CharSequence contentType(MediaPath media) {
    String name = media.fileName();
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return CONTENT_TYPES.computeIfAbsent(
        ext, e -> HttpHeaders.createOptimized(ObjectKind.contentType(name)));
  }

  private static boolean notModified(HttpServerRequest req, CachedObject object) {
    String inm = req.getHeader("If-None-Match");
    if (inm != null) {
      for (String tag : inm.split(",")) {
        String t = tag.trim();
        if (t.equals("*") || t.equals(object.etag()) || t.equals("W/" + object.etag())) {
          return true;
        }
      }
      return false;
    }
    String ims = req.getHeader("If-Modified-Since");
    return ims != null && ims.equals(object.lastModified());
  }

  private void reject(HttpServerRequest req, int status, String message) {
    metrics.rejected();
    ErrorBody.send(req.response(), status, message);
  }

  /** Serves the stale copy of a live document, or the upstream error. */
  private void failed(HttpServerRequest req, MediaPath media, String key, UpstreamException error) {
    if (media.kind().isLive()) {
      Optional<CachedObject> stale = cache.stale(key);
      if (stale.isPresent()) {
        serve(req, media, key, stale.get(), Result.STALE, Optional.empty());
        return;
      }
    }
    metrics.request(media.kind(), Result.ERROR);
    req.response().headers().add("X-Relay-Cache", Result.MISS.name());
    ErrorBody.send(
        req.response(),
        error.timeout() ? 504 : 502,
        "cannot fetch '" + media.urlPath() + "' from upstream: " + error.getMessage());
  }

  /** S3 when the request that started the fill was answered by the overflow tier. */
  private static Result servedBy(UpstreamResponse head, Result result) {
    return result == Result.MISS
            && OverflowTier.SOURCE_S3.equals(head.headers().get(OverflowTier.SOURCE_HEADER))
        ? Result.S3
        : result;
  }

  /**
   * A viewer waiting on a fill. Streams chunks as they arrive unless it needs the whole object
   * first (a range, a conditional request, HEAD, or a non-200 upstream answer).
   */
  private final class Waiting implements Fill.Waiter {
    private final HttpServerRequest req;
    private final HttpServerResponse resp;
    private final MediaPath media;
    private final String key;
    private final Fill fill;
    private final Result result;
    private final Optional<ByteRangeRequest> range;
    private final Context context;
    private final boolean wantsWhole;
    private int next;
    private boolean headSent;
    private boolean done;

    Waiting(
        HttpServerRequest req,
        MediaPath media,
        String key,
        Fill fill,
        Result result,
        Optional<ByteRangeRequest> range) {
      this.req = req;
      this.resp = req.response();
      this.media = media;
      this.key = key;
      this.fill = fill;
      this.result = result;
      this.range = range;
      this.context = Vertx.currentContext();
      this.wantsWhole =
          range.isPresent()
              || req.method() == HttpMethod.HEAD
              || req.getHeader("If-None-Match") != null
              || req.getHeader("If-Modified-Since") != null;
    }

    void start() {
      resp.closeHandler(v -> finish());
      fill.subscribe(this);
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public void wake() {
      if (done) {
        return;
      }
      Fill.Progress p = fill.progress(next);
      if (p.failure().isPresent()) {
        if (headSent) {
          // The body broke off upstream: cutting the connection is the only honest signal.
          finish();
          resp.reset();
        } else {
          finish();
          failed(req, media, key, p.failure().get());
        }
        return;
      }
      if (p.head().isEmpty()) {
        return;
      }
      UpstreamResponse head = p.head().get();
      Result result = servedBy(head, this.result);
      if (wantsWhole || head.status() / 100 != 2) {
        if (p.ended()) {
          finish();
          if (p.result().isPresent()) {
            serve(req, media, key, p.result().get(), result, range);
          } else {
            metrics.request(media.kind(), Result.ERROR);
            ErrorBody.send(
                resp,
                503,
                "the edge could not hold '" + media.urlPath() + "' in memory; try again");
          }
        }
        return;
      }
      if (!headSent) {
        headSent = true;
        MultiMap h = resp.headers();
        h.add("X-Relay-Cache", result.name());
        h.add("Content-Type", ObjectKind.contentType(media.path()));
        h.add("Cache-Control", media.kind().isLive() ? LIVE : IMMUTABLE);
        h.add(
            "Access-Control-Expose-Headers",
            "X-Relay-Cache, X-Relay-Edge, Content-Length, Content-Range, Age");
        copy(head.headers(), "ETag");
        copy(head.headers(), "Last-Modified");
        String length = head.headers().get("Content-Length");
        if (length != null) {
          h.add("Content-Length", length);
        } else {
          resp.setChunked(true);
        }
        if (!media.kind().isLive()) {
          h.add("Accept-Ranges", "bytes");
        }
        metrics.request(media.kind(), result);
      }
      if (resp.writeQueueFull()) {
        // A slow viewer: take no chunks until its socket drains. The chunks stay in the fill
        // (the shared copy); nothing is buffered per connection.
        resp.drainHandler(v -> wake());
        return;
      }
      List<Buffer> fresh = p.newChunks();
      // Everything that arrived since the last wake-up goes out as one write (a composite view
      // of the shared chunks, no copy): one flush per viewer instead of one per chunk.
      Buffer batch = fresh.size() == 1 ? fresh.get(0) : composite(fresh);
      next += fresh.size();
      metrics.bytesOut(batch.length());
      if (p.ended()) {
        finish();
        resp.end(batch);
      } else if (batch.length() > 0) {
        resp.write(batch);
      }
    }

    private static Buffer composite(List<Buffer> chunks) {
      ByteBuf[] parts = new ByteBuf[chunks.size()];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = ((BufferInternal) chunks.get(i)).getByteBuf();
      }
      return BufferInternal.buffer(Unpooled.wrappedBuffer(parts));
    }

    private void copy(MultiMap from, String name) {
      String v = from.get(name);
      if (v != null) {
        resp.headers().add(name, v);
      }
    }

    private void finish() {
      if (!done) {
        done = true;
        fill.unsubscribe(this);
      }
    }
  }
}
