package dev.segmentrelay.common.testing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream whose every answer is scripted per path, for tests of a cache in front of it: slow
 * bodies written in pieces, bodies cut short (by a TCP reset or a plain close), 5xx answers, closed
 * connections, or files from a directory. It counts every request it receives by path, which is how
 * a test proves that a cache asked exactly once, or never.
 *
 * <p>Responders can be swapped while the server runs ({@link #on}), e.g. to let an upstream fail
 * and later heal. Requests for a path without a responder go to the fallback ({@link #otherwise},
 * 404 by default). Everything runs on one Vert.x event loop owned by this server; {@link #close()}
 * stops it and cuts every open connection.
 */
public final class ScriptedHttpServer implements AutoCloseable {
  /** Answers one request on the server's event loop. */
  @FunctionalInterface
  public interface Responder {
    void respond(HttpServerRequest request, Vertx vertx);
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final Map<String, Responder> responders = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private volatile Responder fallback = status(404);
  private volatile boolean closed;

  private ScriptedHttpServer(Vertx vertx, HttpServerOptions options) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer(options).requestHandler(this::handle);
  }

  /** Starts a server on 127.0.0.1 and an ephemeral port. */
  public static ScriptedHttpServer start() {
    return start(new HttpServerOptions());
  }

  /**
   * Starts a server whose connections are closed with {@code SO_LINGER 0}: every close a responder
   * makes (see {@link #truncated}) reaches the peer as a TCP reset rather than a FIN.
   */
  public static ScriptedHttpServer startResetting() {
    return start(new HttpServerOptions().setSoLinger(0));
  }

  private static ScriptedHttpServer start(HttpServerOptions options) {
    Vertx vertx = Vertx.vertx();
    try {
      ScriptedHttpServer s = new ScriptedHttpServer(vertx, options.setHost("127.0.0.1").setPort(0));
      Waits.await("scripted HTTP server to listen", Duration.ofSeconds(10), s.server.listen());
      return s;
    } catch (RuntimeException | AssertionError e) {
      vertx.close();
      throw e;
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:PORT} (no trailing slash). */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Answers requests for exactly {@code path} (no query) with {@code responder} from now on. */
  public ScriptedHttpServer on(String path, Responder responder) {
    responders.put(path, responder);
    return this;
  }

  /** Answers requests for paths without their own responder. */
  public ScriptedHttpServer otherwise(Responder responder) {
    this.fallback = responder;
    return this;
  }

  /** Requests received for {@code path} (any method, any query). */
  public int requests(String path) {
    AtomicInteger n = counts.get(path);
    return n == null ? 0 : n.get();
  }

  /** Requests received for paths starting with {@code prefix}. */
  public int requestsUnder(String prefix) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  /** Every request received so far, as {@code METHOD URI}, oldest first. */
  public List<String> requestLog() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    log.add(request.method() + " " + request.uri());
    responders.getOrDefault(path, fallback).respond(request, vertx);
  }

  // ---- responders ----

  /** A complete answer: status 200, {@code Content-Length}, extra headers as name, value… */
  public static Responder ok(byte[] body, String contentType, String... headers) {
    Buffer buffer = Buffer.buffer(body);
    return (request, vertx) -> {
      HttpServerResponse response = request.response().putHeader("Content-Type", contentType);
      for (int i = 0; i + 1 < headers.length; i += 2) {
        response.putHeader(headers[i], headers[i + 1]);
      }
      if (request.method() == HttpMethod.HEAD) {
        response.putHeader("Content-Length", Integer.toString(body.length)).end();
      } else {
        response.end(buffer);
      }
    };
  }

  /** An empty answer with {@code status}. */
  public static Responder status(int status) {
    return (request, vertx) -> request.response().setStatusCode(status).end();
  }

  /** Closes the connection without answering, as a crashed upstream would. */
  public static Responder closeConnection() {
    return (request, vertx) -> request.connection().close();
  }

  /**
   * Files under {@code root} by request path ({@code /live/room1/index.m3u8} reads {@code
   * root/live/room1/index.m3u8}), read anew for every request; 404 when missing.
   */
  public static Responder files(Path root) {
    Path base = root.toAbsolutePath().normalize();
    return (request, vertx) -> {
      String path = request.path();
      Path file = base.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
      if (!file.startsWith(base) || path.contains("..")) {
        request.response().setStatusCode(400).end();
        return;
      }
      vertx
          .fileSystem()
          .readFile(file.toString())
          .onComplete(
              ar -> {
                HttpServerResponse response = request.response();
                if (ar.failed()) {
                  response.setStatusCode(404).end();
                  return;
                }
                response.putHeader(
                    "Content-Type", StaticHttpServer.contentType(file.getFileName().toString()));
                if (request.method() == HttpMethod.HEAD) {
                  response
                      .putHeader("Content-Length", Integer.toString(ar.result().length()))
                      .end();
                } else {
                  response.end(ar.result());
                }
              });
    };
  }

  /**
   * Announces {@code Content-Length: body.length}, writes the first {@code cutAfter} bytes, waits
   * until they are on the wire and closes the connection (a reset on a {@link #startResetting}
   * server, a FIN otherwise).
   */
  public static Responder truncated(byte[] body, int cutAfter) {
    return (request, vertx) -> {
      HttpServerResponse response =
          request
              .response()
              .putHeader("Content-Type", "video/mp2t")
              .putHeader("Content-Length", Integer.toString(body.length));
      writeThenClose(request, vertx, response, Buffer.buffer(body).slice(0, cutAfter));
    };
  }

  /**
   * Answers with chunked encoding, writes the first {@code cutAfter} bytes as chunks, then closes
   * the connection without the terminating chunk.
   */
  public static Responder chunkedThenDie(byte[] body, int cutAfter) {
    return (request, vertx) -> {
      HttpServerResponse response =
          request.response().putHeader("Content-Type", "video/mp2t").setChunked(true);
      writeThenClose(request, vertx, response, Buffer.buffer(body).slice(0, cutAfter));
    };
  }

  private static void writeThenClose(
      HttpServerRequest request, Vertx vertx, HttpServerResponse response, Buffer part) {
    response
        .write(part)
        // A short pause so the bytes reach the peer before the close; no test measures it.
        .onComplete(ar -> vertx.setTimer(100, t -> request.connection().close()));
  }

  /**
   * A slow but complete answer: nothing for {@code firstByteDelay}, then the head ({@code
   * Content-Length: body.length}) and {@code chunks - 1} pieces of the body {@code pause} apart;
   * the last piece is written only once {@code releaseLast} completes, and {@code finished}
   * completes when the whole answer is on the wire. With a {@code releaseLast} that a test
   * completes after seeing a client's first bytes, the test proves that bytes are relayed while the
   * upstream is still sending.
   */
  public static Responder slow(
      byte[] body,
      Duration firstByteDelay,
      int chunks,
      Duration pause,
      CompletableFuture<Void> releaseLast,
      CompletableFuture<Void> finished) {
    if (chunks < 2 || body.length < chunks) {
      throw new IllegalArgumentException(
          "need at least 2 chunks and a byte per chunk, got " + chunks + " for " + body.length);
    }
    Buffer whole = Buffer.buffer(body);
    int piece = body.length / chunks;
    return (request, vertx) -> {
      Context context = vertx.getOrCreateContext();
      HttpServerResponse response =
          request
              .response()
              .putHeader("Content-Type", "video/mp2t")
              .putHeader("Content-Length", Integer.toString(body.length));
      vertx.setTimer(
          Math.max(1, firstByteDelay.toMillis()),
          t ->
              writePieces(
                  vertx, context, response, whole, piece, 0, chunks, pause, releaseLast, finished));
    };
  }

  private static void writePieces(
      Vertx vertx,
      Context context,
      HttpServerResponse response,
      Buffer whole,
      int piece,
      int index,
      int chunks,
      Duration pause,
      CompletableFuture<Void> releaseLast,
      CompletableFuture<Void> finished) {
    if (response.closed()) {
      finished.completeExceptionally(new IllegalStateException("client went away"));
      return;
    }
    if (index == chunks - 1) {
      releaseLast.whenComplete(
          (v, e) ->
              context.runOnContext(
                  x -> {
                    if (response.closed()) {
                      finished.completeExceptionally(new IllegalStateException("client went away"));
                      return;
                    }
                    response
                        .end(whole.slice(index * piece, whole.length()))
                        .onComplete(
                            ar -> {
                              if (ar.succeeded()) {
                                finished.complete(null);
                              } else {
                                finished.completeExceptionally(ar.cause());
                              }
                            });
                  }));
      return;
    }
    response.write(whole.slice(index * piece, (index + 1) * piece));
    vertx.setTimer(
        Math.max(1, pause.toMillis()),
        t ->
            writePieces(
                vertx,
                context,
                response,
                whole,
                piece,
                index + 1,
                chunks,
                pause,
                releaseLast,
                finished));
  }

  /** Stops listening and cuts every open connection; later connects are refused. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Waits.await("scripted HTTP server to close", Duration.ofSeconds(10), vertx.close());
    }
  }
}
