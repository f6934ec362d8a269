package dev.segmentrelay.edge.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * One upstream base URL with its own keep-alive connection pool ({@link PeerClients}), circuit
 * breaker and meters.
 */
final class Upstream {
  static final int MAX_CONNECTIONS = 32;
  static final String USER_AGENT = "segment-relay-edge";

  private final URI base;
  private final String name;
  private final String host;
  private final int port;
  private final boolean tls;
  private final String basePath;
  private final HttpClient client;
  private final CircuitBreaker breaker;
  private final UpstreamMetrics metrics;

  Upstream(Vertx vertx, URI base, Duration connectTimeout, MeterRegistry meters, Clock clock) {
    this.base = base;
    this.name = stripTrailingSlash(base.toString());
    this.tls = "https".equals(base.getScheme());
    this.host = base.getHost();
    this.port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
    this.basePath = base.getRawPath() == null ? "" : stripTrailingSlash(base.getRawPath());
    this.client = PeerClients.keepAlive(vertx, tls, connectTimeout, MAX_CONNECTIONS);
    this.breaker = new CircuitBreaker(clock);
    this.metrics = new UpstreamMetrics(meters, name, breaker);
  }

  /** The base URL as configured. */
  URI base() {
    return base;
  }

  /** The base URL without a trailing slash, for messages and the {@code upstream} tag. */
  String name() {
    return name;
  }

  HttpClient client() {
    return client;
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  UpstreamMetrics metrics() {
    return metrics;
  }

  /**
   * A GET of {@code pathAndQuery} under the base path. {@code connectTimeout} bounds getting a
   * connection, from the pool or a new one.
   */
  RequestOptions get(String pathAndQuery, Duration connectTimeout) {
    return new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(host)
        .setPort(port)
        .setSsl(tls)
        .setURI(basePath + pathAndQuery)
        .setFollowRedirects(false)
        .setConnectTimeout(connectTimeout.toMillis())
        .addHeader("User-Agent", USER_AGENT);
  }

  Future<Void> close() {
    return client.close();
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
