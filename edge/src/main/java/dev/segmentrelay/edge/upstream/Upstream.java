package dev.segmentrelay.edge.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * One upstream base URL with its own keep-alive connection pool, circuit breaker and meters.
 *
 * <p>The client speaks HTTP/1.1 without pipelining, follows no redirects and does not decompress:
 * the bytes the upstream sent are the bytes the cache stores.
 */
final class Upstream {
  static final int MAX_CONNECTIONS = 32;
  static final String USER_AGENT = "segment-relay-edge";

  /** Idle pooled connections are closed after this, before typical server keep-alive limits. */
  private static final int KEEP_ALIVE_SECONDS = 30;

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
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_1_1)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                    .setPipelining(false)
                    .setDecompressionSupported(false)
                    .setMaxRedirects(0)
                    .setSsl(tls)
                    .setConnectTimeout(Math.toIntExact(connectTimeout.toMillis())))
            .with(new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS))
            .build();
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
