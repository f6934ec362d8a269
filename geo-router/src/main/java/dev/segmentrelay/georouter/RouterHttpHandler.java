package dev.segmentrelay.georouter;

import dev.segmentrelay.common.http.ErrorBody;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.HlsPlaylist;
import dev.segmentrelay.common.media.hls.MasterPlaylist;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.georouter.steering.ManifestFetcher;
import dev.segmentrelay.georouter.steering.SteeringDocuments;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The router's viewer-facing HTTP endpoints. Sits behind one Vert.x HTTP server per event loop;
 * everything here runs on the event loop and never blocks (the routing snapshot, the stream list
 * and the location database are all in memory).
 *
 * <ul>
 *   <li>{@code GET|HEAD /live/{stream}/{path}}: {@code 302} to the chosen edge ({@code
 *       Cache-Control: no-store}); {@code 404} for an unknown stream; {@code 400/404} for a path
 *       that is not a media path; {@code 503} with {@code Retry-After} when no edge is fit (or a
 *       {@code 302} to the fallback origin when one is configured).
 *   <li>{@code GET /steer/{stream}/{path}}: the stream's master playlist or MPD rewritten for
 *       content steering, one pathway per candidate edge; {@code 502} if no edge can provide it.
 *   <li>{@code GET /steering/{stream}?format=hls|dash}: the steering JSON for this viewer.
 *   <li>{@code GET /api/v1/route?ip=&stream=}: a decision explained. {@code GET /api/v1/edges}.
 * </ul>
 *
 * Any other path is {@code 404}, any other method {@code 405}; every error is one JSON body.
 */
final class RouterHttpHandler implements Handler<HttpServerRequest> {
  private static final String LIVE = "/live/";
  private static final String STEER = "/steer/";
  private static final String STEERING = "/steering/";

  private final RouterConfig config;
  private final ViewerRouting routing;
  private final ClientAddressResolver clients;
  private final KnownStreams streams;
  private final ManifestFetcher manifests;
  private final RouterMetrics metrics;
  private final String retryAfter;

  RouterHttpHandler(
      RouterConfig config,
      ViewerRouting routing,
      ClientAddressResolver clients,
      KnownStreams streams,
      ManifestFetcher manifests,
      RouterMetrics metrics) {
    this.config = config;
    this.routing = routing;
    this.clients = clients;
    this.streams = streams;
    this.manifests = manifests;
    this.metrics = metrics;
    this.retryAfter = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    try {
      if (path.startsWith(LIVE)) {
        redirect(req, path.substring(LIVE.length()));
      } else if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
        req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
        fail(req, 405, "method " + req.method() + " is not allowed here: use GET");
      } else if (path.startsWith(STEER)) {
        steeredPlaylist(req, path.substring(STEER.length()));
      } else if (path.startsWith(STEERING)) {
        steeringJson(req, path.substring(STEERING.length()));
      } else if (path.equals("/api/v1/route")) {
        explain(req);
      } else if (path.equals("/api/v1/edges")) {
        metrics.api.increment();
        json(req, 200, Json.encode(routing.edges()));
      } else {
        metrics.notFound.increment();
        fail(
            req,
            404,
            "no such endpoint: "
                + MediaPath.printable(path)
                + "; viewers use /live/{stream}/{path}, players with content steering"
                + " /steer/{stream}/{path}");
      }
    } catch (MediaPath.InvalidPathException e) {
      metrics.badRequest.increment();
      fail(req, e.status(), e.getMessage());
    } catch (IllegalArgumentException e) {
      metrics.badRequest.increment();
      fail(req, 400, e.getMessage());
    }
  }

  private void redirect(HttpServerRequest req, String streamAndPath) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
      fail(req, 405, "method " + req.method() + " is not allowed on /live/: use GET");
      return;
    }
    MediaPath media = parse(streamAndPath);
    if (!knownStream(req, media)) {
      return;
    }
    List<EdgeRecord> best = routing.rank(client(req), 1);
    String query = req.query() == null ? "" : "?" + req.query();
    String target;
    if (!best.isEmpty()) {
      metrics.redirected.increment();
      target = best.get(0).publicUrl() + media.urlPath() + query;
      req.response().putHeader("X-Relay-Edge", best.get(0).id());
    } else if (config.fallbackOrigin().isPresent()) {
      metrics.redirectedToOrigin.increment();
      target = config.fallbackOrigin().get() + media.urlPath() + query;
    } else {
      noEdge(req);
      return;
    }
    req.response()
        .setStatusCode(302)
        .putHeader(HttpHeaders.LOCATION, target)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
        .end();
  }

  private void steeredPlaylist(HttpServerRequest req, String streamAndPath) {
    MediaPath media = parse(streamAndPath);
    boolean dash = media.path().endsWith(".mpd");
    if (!dash && !media.path().endsWith(".m3u8")) {
      throw new IllegalArgumentException(
          "only a master playlist (.m3u8) or an MPD can be steered, not " + media.path());
    }
    if (!knownStream(req, media)) {
      return;
    }
    List<EdgeRecord> edges = routing.rank(client(req), config.steeringPathways());
    if (edges.isEmpty()) {
      noEdge(req);
      return;
    }
    String dir = media.urlPath().substring(0, media.urlPath().lastIndexOf('/') + 1);
    String steeringUri =
        "http://"
            + hostOf(req)
            + STEERING
            + media.stream().value()
            + (dash ? "?format=dash" : "?format=hls");
    manifests
        .fetch(edges.get(0).publicUrl() + media.urlPath())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                metrics.steeringFailed.increment();
                fail(req, 502, "could not read the stream's playlist: " + ar.cause().getMessage());
                return;
              }
              String body;
              try {
                if (dash) {
                  body =
                      SteeringDocuments.dashMpd(
                          ar.result(), edges, e -> e.publicUrl() + dir, steeringUri);
                } else {
                  HlsPlaylist parsed = HlsParser.parse(ar.result());
                  body =
                      parsed instanceof MasterPlaylist master
                          ? SteeringDocuments.hlsMaster(
                              master, edges, e -> e.publicUrl() + dir, steeringUri)
                          : SteeringDocuments.hlsSingleVariant(
                              media.fileName(), edges, e -> e.publicUrl() + dir, steeringUri);
                }
              } catch (RuntimeException e) {
                metrics.steeringFailed.increment();
                fail(req, 502, "could not steer " + media.path() + ": " + e.getMessage());
                return;
              }
              metrics.steered.increment();
              req.response()
                  .putHeader(
                      HttpHeaders.CONTENT_TYPE,
                      dash ? "application/dash+xml" : "application/vnd.apple.mpegurl")
                  .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                  .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                  .end(body);
            });
  }

  private void steeringJson(HttpServerRequest req, String stream) {
    if (stream.endsWith(".json")) {
      stream = stream.substring(0, stream.length() - ".json".length());
    }
    MediaPath.parse(stream, "x.m3u8"); // validates the stream name
    String format = Optional.ofNullable(req.getParam("format")).orElse("hls");
    if (!format.equals("hls") && !format.equals("dash")) {
      throw new IllegalArgumentException(
          "format must be hls or dash, not " + MediaPath.printable(format));
    }
    List<String> order =
        routing.rank(client(req), config.steeringPathways()).stream().map(EdgeRecord::id).toList();
    String reload = "http://" + hostOf(req) + STEERING + stream + "?format=" + format;
    JsonObject doc =
        format.equals("dash")
            ? SteeringDocuments.dashSteering(order, config.steeringTtl(), reload)
            : SteeringDocuments.hlsSteering(order, config.steeringTtl(), reload);
    metrics.steeringJson.increment();
    req.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    json(req, 200, doc.encode());
  }

  private void explain(HttpServerRequest req) {
    String ip = req.getParam("ip");
    InetAddress address = ip == null ? client(req) : literal(ip);
    JsonObject body = JsonObject.mapFrom(routing.explain(address));
    String stream = req.getParam("stream");
    if (stream != null) {
      body.put("stream", stream).put("streamKnown", streams.get(stream).isPresent());
    }
    metrics.api.increment();
    json(req, 200, body.encode());
  }

  /** Whether an origin publishes the stream; answers 404 when none does. */
  private boolean knownStream(HttpServerRequest req, MediaPath media) {
    if (streams.get(media.stream().value()).isPresent()) {
      return true;
    }
    metrics.unknownStream.increment();
    fail(req, 404, "unknown stream '" + media.stream().value() + "': no origin publishes it");
    return false;
  }

  /** The 503 for a viewer no edge can take, with the configured Retry-After. */
  private void noEdge(HttpServerRequest req) {
    metrics.noEdge.increment();
    req.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfter);
    fail(req, 503, "no edge is available for this viewer right now; retry shortly");
  }

  private InetAddress client(HttpServerRequest req) {
    return clients.clientAddress(
        req.remoteAddress().hostAddress(), req.getHeader("X-Forwarded-For"));
  }

  private static InetAddress literal(String ip) {
    if (ip.isEmpty() || !ip.matches("[0-9a-fA-F:.]+") || ip.length() > 45) {
      throw new IllegalArgumentException(
          "ip " + MediaPath.printable(ip) + " is not an IPv4 or IPv6 address literal");
    }
    try {
      return InetAddress.getByName(ip); // a literal: no DNS lookup happens
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(
          "ip " + MediaPath.printable(ip) + " is not an IPv4 or IPv6 address literal", e);
    }
  }

  private static MediaPath parse(String streamAndPath) {
    int slash = streamAndPath.indexOf('/');
    if (slash <= 0) {
      throw new MediaPath.InvalidPathException(
          404, "expected /live/{stream}/{path}, got a stream without a path");
    }
    return MediaPath.parse(streamAndPath.substring(0, slash), streamAndPath.substring(slash + 1));
  }

  private static String hostOf(HttpServerRequest req) {
    String host = req.authority() == null ? null : req.authority().toString();
    if (host == null || host.isEmpty()) {
      host = req.localAddress().hostAddress() + ":" + req.localAddress().port();
    }
    URI.create("http://" + host); // rejects a Host header that is not a host
    return host;
  }

  private static void json(HttpServerRequest req, int status, String body) {
    HttpServerResponse resp = req.response();
    resp.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    if (req.method() == HttpMethod.HEAD) {
      resp.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
    } else {
      resp.end(body);
    }
  }

  private static void fail(HttpServerRequest req, int status, String message) {
    req.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    ErrorBody.send(req.response(), status, message);
  }
}
