package dev.segmentrelay.origin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.origin.ingest.IngestSource.IngestException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fetches against a real local server that misbehaves on purpose. */
class HttpIngestSourceTest {
  private static Vertx vertx;
  private static HttpServer server;
  private static HttpIngestSource source;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  switch (req.path()) {
                    case "/ok.ts" -> req.response().end(Buffer.buffer(new byte[5000]));
                    case "/chunked.ts" -> {
                      req.response().setChunked(true);
                      req.response().write(Buffer.buffer(new byte[100]));
                      req.response().end(Buffer.buffer(new byte[100]));
                    }
                    case "/missing.ts" -> req.response().setStatusCode(404).end("no");
                    case "/error.ts" -> req.response().setStatusCode(503).end("busy");
                    case "/dies.ts" -> {
                      // Announces 1000 bytes, sends 400, then the connection dies.
                      req.response().putHeader("Content-Length", "1000");
                      req.response().write(Buffer.buffer(new byte[400]));
                      vertx.setTimer(50, t -> req.connection().close());
                    }
                    case "/huge.ts" -> {
                      req.response().setChunked(true);
                      for (int i = 0; i < 10; i++) {
                        req.response().write(Buffer.buffer(new byte[4096]));
                      }
                      req.response().end();
                    }
                    case "/stalls.ts" -> {
                      req.response().putHeader("Content-Length", "1000");
                      req.response().write(Buffer.buffer(new byte[10]));
                    }
                    case "/range.ts" -> {
                      String range = req.getHeader("Range");
                      if ("bytes=10-19".equals(range)) {
                        req.response().setStatusCode(206).end(Buffer.buffer(new byte[10]));
                      } else {
                        req.response().end(Buffer.buffer(new byte[100]));
                      }
                    }
                    default -> req.response().setStatusCode(404).end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    source = new HttpIngestSource(vertx, 16 * 1024, Duration.ofMillis(800));
  }

  @AfterAll
  static void stop() {
    source.close().await();
    server.close().await();
    vertx.close().await();
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }

  private static Buffer fetch(String path, Optional<long[]> range) throws Exception {
    Future<Buffer> f = source.fetch(url(path), range);
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static IngestException failure(String path) throws Exception {
    try {
      fetch(path, Optional.empty());
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IngestException.class);
      return (IngestException) e.getCause();
    }
    throw new AssertionError(path + " should have failed");
  }

  @Test
  void wholeBodiesArriveWhole() throws Exception {
    assertThat(fetch("/ok.ts", Optional.empty()).length()).isEqualTo(5000);
    assertThat(fetch("/chunked.ts", Optional.empty()).length()).isEqualTo(200);
  }

  @Test
  void aBodyThatDiesMidwayIsAFailureNotAShortSegment() throws Exception {
    IngestException e = failure("/dies.ts");
    assertThat(e.getMessage()).contains("/dies.ts").containsAnyOf("died after", "ended after");
    assertThat(e.notFound()).isFalse();
  }

  @Test
  void notFoundIsReportedAsSuch() throws Exception {
    IngestException e = failure("/missing.ts");
    assertThat(e.notFound()).isTrue();
    assertThat(e.getMessage()).contains("answered 404");
    assertThat(failure("/error.ts").getMessage()).contains("answered 503");
    // The pool is still usable after error answers.
    assertThat(fetch("/ok.ts", Optional.empty()).length()).isEqualTo(5000);
  }

  @Test
  void oversizedBodiesAreRefused() throws Exception {
    assertThat(failure("/huge.ts").getMessage()).contains("exceeds max-object-bytes 16384");
  }

  @Test
  void aStalledBodyTimesOut() throws Exception {
    assertThat(failure("/stalls.ts").getMessage()).contains("timed out after 800 ms");
  }

  @Test
  void rangesMustBeAnsweredWith206() throws Exception {
    assertThat(fetch("/range.ts", Optional.of(new long[] {10, 10})).length()).isEqualTo(10);
    try {
      fetch("/range.ts", Optional.of(new long[] {0, 10}));
      throw new AssertionError("a 200 to a Range request must fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause().getMessage()).contains("expected 206");
    }
  }
}
