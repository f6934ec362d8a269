package dev.segmentrelay.edge.upstream;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;

/**
 * The HTTP client the edge uses towards the servers it fetches from (upstreams, the S3 overflow
 * tier): HTTP/1.1 without pipelining, a keep-alive pool whose idle connections close after {@value
 * #KEEP_ALIVE_SECONDS} s (before typical server keep-alive limits), no redirects and no
 * decompression, so the bytes the server sent are the bytes the cache stores.
 */
public final class PeerClients {
  static final int KEEP_ALIVE_SECONDS = 30;

  private PeerClients() {}

  /**
   * @param tls whether the peer is https
   * @param maxConnections the pool's size
   */
  public static HttpClient keepAlive(
      Vertx vertx, boolean tls, Duration connectTimeout, int maxConnections) {
    return vertx
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
        .with(new PoolOptions().setHttp1MaxSize(maxConnections))
        .build();
  }
}
