package dev.segmentrelay.loadtest.engine;

import static dev.segmentrelay.common.testing.ScriptedHttpServer.chunkedThenDie;
import static dev.segmentrelay.common.testing.ScriptedHttpServer.closeConnection;
import static dev.segmentrelay.common.testing.ScriptedHttpServer.ok;
import static dev.segmentrelay.common.testing.ScriptedHttpServer.status;
import static dev.segmentrelay.common.testing.ScriptedHttpServer.truncated;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.FreePorts;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fetcher against real sockets: well-behaved and misbehaving servers, each classified. */
class VertxFetcherIT {
  private static final String HLS = "application/vnd.apple.mpegurl";
  private static final byte[] PLAYLIST =
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SEGMENT = new byte[188 * 500];

  private ScriptedHttpServer router;
  private ScriptedHttpServer edge;
  private Vertx vertx;
  private Context context;
  private HttpClient client;
  private final List<String> forwarded = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    router = ScriptedHttpServer.start();
    edge = ScriptedHttpServer.start();
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    client = client(100);
  }

  private HttpClient client(int poolSize) {
    return vertx
        .httpClientBuilder()
        .with(LoadTestMain.clientOptions(config(ForwardedFor.ROUTER, Duration.ofSeconds(5))))
        .with(new PoolOptions().setHttp1MaxSize(poolSize))
        .build();
  }

  @AfterEach
  void stop() {
    Waits.await("vertx to close", Duration.ofSeconds(10), vertx.close());
    router.close();
    edge.close();
  }

  private LoadTestConfig config(ForwardedFor mode, Duration timeout) {
    return ConfigFixtures.config(
        URI.create("http://127.0.0.1:" + (router == null ? 1 : router.port()) + "/x.m3u8"),
        new FetchOptions(
            timeout,
            FetchOptions.DEFAULT_MAX_REDIRECTS,
            mode,
            "127.0.0.1:" + (router == null ? 1 : router.port()),
            FetchOptions.DEFAULT_MAX_BODY));
  }

  private VertxFetcher fetcher(ForwardedFor mode, Duration timeout) {
    return new VertxFetcher(
        client, context, config(mode, timeout).fetch(), Optional.of("198.51.100.7"));
  }

  private FetchResult get(VertxFetcher fetcher, String url, boolean keepBody) throws Exception {
    CompletableFuture<FetchResult> result = new CompletableFuture<>();
    fetcher.get(
        url,
        keepBody,
        r -> {
          if (Vertx.currentContext() != context) {
            result.completeExceptionally(new AssertionError("callback off the viewer's context"));
          }
          result.complete(r);
        });
    return result.get(20, TimeUnit.SECONDS);
  }

  private FetchResult get(String url, boolean keepBody) throws Exception {
    return get(fetcher(ForwardedFor.ROUTER, Duration.ofSeconds(5)), url, keepBody);
  }

  private ScriptedHttpServer.Responder recordingForwardedFor(ScriptedHttpServer.Responder then) {
    return (request, v) -> {
      String xff = request.getHeader("X-Forwarded-For");
      forwarded.add(request.path() + " " + (xff == null ? "-" : xff));
      then.respond(request, v);
    };
  }

  @Test
  void playlistThroughARedirectIsKeptWithItsEdgeHeadersAndForwardedForGoesToTheRouterOnly()
      throws Exception {
    edge.on(
        "/live/room1/master.m3u8",
        recordingForwardedFor(
            ok(PLAYLIST, HLS, "X-Relay-Edge", "edge-tyo", "X-Relay-Cache", "HIT")));
    router.on(
        "/live/room1/master.m3u8",
        recordingForwardedFor(
            (request, v) ->
                request
                    .response()
                    .setStatusCode(302)
                    .putHeader("Location", edge.baseUrl() + "/live/room1/master.m3u8")
                    .end()));

    FetchResult r = get(router.baseUrl() + "/live/room1/master.m3u8", true);

    assertThat(r.error()).isEqualTo(ErrorKind.NONE);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.url()).isEqualTo(edge.baseUrl() + "/live/room1/master.m3u8");
    assertThat(r.body()).contains(new String(PLAYLIST, StandardCharsets.UTF_8));
    assertThat(r.bytes()).isEqualTo(PLAYLIST.length);
    assertThat(r.edge()).contains("edge-tyo");
    assertThat(r.cacheResult()).contains("HIT");
    assertThat(forwarded)
        .containsExactly("/live/room1/master.m3u8 198.51.100.7", "/live/room1/master.m3u8 -");
  }

  @Test
  void forwardedForAllGoesToTheEdgeToo() throws Exception {
    edge.on("/a.ts", recordingForwardedFor(ok(SEGMENT, "video/mp2t")));
    FetchResult r =
        get(fetcher(ForwardedFor.ALL, Duration.ofSeconds(5)), edge.baseUrl() + "/a.ts", false);
    assertThat(r.ok()).isTrue();
    assertThat(forwarded).containsExactly("/a.ts 198.51.100.7");
  }

  @Test
  void segmentBodyIsCountedNotKept() throws Exception {
    edge.on("/seg1.ts", ok(SEGMENT, "video/mp2t"));
    FetchResult r = get(edge.baseUrl() + "/seg1.ts", false);
    assertThat(r.error()).isEqualTo(ErrorKind.NONE);
    assertThat(r.bytes()).isEqualTo(SEGMENT.length);
    assertThat(r.body()).isEmpty();
    assertThat(r.elapsedMillis()).isPositive();
  }

  @Test
  void redirectBackToAVisitedUrlIsALoop() throws Exception {
    router.on("/a.m3u8", redirectTo("/b.m3u8"));
    router.on("/b.m3u8", redirectTo("/a.m3u8"));
    FetchResult r = get(router.baseUrl() + "/a.m3u8", true);
    assertThat(r.error()).isEqualTo(ErrorKind.REDIRECT_LOOP);
    assertThat(router.requests("/a.m3u8")).isEqualTo(1);
  }

  @Test
  void moreThanFiveRedirectsAreALoop() throws Exception {
    for (int i = 0; i < 10; i++) {
      router.on("/r" + i + ".m3u8", redirectTo("/r" + (i + 1) + ".m3u8"));
    }
    FetchResult r = get(router.baseUrl() + "/r0.m3u8", true);
    assertThat(r.error()).isEqualTo(ErrorKind.REDIRECT_LOOP);
    assertThat(router.requestsUnder("/r")).isEqualTo(6);
  }

  @Test
  void bodyShorterThanContentLengthIsTruncated() throws Exception {
    edge.on("/cut.ts", truncated(SEGMENT, 1000));
    FetchResult r = get(edge.baseUrl() + "/cut.ts", false);
    assertThat(r.error()).isEqualTo(ErrorKind.TRUNCATED);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bytes()).isLessThan(SEGMENT.length);
  }

  @Test
  void chunkedBodyWithoutItsLastChunkIsTruncated() throws Exception {
    edge.on("/cut.ts", chunkedThenDie(SEGMENT, 1000));
    FetchResult r = get(edge.baseUrl() + "/cut.ts", false);
    assertThat(r.error()).isEqualTo(ErrorKind.TRUNCATED);
  }

  @Test
  void connectionClosedBeforeAnyAnswerIsTruncated() throws Exception {
    edge.on("/gone.ts", closeConnection());
    FetchResult r = get(edge.baseUrl() + "/gone.ts", false);
    assertThat(r.error()).isEqualTo(ErrorKind.TRUNCATED);
    assertThat(r.status()).isZero();
  }

  @Test
  void serverErrorsAndClientErrorsAreClassified() throws Exception {
    edge.on("/500.ts", status(500));
    edge.on("/404.ts", status(404));
    assertThat(get(edge.baseUrl() + "/500.ts", false).error()).isEqualTo(ErrorKind.HTTP_5XX);
    FetchResult notFound = get(edge.baseUrl() + "/404.ts", true);
    assertThat(notFound.error()).isEqualTo(ErrorKind.HTTP_4XX);
    assertThat(notFound.status()).isEqualTo(404);
  }

  @Test
  void playlistWithTheWrongContentTypeIsBadContent() throws Exception {
    edge.on("/index.m3u8", ok(PLAYLIST, "text/html"));
    edge.on("/manifest.mpd", ok("<MPD/>".getBytes(StandardCharsets.UTF_8), "application/dash+xml"));
    assertThat(get(edge.baseUrl() + "/index.m3u8", true).error()).isEqualTo(ErrorKind.BAD_CONTENT);
    assertThat(get(edge.baseUrl() + "/manifest.mpd", true).error()).isEqualTo(ErrorKind.NONE);
  }

  @Test
  void refusedConnectIsConnect() throws Exception {
    int closedPort = FreePorts.find();
    FetchResult r = get("http://127.0.0.1:" + closedPort + "/x.m3u8", true);
    assertThat(r.error()).isEqualTo(ErrorKind.CONNECT);
    assertThat(r.status()).isZero();
  }

  @Test
  void noAnswerWithinTheRequestTimeoutIsTimeout() throws Exception {
    edge.on("/hang.ts", (request, v) -> {});
    FetchResult r =
        get(
            fetcher(ForwardedFor.ROUTER, Duration.ofMillis(300)),
            edge.baseUrl() + "/hang.ts",
            false);
    assertThat(r.error()).isEqualTo(ErrorKind.TIMEOUT);
    assertThat(r.elapsedMillis()).isGreaterThanOrEqualTo(300);
  }

  @Test
  void waitingForAPooledConnectionCountsInTheDownloadTime() throws Exception {
    client = client(1);
    edge.on(
        "/slow.ts",
        (request, v) ->
            v.setTimer(
                300, t -> request.response().putHeader("Content-Type", "video/mp2t").end("x")));
    VertxFetcher fetcher = fetcher(ForwardedFor.ROUTER, Duration.ofSeconds(5));
    CompletableFuture<FetchResult> first = new CompletableFuture<>();
    CompletableFuture<FetchResult> second = new CompletableFuture<>();
    context.runOnContext(
        x -> {
          fetcher.get(edge.baseUrl() + "/slow.ts", false, first::complete);
          fetcher.get(edge.baseUrl() + "/slow.ts", false, second::complete);
        });
    assertThat(first.get(10, TimeUnit.SECONDS).ok()).isTrue();
    // One connection: the second request waited for the first before its own 300 ms.
    assertThat(second.get(10, TimeUnit.SECONDS).elapsedMillis()).isGreaterThanOrEqualTo(600);
  }

  private static ScriptedHttpServer.Responder redirectTo(String location) {
    return (request, v) ->
        request.response().setStatusCode(302).putHeader("Location", location).end();
  }
}
