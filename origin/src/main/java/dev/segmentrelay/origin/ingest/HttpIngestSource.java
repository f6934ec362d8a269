package dev.segmentrelay.origin.ingest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Pulls source objects from a transcoder's HTTP server over a keep-alive connection pool.
 *
 * <p>A fetch succeeds only with the whole body: a 2xx status, no more than {@code maxBytes}, and
 * exactly {@code Content-Length} bytes when the server announced it. A connection that dies
 * mid-body, a stall past {@code timeout} or an oversized body fails the fetch, so a truncated
 * object can never be published.
 */
public final class HttpIngestSource implements IngestSource {
  private final Vertx vertx;
  private final HttpClient client;
  private final long maxBytes;
  private final long timeoutMillis;

  public HttpIngestSource(Vertx vertx, long maxBytes, Duration timeout) {
    this.vertx = vertx;
    this.maxBytes = maxBytes;
    this.timeoutMillis = timeout.toMillis();
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setKeepAlive(true)
                    .setConnectTimeout((int) Math.min(timeoutMillis, 5_000))
                    .setMaxRedirects(4))
            .with(new PoolOptions().setHttp1MaxSize(8))
            .build();
  }

  @Override
  public Future<Buffer> fetch(URI uri, Optional<long[]> range) {
    String scheme = uri.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      return Future.failedFuture(
          new IngestException(
              "cannot fetch '" + uri + "': only http and https are supported", false));
    }
    boolean tls = "https".equals(scheme);
    int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(uri.getHost())
            .setPort(port)
            .setSsl(tls)
            .setURI(path)
            .setFollowRedirects(true)
            .addHeader("User-Agent", "segment-relay-origin")
            .addHeader("Cache-Control", "no-cache");
    range.ifPresent(r -> options.addHeader("Range", "bytes=" + r[0] + "-" + (r[0] + r[1] - 1)));

    Promise<Buffer> result = Promise.promise();
    long timer =
        vertx.setTimer(
            timeoutMillis,
            t ->
                result.tryFail(
                    new IngestException(
                        "GET " + uri + " timed out after " + timeoutMillis + " ms", false)));
    client
        .request(options)
        .onFailure(
            e ->
                result.tryFail(new IngestException("GET " + uri + " failed: " + e.getMessage(), e)))
        .onSuccess(
            req -> {
              // Cut the connection only while the body is still flowing (timeout, oversized
              // body): a request whose response is complete has nothing left to reset.
              boolean[] complete = {false};
              result
                  .future()
                  .onFailure(
                      e -> {
                        if (!complete[0]) {
                          req.reset();
                        }
                      });
              req.send()
                  .onFailure(
                      e ->
                          result.tryFail(
                              new IngestException("GET " + uri + " failed: " + e.getMessage(), e)))
                  .onSuccess(
                      resp -> {
                        int status = resp.statusCode();
                        boolean ok = range.isPresent() ? status == 206 : status / 100 == 2;
                        if (!ok) {
                          complete[0] = true;
                          // Drain the short error body so the connection goes back to the pool.
                          resp.body();
                          boolean notFound = status == 404 || status == 410;
                          result.tryFail(
                              new IngestException(
                                  "GET "
                                      + uri
                                      + " answered "
                                      + status
                                      + (range.isPresent() && !notFound
                                          ? " to a Range request (expected 206)"
                                          : ""),
                                  notFound));
                          return;
                        }
                        long announced = contentLength(resp.getHeader("Content-Length"));
                        if (announced > maxBytes) {
                          result.tryFail(tooLarge(uri, announced));
                          return;
                        }
                        Buffer body = Buffer.buffer(announced > 0 ? (int) announced : 8192);
                        resp.handler(
                            chunk -> {
                              if (body.length() + chunk.length() > maxBytes) {
                                result.tryFail(tooLarge(uri, body.length() + chunk.length()));
                              } else {
                                body.appendBuffer(chunk);
                              }
                            });
                        resp.exceptionHandler(
                            e ->
                                result.tryFail(
                                    new IngestException(
                                        "GET "
                                            + uri
                                            + " died after "
                                            + body.length()
                                            + " bytes: "
                                            + e.getMessage(),
                                        e)));
                        resp.endHandler(
                            v -> {
                              complete[0] = true;
                              if (announced >= 0 && body.length() != announced) {
                                result.tryFail(
                                    new IngestException(
                                        "GET "
                                            + uri
                                            + " ended after "
                                            + body.length()
                                            + " of "
                                            + announced
                                            + " bytes",
                                        false));
                              } else {
                                result.tryComplete(body);
                              }
                            });
                      });
            });
    return result.future().onComplete(r -> vertx.cancelTimer(timer));
  }

  private IngestException tooLarge(URI uri, long size) {
    return new IngestException(
        "GET " + uri + " body of " + size + " bytes exceeds max-object-bytes " + maxBytes, false);
  }

  private static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public Future<Void> close() {
    return client.close();
  }
}
