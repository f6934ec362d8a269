package dev.segmentrelay.common.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sits between a pushing transcoder and the origin and keeps a copy of every uploaded body, so a
 * push test can compare what the origin publishes with exactly what the transcoder sent.
 *
 * <p>Each request is forwarded to the target with the same method, path and headers (including
 * {@code Authorization}); the target's status and body go back to the transcoder. A PUT body is
 * written to {@code recordDir/{path without the first N path segments}} before forwarding (the last
 * upload of a path wins, as on the transcoder's own disk). DELETEs are forwarded but the copy is
 * kept.
 */
public final class RecordingPushProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host");

  private final Vertx vertx;
  private final HttpServer server;
  private final HttpClient client;
  private final int targetPort;
  private final Path recordDir;
  private final int strippedSegments;
  private final AtomicLong uploads = new AtomicLong();

  private RecordingPushProxy(
      Vertx vertx, HttpServer server, HttpClient client, int targetPort, Path dir, int strip) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
    this.targetPort = targetPort;
    this.recordDir = dir;
    this.strippedSegments = strip;
  }

  /**
   * Starts a proxy to {@code 127.0.0.1:targetPort}.
   *
   * @param recordDir where PUT bodies are kept
   * @param strippedSegments leading path segments dropped for the file name (2 for {@code
   *     /ingest/{stream}/…})
   */
  public static RecordingPushProxy start(int targetPort, Path recordDir, int strippedSegments) {
    Vertx vertx = Vertx.vertx();
    RecordingPushProxy[] self = new RecordingPushProxy[1];
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(r -> self[0].handle(r));
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4));
    self[0] =
        new RecordingPushProxy(vertx, server, client, targetPort, recordDir, strippedSegments);
    try {
      Files.createDirectories(recordDir);
      Waits.await("recording proxy to listen", Duration.ofSeconds(10), server.listen());
    } catch (IOException e) {
      vertx.close();
      throw new UncheckedIOException(e);
    } catch (AssertionError e) {
      vertx.close();
      throw e;
    }
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  /** Uploads (PUT) forwarded so far. */
  public long uploads() {
    return uploads.get();
  }

  /** The recorded copy of the upload to {@code relativePath} (after the stripped segments). */
  public Path recorded(String relativePath) {
    return recordDir.resolve(relativePath);
  }

  private void handle(HttpServerRequest request) {
    String uri = request.uri();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    request
        .headers()
        .forEach(
            h -> {
              if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                headers.add(h.getKey(), h.getValue());
              }
            });
    request
        .body()
        .compose(
            body -> {
              if (request.method() == io.vertx.core.http.HttpMethod.PUT) {
                uploads.incrementAndGet();
                record(request.path(), body);
              }
              return client
                  .request(
                      new RequestOptions()
                          .setMethod(request.method())
                          .setHost("127.0.0.1")
                          .setPort(targetPort)
                          .setURI(uri)
                          .setHeaders(headers))
                  .compose(out -> out.send(body))
                  .compose(
                      in ->
                          in.body()
                              .map(
                                  b -> {
                                    var response =
                                        request.response().setStatusCode(in.statusCode());
                                    String type = in.getHeader("Content-Type");
                                    if (type != null) {
                                      response.putHeader("Content-Type", type);
                                    }
                                    return response.end(b);
                                  }));
            })
        .onFailure(
            e -> {
              if (!request.response().ended()) {
                request.response().setStatusCode(502).end(String.valueOf(e));
              }
            });
  }

  private void record(String path, Buffer body) {
    String[] parts = path.split("/");
    // parts[0] is empty (leading slash).
    if (parts.length <= strippedSegments + 1 || path.contains("..")) {
      return;
    }
    Path file =
        recordDir.resolve(
            String.join(
                "/", java.util.Arrays.copyOfRange(parts, strippedSegments + 1, parts.length)));
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".part");
      Files.write(tmp, body.getBytes());
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    Waits.await("recording proxy to close", Duration.ofSeconds(10), vertx.close());
  }
}
