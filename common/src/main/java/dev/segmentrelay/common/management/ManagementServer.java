package dev.segmentrelay.common.management;

import dev.segmentrelay.common.http.ErrorBody;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The management port every service runs beside its public one:
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the process serves HTTP at all;
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"READY"}}, or 503 {@code
 *       {"status":"NOT_READY","reason":"…"}} with the service's own {@link Readiness} sentence;
 *   <li>{@code GET /metrics}: the Prometheus text exposition of the service's registry, rendered on
 *       a worker thread so a large scrape never stalls the event loop;
 *   <li>{@code /admin} and {@code /admin/…}, when the service has {@link AdminActions}: any method,
 *       authenticated here and then handed to {@link AdminActions#handle}. Without {@code
 *       Authorization: Bearer TOKEN} the answer is 401 (with {@code WWW-Authenticate}), with a
 *       wrong token 403, and 403 for every request when the service has no token configured. The
 *       token is compared in constant time;
 *   <li>anything else: 404 (405 for another method on the health and metrics paths) with the JSON
 *       {@link ErrorBody}.
 * </ul>
 *
 * {@code HEAD} is answered like {@code GET} without a body. Nothing here is cached ({@code
 * Cache-Control: no-store}).
 */
public final class ManagementServer {
  /** Prometheus text format 0.0.4, which every Prometheus version scrapes. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Readiness: empty when ready, else a sentence saying why not. */
  @FunctionalInterface
  public interface Readiness {
    Optional<String> notReadyReason();
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  private final Optional<AdminActions> admin;

  private ManagementServer(
      Vertx vertx,
      HttpServer server,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      Optional<AdminActions> admin) {
    this.vertx = vertx;
    this.server = server;
    this.registry = registry;
    this.readiness = readiness;
    this.admin = admin;
  }

  /**
   * Starts listening on {@code host:port} (port 0 picks a free one, see {@link #port()}).
   *
   * @param registry the service's registry, scraped on {@code /metrics}; the caller owns it
   * @param readiness asked on every {@code /health/ready}; runs on the event loop, must be cheap
   */
  public static Future<ManagementServer> start(
      Vertx vertx, String host, int port, PrometheusMeterRegistry registry, Readiness readiness) {
    return start(vertx, host, port, registry, readiness, Optional.empty());
  }

  /**
   * Starts listening on {@code host:port} with admin actions under {@code /admin/} (port 0 picks a
   * free one, see {@link #port()}).
   *
   * @param registry the service's registry, scraped on {@code /metrics}; the caller owns it
   * @param readiness asked on every {@code /health/ready}; runs on the event loop, must be cheap
   * @param admin the service's admin actions; empty: {@code /admin/} is answered 404 like any
   *     unknown path
   */
  public static Future<ManagementServer> start(
      Vertx vertx,
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      Optional<AdminActions> admin) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    ManagementServer management = new ManagementServer(vertx, server, registry, readiness, admin);
    server.requestHandler(management::handle);
    return server.listen().map(listening -> management);
  }

  /**
   * A Prometheus registry with the common tag {@code service} and the JVM and process meters:
   * memory, GC, threads, class loading, CPU, uptime and open file descriptors. Closing the registry
   * also unregisters the GC listeners.
   */
  public static PrometheusMeterRegistry newRegistry(String service) {
    JvmGcMetrics gcMetrics = new JvmGcMetrics();
    PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
          @Override
          public void close() {
            gcMetrics.close();
            super.close();
          }
        };
    registry.config().commonTags("service", service);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return registry;
  }

  /** The port actually listened on. */
  public int port() {
    return server.actualPort();
  }

  /** Stops listening; the registry stays open (it belongs to the caller). */
  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response().putHeader("Cache-Control", "no-store");
    String path = request.path();
    if (admin.isPresent() && (path.equals("/admin") || path.startsWith("/admin/"))) {
      admin(admin.get(), request);
      return;
    }
    boolean known =
        path.equals("/health/live") || path.equals("/health/ready") || path.equals("/metrics");
    if (!known) {
      ErrorBody.send(
          response,
          404,
          admin.isPresent()
              ? "no such management endpoint: use /health/live, /health/ready, /metrics or /admin/"
              : "no such management endpoint: use /health/live, /health/ready or /metrics");
      return;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      response.putHeader("Allow", "GET, HEAD");
      ErrorBody.send(response, 405, path + " answers GET and HEAD only");
      return;
    }
    switch (path) {
      case "/health/live" -> sendJson(response, 200, new JsonObject().put("status", "UP"));
      case "/health/ready" -> ready(response);
      default -> metrics(response);
    }
  }

  private static void admin(AdminActions actions, HttpServerRequest request) {
    HttpServerResponse response = request.response();
    Optional<String> expected = actions.token();
    if (expected.isEmpty()) {
      ErrorBody.send(
          response,
          403,
          "admin actions are disabled: this server has no admin token; restart it with"
              + " --admin-token TOKEN or its environment variable (at least 16 random"
              + " characters, e.g. from 'openssl rand -hex 16')");
      return;
    }
    Optional<String> presented = bearerToken(request.getHeader("Authorization"));
    if (presented.isEmpty()) {
      response.putHeader("WWW-Authenticate", "Bearer realm=\"admin\"");
      ErrorBody.send(
          response, 401, "admin actions need the admin token: send 'Authorization: Bearer TOKEN'");
      return;
    }
    if (!tokensMatch(presented.get(), expected.get())) {
      ErrorBody.send(response, 403, "wrong admin token");
      return;
    }
    try {
      actions.handle(request);
    } catch (RuntimeException e) {
      ErrorBody.send(response, 500, "the admin action failed: " + e);
    }
  }

  /** The credential of an {@code Authorization: Bearer …} header; empty for any other header. */
  static Optional<String> bearerToken(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String value = authorization.trim();
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = value.substring(7).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  /**
   * Compares in time that depends on the presented token's length only, never on how much of the
   * configured token it matches (nor on the configured token's length).
   */
  static boolean tokensMatch(String presented, String expected) {
    return MessageDigest.isEqual(
        presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private void ready(HttpServerResponse response) {
    Optional<String> reason;
    try {
      reason = readiness.notReadyReason();
    } catch (RuntimeException e) {
      reason = Optional.of("the readiness check failed: " + e);
    }
    if (reason.isEmpty()) {
      sendJson(response, 200, new JsonObject().put("status", "READY"));
    } else {
      sendJson(
          response, 503, new JsonObject().put("status", "NOT_READY").put("reason", reason.get()));
    }
  }

  private void metrics(HttpServerResponse response) {
    vertx
        .executeBlocking(registry::scrape, false)
        .onSuccess(
            text -> {
              if (!response.closed()) {
                response
                    .setStatusCode(200)
                    .putHeader("Content-Type", PROMETHEUS_CONTENT_TYPE)
                    .end(text);
              }
            })
        .onFailure(e -> ErrorBody.send(response, 500, "scraping the metrics failed: " + e));
  }

  private static void sendJson(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
