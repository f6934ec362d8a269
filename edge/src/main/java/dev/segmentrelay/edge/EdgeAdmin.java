package dev.segmentrelay.edge;

import dev.segmentrelay.common.http.ErrorBody;
import dev.segmentrelay.common.management.AdminActions;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.edge.cache.EdgeCache;
import dev.segmentrelay.edge.registration.EdgeRegistration;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's admin actions on the management port (the management server checks the bearer token
 * first):
 *
 * <ul>
 *   <li>{@code POST /admin/purge?path=/live/room1/x.ts}: drops one object; {@code
 *       ?prefix=/live/room1/} drops every object under a prefix (a stream, or everything with
 *       {@code /live/});
 *   <li>{@code POST /admin/drain}: stops being ready (routers send no new viewers) while current
 *       viewers keep being served; {@code DELETE /admin/drain} ends draining;
 *   <li>{@code GET /admin/status}: registry state ({@code starting}, {@code serving}, {@code
 *       draining}), the last load report, the streams being prefetched and cache figures.
 * </ul>
 */
final class EdgeAdmin implements AdminActions {
  private static final Logger log = LoggerFactory.getLogger(EdgeAdmin.class);

  private final Optional<String> token;
  private final EdgeCache cache;
  private final AtomicBoolean draining;
  private final Optional<EdgeRegistration> registration;

  EdgeAdmin(
      Optional<String> token,
      EdgeCache cache,
      AtomicBoolean draining,
      Optional<EdgeRegistration> registration) {
    this.token = token;
    this.cache = cache;
    this.draining = draining;
    this.registration = registration;
  }

  @Override
  public Optional<String> token() {
    return token;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    HttpMethod method = req.method();
    switch (path) {
      case "/admin/purge" -> {
        if (method != HttpMethod.POST) {
          notAllowed(req, "POST");
          return;
        }
        purge(req);
      }
      case "/admin/drain" -> {
        if (method == HttpMethod.POST) {
          draining.set(true);
          registration.ifPresent(EdgeRegistration::stateChanged);
          log.info("edge draining: not ready for new viewers");
        } else if (method == HttpMethod.DELETE) {
          draining.set(false);
          registration.ifPresent(EdgeRegistration::stateChanged);
          log.info("edge drain ended: ready again");
        } else {
          notAllowed(req, "POST, DELETE");
          return;
        }
        json(req, status());
      }
      case "/admin/status" -> json(req, status());
      default ->
          ErrorBody.send(
              req.response(),
              404,
              "no admin action '"
                  + MediaPath.printable(path)
                  + "': use /admin/purge, /admin/drain or /admin/status");
    }
  }

  private void purge(HttpServerRequest req) {
    String key = req.getParam("path");
    String prefix = req.getParam("prefix");
    if ((key == null) == (prefix == null)) {
      ErrorBody.send(
          req.response(),
          400,
          "purge needs exactly one of ?path=/live/{stream}/{file} or ?prefix=/live/{stream}/");
      return;
    }
    if (key != null) {
      if (!key.startsWith("/live/") || key.indexOf('/', 6) < 0) {
        ErrorBody.send(
            req.response(),
            400,
            "purge path '" + MediaPath.printable(key) + "' must look like /live/{stream}/{file}");
        return;
      }
      int slash = key.indexOf('/', 6);
      String normalised;
      try {
        normalised = MediaPath.parse(key.substring(6, slash), key.substring(slash + 1)).urlPath();
      } catch (MediaPath.InvalidPathException e) {
        ErrorBody.send(req.response(), 400, e.getMessage());
        return;
      }
      boolean removed = cache.purge(normalised);
      log.info("purged {} ({})", normalised, removed ? "was cached" : "was not cached");
      json(req, new JsonObject().put("purged", removed ? 1 : 0).put("path", normalised));
      return;
    }
    if (!prefix.startsWith("/live/")) {
      ErrorBody.send(
          req.response(),
          400,
          "purge prefix '" + MediaPath.printable(prefix) + "' must start with /live/");
      return;
    }
    int n = cache.purgePrefix(prefix);
    log.info("purged {} object(s) under {}", n, prefix);
    json(req, new JsonObject().put("purged", n).put("prefix", prefix));
  }

  private JsonObject status() {
    JsonObject out =
        registration
            .map(EdgeRegistration::status)
            .orElseGet(
                () -> new JsonObject().put("state", draining.get() ? "draining" : "serving"));
    return out.put("cacheBytes", cache.bytes())
        .put("cacheEntries", cache.entries())
        .put("waiters", cache.waiters());
  }

  private static void notAllowed(HttpServerRequest req, String allow) {
    req.response().putHeader("Allow", allow);
    ErrorBody.send(
        req.response(),
        405,
        "method " + req.method() + " not allowed on " + req.path() + ": use " + allow);
  }

  private static void json(HttpServerRequest req, JsonObject body) {
    req.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
