package dev.segmentrelay.common.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a directory over real HTTP on 127.0.0.1 (an ephemeral port) the way a transcoder's web
 * server would: every request reads the file as it is now, with no caching, so playlists that
 * ffmpeg replaces by rename are always served whole and current. Missing files answer 404.
 */
public final class StaticHttpServer implements AutoCloseable {
  private final Vertx vertx;
  private final HttpServer server;
  private final Path root;
  private final AtomicLong requests = new AtomicLong();

  private StaticHttpServer(Vertx vertx, HttpServer server, Path root) {
    this.vertx = vertx;
    this.server = server;
    this.root = root;
  }

  /** Starts serving {@code root}. */
  public static StaticHttpServer start(Path root) {
    Path absolute = root.toAbsolutePath().normalize();
    Vertx vertx = Vertx.vertx();
    StaticHttpServer[] self = new StaticHttpServer[1];
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(request -> self[0].handle(request));
    try {
      self[0] = new StaticHttpServer(vertx, server, absolute);
      Waits.await("static HTTP server to listen", Duration.ofSeconds(10), server.listen());
      return self[0];
    } catch (RuntimeException | AssertionError e) {
      vertx.close();
      throw e;
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:PORT/relativePath}. */
  public String url(String relativePath) {
    return "http://127.0.0.1:" + port() + "/" + relativePath;
  }

  public long requests() {
    return requests.get();
  }

  private void handle(HttpServerRequest request) {
    requests.incrementAndGet();
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).end();
      return;
    }
    String path = request.path();
    Path file = root.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
    if (!file.startsWith(root) || path.contains("..")) {
      request.response().setStatusCode(400).end();
      return;
    }
    vertx
        .fileSystem()
        .readFile(file.toString())
        .onComplete(
            ar -> {
              var response = request.response().putHeader("Cache-Control", "no-cache");
              if (ar.failed()) {
                response.setStatusCode(404).end();
                return;
              }
              response.putHeader("Content-Type", contentType(file.getFileName().toString()));
              if (request.method() == HttpMethod.HEAD) {
                response.putHeader("Content-Length", Integer.toString(ar.result().length())).end();
              } else {
                response.end(ar.result());
              }
            });
  }

  static String contentType(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".m3u8")) {
      return "application/vnd.apple.mpegurl";
    } else if (n.endsWith(".mpd")) {
      return "application/dash+xml";
    } else if (n.endsWith(".ts")) {
      return "video/mp2t";
    } else if (n.endsWith(".m4a")) {
      return "audio/mp4";
    } else if (n.endsWith(".mp4") || n.endsWith(".m4s") || n.endsWith(".m4v")) {
      return "video/mp4";
    }
    return "application/octet-stream";
  }

  @Override
  public void close() {
    Waits.await("static HTTP server to close", Duration.ofSeconds(10), vertx.close());
  }
}
