package dev.segmentrelay.dist.demo;

import dev.segmentrelay.common.http.ErrorBody;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The demo's stand-in for a transcoder's web server: serves one live HLS stream on {@code
 * 127.0.0.1} under {@code /source/}, either a {@link LoopingClipSource} from memory or the files
 * ffmpeg writes into a directory ({@link FfmpegLiveSource}). Playlists are sent with {@code
 * Cache-Control: no-cache}; unknown names are 404 with the JSON error body.
 */
public final class LiveSourceServer {
  private static final String PREFIX = "/source/";
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.(m3u8|ts)");

  private final HttpServer server;

  private LiveSourceServer(HttpServer server) {
    this.server = server;
  }

  /** Serves the looping clip from memory. */
  public static Future<LiveSourceServer> serveClip(Vertx vertx, LoopingClipSource clip) {
    return listen(
        vertx,
        (request, name) -> {
          if (name.equals(LoopingClipSource.PLAYLIST)) {
            send(request, name, Buffer.buffer(clip.playlist()));
          } else {
            clip.segment(name)
                .ifPresentOrElse(
                    bytes -> send(request, name, Buffer.buffer(bytes)),
                    () -> notFound(request, name));
          }
        });
  }

  /** Serves the playlist and segments ffmpeg writes into {@code directory}. */
  public static Future<LiveSourceServer> serveDirectory(Vertx vertx, Path directory) {
    return listen(
        vertx,
        (request, name) ->
            vertx
                .fileSystem()
                .readFile(directory.resolve(name).toString())
                .onSuccess(bytes -> send(request, name, bytes))
                .onFailure(e -> notFound(request, name)));
  }

  /** {@code http://127.0.0.1:PORT/source/index.m3u8}. */
  public URI playlistUrl() {
    return URI.create(
        "http://127.0.0.1:" + server.actualPort() + PREFIX + LoopingClipSource.PLAYLIST);
  }

  public Future<Void> close() {
    return server.close();
  }

  private interface FileHandler {
    void handle(HttpServerRequest request, String name);
  }

  private static Future<LiveSourceServer> listen(Vertx vertx, FileHandler files) {
    HttpServer server =
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    server.requestHandler(
        request -> {
          String path = request.path();
          if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            ErrorBody.send(request.response(), 405, "the demo source answers GET only");
          } else if (!path.startsWith(PREFIX)
              || !SAFE_NAME.matcher(path.substring(PREFIX.length())).matches()) {
            notFound(request, path);
          } else {
            files.handle(request, path.substring(PREFIX.length()));
          }
        });
    return server.listen().map(LiveSourceServer::new);
  }

  private static void send(HttpServerRequest request, String name, Buffer body) {
    boolean playlist = name.endsWith(".m3u8");
    request
        .response()
        .putHeader("Content-Type", playlist ? "application/vnd.apple.mpegurl" : "video/mp2t")
        .putHeader("Cache-Control", playlist ? "no-cache" : "max-age=3600")
        .end(body);
  }

  private static void notFound(HttpServerRequest request, String name) {
    ErrorBody.send(request.response(), 404, "the demo source has no " + name);
  }
}
