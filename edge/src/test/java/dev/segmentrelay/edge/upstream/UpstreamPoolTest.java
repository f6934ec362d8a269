package dev.segmentrelay.edge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.MutableClock;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.edge.upstream.UpstreamException.Cause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client against real local Vert.x servers that misbehave on purpose. Timeouts under
 * test are short; every other timeout is long enough never to fire, and no assertion measures time.
 */
class UpstreamPoolTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Timeouts that must not fire in a test that is not about them. */
  private static final Duration RELAXED = Duration.ofSeconds(5);

  /** The timeout a test is about. */
  private static final Duration SHORT = Duration.ofMillis(250);

  private static final String SEGMENT = "/live/room1/stream_0/e1-42-seg.ts";

  private Vertx vertx;
  private MeterRegistry meters;
  private MutableClock clock;
  private final List<UpstreamPool> pools = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    meters = new SimpleMeterRegistry();
    clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  }

  @AfterEach
  void stop() {
    for (UpstreamPool pool : pools) {
      Waits.await("pool close", WAIT, pool.close());
    }
    Waits.await("vertx close", WAIT, vertx.close());
  }

  @Test
  void streamsTheBodyAsItArrives() throws Exception {
    CompletableFuture<Void> clientSawFirstChunk = new CompletableFuture<>();
    TestServer origin =
        server(
            req -> {
              Context serverContext = Vertx.currentContext();
              req.response().setChunked(true).putHeader("Content-Type", "video/mp2t");
              req.response().write("first;");
              clientSawFirstChunk.thenRun(
                  () -> serverContext.runOnContext(v -> req.response().end("rest")));
            });
    UpstreamPool pool = pool(origin.url());

    Recorder fetched = fetch(pool, SEGMENT);
    fetched.firstChunk.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(fetched.calls).containsExactly("head 200", "chunk");
    clientSawFirstChunk.complete(null);

    fetched.awaitTerminal();
    assertThat(fetched.calls).startsWith("head 200", "chunk").endsWith("end");
    assertThat(fetched.body()).isEqualTo("first;rest");
    assertThat(fetched.head.get().headers().get("Content-Type")).isEqualTo("video/mp2t");
    assertThat(fetched.head.get().upstream()).isEqualTo(origin.url());
    assertThat(requests(origin.url(), "200")).isEqualTo(1);
    assertThat(meters.get("relay_edge_upstream_first_byte").timer().count()).isEqualTo(1);
  }

  @Test
  void fetchesUnderTheBasePathWithOurUserAgentAndTheQuery() {
    TestServer origin = server(req -> req.response().end("ok"));
    URI base = URI.create(origin.url() + "/prefix/");
    UpstreamPool pool = pool(base);

    Recorder fetched = fetch(pool, "/live/room1/index.m3u8?_HLS_msn=3").awaitTerminal();

    assertThat(fetched.calls).containsExactly("head 200", "chunk", "end");
    assertThat(origin.uris).containsExactly("/prefix/live/room1/index.m3u8?_HLS_msn=3");
    assertThat(origin.userAgents).containsExactly("segment-relay-edge");
    assertThat(fetched.head.get().upstream()).isEqualTo(base);
  }

  @Test
  void passesCompressedBytesThroughUntouched() throws IOException {
    byte[] gzipped = gzip("#EXTM3U\n#EXT-X-VERSION:7\n");
    TestServer origin =
        server(
            req ->
                req.response().putHeader("Content-Encoding", "gzip").end(Buffer.buffer(gzipped)));
    UpstreamPool pool = pool(origin.url());

    Recorder fetched = fetch(pool, "/live/room1/index.m3u8").awaitTerminal();

    assertThat(fetched.calls).endsWith("end");
    assertThat(fetched.bodyBytes()).isEqualTo(gzipped);
    assertThat(fetched.head.get().headers().get("Content-Encoding")).isEqualTo("gzip");
  }

  @Test
  void failsOverWhenTheConnectionIsRefused() {
    URI dead = refusedUrl();
    TestServer origin = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(dead, origin.url());

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(fetched.calls).containsExactly("head 200", "chunk", "end");
    assertThat(fetched.head.get().upstream()).isEqualTo(origin.url());
    assertThat(errors(dead, Cause.CONNECT)).isEqualTo(1);
    assertThat(requests(dead, UpstreamMetrics.NO_STATUS)).isEqualTo(1);
  }

  @Test
  void failsOverOn503AndKeepsTheDrainedConnection() {
    TestServer busy = server(req -> req.response().setStatusCode(503).end("busy, try later"));
    TestServer origin = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(busy.url(), origin.url());

    for (int i = 0; i < 2; i++) {
      Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();
      assertThat(fetched.calls).containsExactly("head 200", "chunk", "end");
      assertThat(fetched.body()).isEqualTo("segment");
    }

    assertThat(busy.requests.get()).isEqualTo(2);
    assertThat(busy.connections.get()).as("the 503 body was drained, not the connection").isOne();
    assertThat(errors(busy.url(), Cause.STATUS_5XX)).isEqualTo(2);
    assertThat(requests(busy.url(), "503")).isEqualTo(2);
  }

  @Test
  void failsOverWhenNoHeadArrivesInTime() {
    TestServer silent = server(req -> {});
    TestServer origin = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(RELAXED, SHORT, RELAXED, silent.url(), origin.url());

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(fetched.calls).containsExactly("head 200", "chunk", "end");
    assertThat(fetched.head.get().upstream()).isEqualTo(origin.url());
    assertThat(errors(silent.url(), Cause.FIRST_BYTE_TIMEOUT)).isEqualTo(1);
  }

  @Test
  void doesNotFollowRedirectsButFailsOverInstead() {
    TestServer redirecting =
        server(
            req ->
                req.response().setStatusCode(302).putHeader("Location", "/elsewhere/seg.ts").end());
    TestServer origin = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(redirecting.url(), origin.url());

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(fetched.head.get().upstream()).isEqualTo(origin.url());
    assertThat(redirecting.uris).containsExactly(SEGMENT);
    assertThat(origin.uris).containsExactly(SEGMENT);
    assertThat(errors(redirecting.url(), Cause.OTHER)).isEqualTo(1);
  }

  @Test
  void passes404ThroughWithoutFailover() {
    TestServer origin = server(req -> req.response().setStatusCode(404).end("not yet"));
    TestServer spare = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(origin.url(), spare.url());

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(fetched.calls).containsExactly("head 404", "chunk", "end");
    assertThat(fetched.body()).isEqualTo("not yet");
    assertThat(spare.requests.get()).isZero();
  }

  @Test
  void aResetAfterTheHeadIsAnErrorWithoutFailover() throws Exception {
    CompletableFuture<Void> clientSawFirstChunk = new CompletableFuture<>();
    TestServer breaking =
        server(
            req -> {
              Context serverContext = Vertx.currentContext();
              req.response().setChunked(true).write("partial");
              clientSawFirstChunk.thenRun(
                  () -> serverContext.runOnContext(v -> req.connection().close()));
            });
    TestServer spare = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(breaking.url(), spare.url());

    Recorder fetched = fetch(pool, SEGMENT);
    fetched.firstChunk.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    clientSawFirstChunk.complete(null);
    fetched.awaitTerminal();

    assertThat(fetched.calls).containsExactly("head 200", "chunk", "error");
    assertThat(fetched.error.get().cause()).isEqualTo(Cause.RESET);
    assertThat(fetched.error.get().getMessage()).contains(breaking.url().toString(), SEGMENT);
    assertThat(spare.requests.get()).isZero();
    assertThat(errors(breaking.url(), Cause.RESET)).isEqualTo(1);
  }

  @Test
  void aBodyShorterThanItsContentLengthIsAnError() throws Exception {
    CompletableFuture<Void> clientSawFirstChunk = new CompletableFuture<>();
    TestServer dying =
        server(
            req -> {
              Context serverContext = Vertx.currentContext();
              req.response().putHeader("Content-Length", "1000");
              req.response().write(Buffer.buffer(new byte[400]));
              clientSawFirstChunk.thenRun(
                  () -> serverContext.runOnContext(v -> req.connection().close()));
            });
    TestServer spare = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(dying.url(), spare.url());

    Recorder fetched = fetch(pool, SEGMENT);
    fetched.firstChunk.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    clientSawFirstChunk.complete(null);
    fetched.awaitTerminal();

    assertThat(fetched.calls).startsWith("head 200").endsWith("error").doesNotContain("end");
    assertThat(fetched.error.get().cause()).isIn(Cause.TRUNCATED, Cause.RESET);
    assertThat(fetched.bodyBytes().length).isLessThan(1000);
    assertThat(spare.requests.get()).isZero();
  }

  @Test
  void aStallMidBodyIsAnIdleTimeout() {
    TestServer stalling =
        server(
            req -> {
              req.response().putHeader("Content-Length", "1000");
              req.response().write(Buffer.buffer(new byte[10]));
            });
    TestServer spare = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(RELAXED, RELAXED, SHORT, stalling.url(), spare.url());

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(fetched.calls).startsWith("head 200").endsWith("error").doesNotContain("end");
    assertThat(fetched.error.get().cause()).isEqualTo(Cause.IDLE_TIMEOUT);
    assertThat(fetched.error.get().timeout()).isTrue();
    assertThat(spare.requests.get()).isZero();
    assertThat(errors(stalling.url(), Cause.IDLE_TIMEOUT)).isEqualTo(1);
  }

  @Test
  void whenAllFailTheErrorNamesEachUpstreamAndWhy() {
    URI dead = refusedUrl();
    TestServer busy = server(req -> req.response().setStatusCode(503).end());
    UpstreamPool pool = pool(dead, busy.url());

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(fetched.calls).containsExactly("error");
    assertThat(fetched.error.get().getMessage())
        .isEqualTo(
            "all upstreams failed: "
                + dead
                + " connection refused; "
                + busy.url()
                + " answered 503");
    assertThat(fetched.error.get().cause()).isEqualTo(Cause.STATUS_5XX);
  }

  @Test
  void theCircuitOpensAfterThreeFailuresAndSkipsTheUpstream() {
    URI dead = refusedUrl();
    TestServer origin = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(dead, origin.url());

    for (int i = 0; i < 5; i++) {
      Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();
      assertThat(fetched.calls).containsExactly("head 200", "chunk", "end");
    }

    assertThat(requests(dead, UpstreamMetrics.NO_STATUS))
        .as("requests to the dead one")
        .isEqualTo(3);
    assertThat(errors(dead, Cause.CIRCUIT_OPEN)).isEqualTo(2);
    assertThat(circuitOpen(dead)).isEqualTo(1);
    assertThat(circuitOpen(origin.url())).isZero();

    // After the 2 s cool-down one trial goes to the dead upstream; it fails, and the circuit
    // stays open for 4 s now.
    clock.advance(Duration.ofSeconds(2));
    fetch(pool, SEGMENT).awaitTerminal();
    assertThat(requests(dead, UpstreamMetrics.NO_STATUS)).isEqualTo(4);
    clock.advance(Duration.ofSeconds(2));
    fetch(pool, SEGMENT).awaitTerminal();
    assertThat(requests(dead, UpstreamMetrics.NO_STATUS)).isEqualTo(4);
    clock.advance(Duration.ofSeconds(2));
    fetch(pool, SEGMENT).awaitTerminal();
    assertThat(requests(dead, UpstreamMetrics.NO_STATUS)).isEqualTo(5);
    assertThat(origin.requests.get()).isEqualTo(8);
  }

  @Test
  void aSuccessfulTrialAfterTheCoolDownClosesTheCircuit() {
    AtomicInteger flakyStatus = new AtomicInteger(503);
    TestServer flaky =
        server(req -> req.response().setStatusCode(flakyStatus.get()).end("from flaky"));
    TestServer spare = server(req -> req.response().end("from spare"));
    UpstreamPool pool = pool(flaky.url(), spare.url());

    for (int i = 0; i < 3; i++) {
      assertThat(fetch(pool, SEGMENT).awaitTerminal().body()).isEqualTo("from spare");
    }
    assertThat(circuitOpen(flaky.url())).isEqualTo(1);

    flakyStatus.set(200);
    assertThat(fetch(pool, SEGMENT).awaitTerminal().body()).isEqualTo("from spare");
    assertThat(flaky.requests.get()).as("skipped while open").isEqualTo(3);

    clock.advance(CircuitBreaker.FIRST_COOL_DOWN);
    assertThat(fetch(pool, SEGMENT).awaitTerminal().body()).isEqualTo("from flaky");
    assertThat(circuitOpen(flaky.url())).isZero();
    assertThat(fetch(pool, SEGMENT).awaitTerminal().body()).isEqualTo("from flaky");
    assertThat(flaky.requests.get()).isEqualTo(5);
  }

  @Test
  void whenEveryCircuitIsOpenTheOldestIsTriedAnyway() {
    URI dead = refusedUrl();
    UpstreamPool pool = pool(dead);
    for (int i = 0; i < 3; i++) {
      fetch(pool, SEGMENT).awaitTerminal();
    }
    assertThat(circuitOpen(dead)).isEqualTo(1);

    Recorder fetched = fetch(pool, SEGMENT).awaitTerminal();

    assertThat(requests(dead, UpstreamMetrics.NO_STATUS)).isEqualTo(4);
    assertThat(fetched.error.get().cause()).isEqualTo(Cause.CONNECT);
    assertThat(fetched.error.get().getMessage())
        .isEqualTo(
            "all upstreams failed: " + dead + " connection refused (circuit open, tried anyway)");
  }

  @Test
  void sequentialFetchesReuseOneConnection() {
    TestServer origin = server(req -> req.response().end("segment " + req.path()));
    UpstreamPool pool = pool(origin.url());
    Context caller = vertx.getOrCreateContext();

    for (int i = 0; i < 5; i++) {
      Recorder fetched = fetch(caller, pool, "/live/room1/seg" + i + ".ts").awaitTerminal();
      assertThat(fetched.body()).isEqualTo("segment /live/room1/seg" + i + ".ts");
    }

    assertThat(origin.requests.get()).isEqualTo(5);
    assertThat(origin.connections.get()).isOne();
  }

  @Test
  void listenerCallsHappenOnTheCallersContext() {
    TestServer origin = server(req -> req.response().setChunked(true).end("segment"));
    UpstreamPool pool = pool(origin.url());
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();

    // The second fetch may reuse the first one's pooled connection, made on another event loop.
    for (Context caller : List.of(first, second, first)) {
      Recorder fetched = fetch(caller, pool, SEGMENT).awaitTerminal();
      assertThat(fetched.calls).endsWith("end");
      assertThat(fetched.callsOffContext.get()).isZero();
    }
  }

  @Test
  void exposesThePrometheusSeriesOperatorsAlertOn() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters = prometheus;
    URI dead = refusedUrl();
    TestServer origin = server(req -> req.response().end("segment"));
    UpstreamPool pool = pool(dead, origin.url());

    fetch(pool, SEGMENT).awaitTerminal();

    String scrape = prometheus.scrape();
    assertThat(scrape)
        .contains(
            "relay_edge_upstream_requests_total{status=\"200\",upstream=\""
                + origin.url()
                + "\"} 1",
            "relay_edge_upstream_errors_total{cause=\"connect\",upstream=\"" + dead + "\"} 1",
            "relay_edge_upstream_first_byte_seconds_bucket{upstream=\"" + origin.url(),
            "relay_edge_upstream_circuit_open{upstream=\"" + dead + "\"} 0");
  }

  // ---------------------------------------------------------------------------------------------

  private UpstreamPool pool(URI... upstreams) {
    return pool(RELAXED, RELAXED, RELAXED, upstreams);
  }

  private UpstreamPool pool(
      Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout, URI... upstreams) {
    UpstreamPool pool =
        new UpstreamPool(
            vertx,
            List.of(upstreams),
            connectTimeout,
            firstByteTimeout,
            idleTimeout,
            meters,
            clock);
    pools.add(pool);
    return pool;
  }

  /** Fetches from a fresh event-loop context. */
  private Recorder fetch(UpstreamPool pool, String pathAndQuery) {
    return fetch(vertx.getOrCreateContext(), pool, pathAndQuery);
  }

  private Recorder fetch(Context caller, UpstreamPool pool, String pathAndQuery) {
    Recorder recorder = new Recorder(caller);
    caller.runOnContext(v -> pool.fetch(pathAndQuery, recorder));
    return recorder;
  }

  private TestServer server(Handler<HttpServerRequest> handler) {
    TestServer server = new TestServer();
    HttpServer http =
        vertx
            .createHttpServer()
            .connectionHandler(connection -> server.connections.incrementAndGet())
            .requestHandler(
                req -> {
                  server.requests.incrementAndGet();
                  server.uris.add(req.uri());
                  server.userAgents.add(String.valueOf(req.getHeader("User-Agent")));
                  handler.handle(req);
                });
    int port = Waits.await("listen", WAIT, http.listen(0, "127.0.0.1")).actualPort();
    server.url.set(URI.create("http://127.0.0.1:" + port));
    return server;
  }

  /** A port that was just listening and no longer is: connecting is refused. */
  private URI refusedUrl() {
    HttpServer http = vertx.createHttpServer().requestHandler(req -> req.response().end());
    int port = Waits.await("listen", WAIT, http.listen(0, "127.0.0.1")).actualPort();
    Waits.await("close", WAIT, http.close());
    return URI.create("http://127.0.0.1:" + port);
  }

  private double requests(URI upstream, String status) {
    Counter counter =
        meters
            .find("relay_edge_upstream_requests")
            .tag("upstream", upstream.toString())
            .tag("status", status)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private double errors(URI upstream, Cause cause) {
    return meters
        .get("relay_edge_upstream_errors")
        .tag("upstream", upstream.toString())
        .tag("cause", cause.name().toLowerCase(Locale.ROOT))
        .counter()
        .count();
  }

  private double circuitOpen(URI upstream) {
    return meters
        .get("relay_edge_upstream_circuit_open")
        .tag("upstream", upstream.toString())
        .gauge()
        .value();
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  /** A local server that counts what it sees. */
  private static final class TestServer {
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<String> uris = new CopyOnWriteArrayList<>();
    final List<String> userAgents = new CopyOnWriteArrayList<>();
    final AtomicReference<URI> url = new AtomicReference<>();

    URI url() {
      return url.get();
    }
  }

  /** Records listener calls, checking each happens on the context the fetch started from. */
  private static final class Recorder implements UpstreamListener {
    final Context caller;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger callsOffContext = new AtomicInteger();
    final AtomicReference<UpstreamResponse> head = new AtomicReference<>();
    final AtomicReference<UpstreamException> error = new AtomicReference<>();
    final CompletableFuture<Void> firstChunk = new CompletableFuture<>();
    final CompletableFuture<Void> terminal = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    Recorder(Context caller) {
      this.caller = caller;
    }

    @Override
    public void onHead(UpstreamResponse response) {
      record("head " + response.status());
      head.set(response);
    }

    @Override
    public void onChunk(Buffer chunk) {
      record("chunk");
      synchronized (body) {
        body.writeBytes(chunk.getBytes());
      }
      firstChunk.complete(null);
    }

    @Override
    public void onEnd() {
      record("end");
      terminal.complete(null);
    }

    @Override
    public void onError(UpstreamException e) {
      record("error");
      error.set(e);
      terminal.complete(null);
    }

    private void record(String call) {
      if (Vertx.currentContext() != caller) {
        callsOffContext.incrementAndGet();
      }
      if (!call.equals("chunk") || calls.isEmpty() || !calls.get(calls.size() - 1).equals(call)) {
        calls.add(call);
      }
    }

    Recorder awaitTerminal() {
      try {
        terminal.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("no onEnd or onError within " + WAIT + "; calls: " + calls, e);
      }
      assertThat(calls.stream().filter(c -> c.equals("end") || c.equals("error")).count())
          .as("terminal calls in " + calls)
          .isOne();
      assertThat(callsOffContext.get()).as("listener calls off the caller's context").isZero();
      return this;
    }

    byte[] bodyBytes() {
      synchronized (body) {
        return body.toByteArray();
      }
    }

    String body() {
      return new String(bodyBytes(), StandardCharsets.UTF_8);
    }
  }
}
