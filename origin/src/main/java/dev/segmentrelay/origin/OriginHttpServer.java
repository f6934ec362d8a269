package dev.segmentrelay.origin;

import dev.segmentrelay.common.http.ErrorBody;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.store.SegmentStore;
import dev.segmentrelay.origin.store.StoredObject;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's public HTTP server: what edges fetch and what transcoders push.
 *
 * <ul>
 *   <li>{@code GET|HEAD /live/{stream}/{path}}: published playlists (short max-age, half a target
 *       duration) and segments (immutable, a year). 400 for unsafe paths, 404 for unknown streams,
 *       unknown extensions and objects not (or no longer) published, 405 for other methods.
 *   <li>A segment no longer in memory but named by a DVR window or a replay ({@link Archive#holds})
 *       is read from S3 (verified, never a partial object) and served the same way, with {@code
 *       X-Relay-Served-From: archive}; S3 failing makes it a 404, as for any missing segment.
 *   <li>{@code PUT|POST|DELETE /ingest/{stream}/{path}}: push ingest with the stream's bearer token
 *       (401 without one, 403 with a wrong one), bodies up to {@code max-object-bytes} (413
 *       beyond), 400 for a pushed playlist that does not parse.
 *   <li>{@code GET /api/v1/streams[/{stream}]}: stream status.
 * </ul>
 *
 * Every error is the JSON {@link ErrorBody}.
 */
final class OriginHttpServer {
  private static final Logger log = LoggerFactory.getLogger(OriginHttpServer.class);
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final long UPLOAD_DEADLINE_MILLIS = 30_000;
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private final Vertx vertx;
  private final OriginConfig config;
  private final Map<String, PublishedStream> streams;
  private final Map<String, byte[]> ingestTokens = new ConcurrentHashMap<>();
  private final SegmentStore store;
  private final Archive archive;
  private final MeterRegistry meters;
  private final Map<String, Counter> requestCounters = new ConcurrentHashMap<>();
  private HttpServer server;

  OriginHttpServer(
      Vertx vertx,
      OriginConfig config,
      Map<String, PublishedStream> streams,
      SegmentStore store,
      Archive archive,
      MeterRegistry meters) {
    this.vertx = vertx;
    this.config = config;
    this.streams = streams;
    this.store = store;
    this.archive = archive;
    this.meters = meters;
    for (OriginConfig.PushStream p : config.pushStreams()) {
      ingestTokens.put(p.name(), p.token().getBytes(StandardCharsets.UTF_8));
    }
  }

  Future<HttpServer> listen() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.bind())
            .setPort(config.port())
            .setMaxInitialLineLength(4096)
            .setMaxHeaderSize(16 * 1024)
            .setIdleTimeout(60)
            .setCompressionSupported(false);
    server = vertx.createHttpServer(options).requestHandler(this::handle);
    return server.listen();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    try {
      if (path.startsWith("/live/")) {
        serveLive(req, path.substring("/live/".length()));
      } else if (path.startsWith("/ingest/")) {
        ingest(req, path.substring("/ingest/".length()));
      } else if (path.equals("/api/v1/streams") || path.startsWith("/api/v1/streams/")) {
        api(req, path);
      } else {
        fail(
            req,
            "other",
            404,
            "no such resource '"
                + MediaPath.printable(path)
                + "': media is under /live/{stream}/…");
      }
    } catch (MediaPath.InvalidPathException e) {
      fail(req, "invalid", e.status(), e.getMessage());
    }
  }

  // ---- viewers and edges ----------------------------------------------------------------

  private void serveLive(HttpServerRequest req, String rest) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().putHeader("Allow", "GET, HEAD");
      fail(
          req,
          "invalid",
          405,
          "method " + req.method() + " not allowed on /live/: use GET or HEAD");
      return;
    }
    int slash = rest.indexOf('/');
    if (slash < 0) {
      fail(
          req,
          "invalid",
          404,
          "expected /live/{stream}/{file}, got '/live/" + MediaPath.printable(rest) + "'");
      return;
    }
    MediaPath media = MediaPath.parse(rest.substring(0, slash), rest.substring(slash + 1));
    PublishedStream stream = streams.get(media.stream().value());
    if (stream == null) {
      fail(
          req,
          "unknown",
          404,
          "no stream named '" + media.stream() + "' on this origin (see /api/v1/streams)");
      return;
    }
    HttpServerResponse resp = req.response();
    resp.putHeader("Access-Control-Allow-Origin", "*");
    if (media.kind().isLive()) {
      Optional<LiveDocument> doc = stream.document(media.path());
      if (doc.isEmpty()) {
        resp.putHeader("Cache-Control", "max-age=1");
        fail(
            req,
            "playlist",
            404,
            "'" + media.path() + "' of stream '" + media.stream() + "' is not published (yet)");
        return;
      }
      LiveDocument d = doc.get();
      send(
          req,
          "playlist",
          d.body(),
          d.contentType(),
          d.etag(),
          HTTP_DATE.format(d.lastModified()),
          "public, max-age=" + d.maxAgeSeconds());
      return;
    }
    Optional<StoredObject> object = store.get(media.stream().value(), media.path());
    if (object.isEmpty() && archive.holds(media.stream().value(), media.path())) {
      serveArchived(req, media);
      return;
    }
    if (object.isEmpty()) {
      segmentNotFound(
          req, media, "is not in the store (not yet published, or older than the window)");
      return;
    }
    StoredObject o = object.get();
    send(
        req,
        "segment",
        o.body(),
        dev.segmentrelay.common.media.ObjectKind.contentType(o.path()),
        o.etag(),
        HTTP_DATE.format(o.storedAt()),
        IMMUTABLE);
  }

  /** A 404 for a segment, briefly cacheable (it may appear, or S3 may come back). */
  private void segmentNotFound(HttpServerRequest req, MediaPath media, String why) {
    req.response().putHeader("Cache-Control", "max-age=1");
    fail(
        req,
        "segment",
        404,
        "segment '" + media.path() + "' of stream '" + media.stream() + "' " + why);
  }

  private void serveArchived(HttpServerRequest req, MediaPath media) {
    io.vertx.core.Context requestContext = vertx.getOrCreateContext();
    archive
        .read(media.stream().value(), media.path())
        .onComplete(ar -> requestContext.runOnContext(v -> answerArchived(req, media, ar)));
  }

  private void answerArchived(
      HttpServerRequest req, MediaPath media, io.vertx.core.AsyncResult<Optional<Buffer>> ar) {
    if (ar.failed() || ar.result().isEmpty()) {
      segmentNotFound(
          req, media, "is archived but S3 could not return it (S3 down or object damaged)");
      return;
    }
    Buffer body = ar.result().get();
    req.response().putHeader("X-Relay-Served-From", "archive");
    send(
        req,
        "archived",
        body,
        dev.segmentrelay.common.media.ObjectKind.contentType(media.path()),
        dev.segmentrelay.common.http.Etags.of(body),
        HTTP_DATE.format(java.time.Instant.now()),
        IMMUTABLE);
  }

  private void send(
      HttpServerRequest req,
      String kind,
      Buffer body,
      String contentType,
      String etag,
      String lastModified,
      String cacheControl) {
    HttpServerResponse resp = req.response();
    resp.putHeader("Content-Type", contentType)
        .putHeader("ETag", etag)
        .putHeader("Last-Modified", lastModified)
        .putHeader("Cache-Control", cacheControl);
    String ifNoneMatch = req.getHeader("If-None-Match");
    if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
      count(kind, 304);
      resp.setStatusCode(304).end();
      return;
    }
    count(kind, 200);
    if (req.method() == HttpMethod.HEAD) {
      resp.putHeader("Content-Length", Integer.toString(body.length())).end();
    } else {
      resp.end(body);
    }
  }

  // ---- push ingest ------------------------------------------------------------------------

  private void ingest(HttpServerRequest req, String rest) {
    HttpMethod method = req.method();
    if (method != HttpMethod.PUT && method != HttpMethod.POST && method != HttpMethod.DELETE) {
      req.response().putHeader("Allow", "PUT, POST, DELETE");
      fail(
          req,
          "ingest",
          405,
          "method " + method + " not allowed on /ingest/: use PUT, POST or DELETE");
      return;
    }
    int slash = rest.indexOf('/');
    if (slash < 0) {
      fail(req, "ingest", 404, "expected /ingest/{stream}/{file}");
      return;
    }
    String streamName = rest.substring(0, slash);
    byte[] token = ingestTokens.get(streamName);
    PublishedStream stream = streams.get(streamName);
    if (token == null || stream == null) {
      fail(
          req,
          "ingest",
          404,
          "no push stream named '"
              + MediaPath.printable(streamName)
              + "': configure it with --push "
              + MediaPath.printable(streamName));
      return;
    }
    Optional<String> presented = presentedToken(req.getHeader("Authorization"));
    if (presented.isEmpty()) {
      req.response().putHeader("WWW-Authenticate", "Bearer realm=\"ingest\"");
      fail(
          req,
          "ingest",
          401,
          "ingest to '" + streamName + "' needs its token: send 'Authorization: Bearer TOKEN'");
      return;
    }
    if (!MessageDigest.isEqual(token, presented.get().getBytes(StandardCharsets.UTF_8))) {
      log.warn(
          "ingest for stream {} from {} refused: wrong token", streamName, req.remoteAddress());
      fail(req, "ingest", 403, "wrong ingest token for stream '" + streamName + "'");
      return;
    }
    MediaPath media = MediaPath.parse(streamName, rest.substring(slash + 1));
    if (method == HttpMethod.DELETE) {
      stream.acceptDelete(media.path());
      count("ingest", 204);
      req.response().setStatusCode(204).end();
      return;
    }
    String length = req.getHeader("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        fail(
            req,
            "ingest",
            400,
            "Content-Length '" + MediaPath.printable(length) + "' is not a number");
        return;
      }
      if (declared > config.maxObjectBytes()) {
        tooLarge(req, media, declared);
        return;
      }
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    // A body that trickles in forever (slowloris) is cut off: the idle timeout alone would let a
    // client hold the upload open by sending a byte a minute.
    long deadline =
        vertx.setTimer(
            UPLOAD_DEADLINE_MILLIS,
            t -> {
              refused[0] = true;
              log.warn(
                  "upload of {} for stream {} took longer than {} ms; refused",
                  media.path(),
                  streamName,
                  UPLOAD_DEADLINE_MILLIS);
              req.response().putHeader("Connection", "close");
              fail(
                  req,
                  "ingest",
                  408,
                  "upload of '"
                      + media.path()
                      + "' did not complete within "
                      + UPLOAD_DEADLINE_MILLIS / 1000
                      + " s");
            });
    req.handler(
        chunk -> {
          if (refused[0]) {
            return;
          }
          if (body.length() + chunk.length() > config.maxObjectBytes()) {
            refused[0] = true;
            vertx.cancelTimer(deadline);
            tooLarge(req, media, body.length() + chunk.length());
            return;
          }
          body.appendBuffer(chunk);
        });
    req.exceptionHandler(
        e -> {
          // Nothing of a broken upload is staged: only a complete body reaches the stream.
          refused[0] = true;
          vertx.cancelTimer(deadline);
          log.warn(
              "upload of {} for stream {} broke off after {} bytes: {}",
              media.path(),
              streamName,
              body.length(),
              e.toString());
        });
    req.endHandler(
        v -> {
          vertx.cancelTimer(deadline);
          if (refused[0]) {
            return;
          }
          stream
              .acceptUpload(media.path(), body)
              .onSuccess(
                  ok -> {
                    count("ingest", 201);
                    req.response().setStatusCode(201).end();
                  })
              .onFailure(
                  e ->
                      fail(
                          req,
                          "ingest",
                          e instanceof IllegalArgumentException ? 400 : 500,
                          e.getMessage()));
        });
  }

  private void tooLarge(HttpServerRequest req, MediaPath media, long size) {
    log.warn(
        "upload of {} for stream {} refused: {} bytes exceed max-object-bytes {}",
        media.path(),
        media.stream(),
        size,
        config.maxObjectBytes());
    req.response().putHeader("Connection", "close");
    fail(
        req,
        "ingest",
        413,
        "'"
            + media.path()
            + "' is "
            + size
            + " bytes or more; the limit is max-object-bytes = "
            + config.maxObjectBytes());
  }

  /** The token of a {@code Bearer} credential, or the password of a {@code Basic} one. */
  static Optional<String> presentedToken(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String value = authorization.trim();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(value.substring(7).trim());
    }
    if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return Optional.of(colon < 0 ? decoded : decoded.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  // ---- status API -------------------------------------------------------------------------

  private void api(HttpServerRequest req, String path) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().putHeader("Allow", "GET, HEAD");
      fail(req, "api", 405, "method " + req.method() + " not allowed on " + path);
      return;
    }
    Object body;
    if (path.equals("/api/v1/streams")) {
      JsonArray all = new JsonArray();
      streams.values().stream()
          .map(PublishedStream::status)
          .sorted(java.util.Comparator.comparing(StreamStatus::name))
          .forEach(s -> all.add(json(s)));
      body = all;
    } else {
      PublishedStream s = streams.get(path.substring("/api/v1/streams/".length()));
      if (s == null) {
        fail(
            req,
            "api",
            404,
            "no stream named '"
                + MediaPath.printable(path.substring("/api/v1/streams/".length()))
                + "'");
        return;
      }
      body = json(s.status());
    }
    count("api", 200);
    req.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Access-Control-Allow-Origin", "*")
        .end(
            body instanceof JsonArray a
                ? a.encodePrettily()
                : ((JsonObject) body).encodePrettily());
  }

  static JsonObject json(StreamStatus s) {
    JsonObject o =
        new JsonObject()
            .put("name", s.name())
            .put("protocol", s.protocol())
            .put("mode", s.mode())
            .put("state", s.state())
            .put("entry", s.entry())
            .put("url", "/live/" + s.name() + "/" + s.entry())
            .put("renditions", new JsonArray(s.renditions()))
            .put("segmentsPublished", s.segmentsPublished())
            .put("epoch", s.epoch())
            .put("startedAt", s.startedAt().toString());
    s.newestSegmentAge().ifPresent(a -> o.put("newestSegmentAgeMs", a.toMillis()));
    s.lastError().ifPresent(e -> o.put("lastError", e));
    return o;
  }

  private void fail(HttpServerRequest req, String kind, int status, String message) {
    count(kind, status);
    ErrorBody.send(req.response(), status, message);
  }

  private void count(String kind, int status) {
    requestCounters
        .computeIfAbsent(
            kind + status,
            k ->
                Counter.builder("relay_origin_http_requests")
                    .description("requests answered by the origin's public server")
                    .tag("kind", kind)
                    .tag("status", Integer.toString(status))
                    .register(meters))
        .increment();
  }
}
