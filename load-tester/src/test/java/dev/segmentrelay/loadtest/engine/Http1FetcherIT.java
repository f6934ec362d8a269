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
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against real sockets: well-behaved and misbehaving servers, each classified. */
class Http1FetcherIT {
  private static final String HLS = "application/vnd.apple.mpegurl";
  private static final byte[] PLAYLIST =
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SEGMENT = new byte[188 * 500];

  private ScriptedHttpServer router;
  private ScriptedHttpServer edge;
  private EventLoopGroup group;
  private EventLoop loop;
  private Http1Client client;
  private final List<String> forwarded = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    router = ScriptedHttpServer.start();
    edge = ScriptedHttpServer.start();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loop = group.next();
    client = client(100);
  }

  private Http1Client client(int poolSize) {
    return new Http1Client(loop, NioSocketChannel.class, poolSize, 5_000, null);
  }

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
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

  private Http1Fetcher fetcher(ForwardedFor mode, Duration timeout) {
    return new Http1Fetcher(client, config(mode, timeout).fetch(), Optional.of("198.51.100.7"));
  }

  private FetchResult get(Http1Fetcher fetcher, String url, boolean keepBody) throws Exception {
    CompletableFuture<FetchResult> result = new CompletableFuture<>();
    fetcher.get(
        url,
        keepBody,
        r -> {
          if (!loop.inEventLoop()) {
            result.completeExceptionally(new AssertionError("callback off the viewer's loop"));
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
    Http1Fetcher fetcher = fetcher(ForwardedFor.ROUTER, Duration.ofSeconds(5));
    CompletableFuture<FetchResult> first = new CompletableFuture<>();
    CompletableFuture<FetchResult> second = new CompletableFuture<>();
    loop.execute(
        () -> {
          fetcher.get(edge.baseUrl() + "/slow.ts", false, first::complete);
          fetcher.get(edge.baseUrl() + "/slow.ts", false, second::complete);
        });
    assertThat(first.get(10, TimeUnit.SECONDS).ok()).isTrue();
    // One connection: the second request waited for the first before its own 300 ms.
    assertThat(second.get(10, TimeUnit.SECONDS).elapsedMillis()).isGreaterThanOrEqualTo(600);
  }

  @Test
  void keptAliveConnectionIsReusedAndAnIdleCloseByTheServerIsRetriedOnce() throws Exception {
    List<String> connections = new CopyOnWriteArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    edge.on(
        "/a.ts",
        (request, v) -> {
          connections.add(request.remoteAddress().toString());
          request.response().putHeader("Content-Type", "video/mp2t").end("a");
        });
    // The first /b.ts arrives on the kept-alive connection and the server closes it unanswered,
    // as a server does whose keep-alive timeout ran out as the request came: a retry gets it.
    edge.on(
        "/b.ts",
        (request, v) -> {
          connections.add(request.remoteAddress().toString());
          if (attempts.getAndIncrement() == 0) {
            request.connection().close();
          } else {
            request.response().putHeader("Content-Type", "video/mp2t").end("bb");
          }
        });
    Http1Fetcher fetcher = fetcher(ForwardedFor.ROUTER, Duration.ofSeconds(5));
    assertThat(get(fetcher, edge.baseUrl() + "/a.ts", false).ok()).isTrue();
    assertThat(get(fetcher, edge.baseUrl() + "/a.ts", false).ok()).isTrue();
    FetchResult b = get(fetcher, edge.baseUrl() + "/b.ts", false);
    assertThat(b.ok()).isTrue();
    assertThat(b.bytes()).isEqualTo(2);
    assertThat(attempts.get()).isEqualTo(2);
    // a, a and the first b on one connection; the retried b on a new one
    assertThat(connections.subList(0, 3)).containsOnly(connections.get(0));
    assertThat(connections.get(3)).isNotEqualTo(connections.get(0));
  }

  @Test
  void freshConnectionClosedUnansweredIsNotRetried() throws Exception {
    edge.on("/gone.ts", closeConnection());
    assertThat(get(edge.baseUrl() + "/gone.ts", false).error()).isEqualTo(ErrorKind.TRUNCATED);
    assertThat(edge.requests("/gone.ts")).isEqualTo(1);
  }

  @Test
  void answerThatIsNotHttpIsOtherAndABodyUntilTheCloseIsWhole() throws Exception {
    try (RawServer raw = new RawServer("SSH-2.0-OpenSSH_9.2\r\n")) {
      FetchResult r = get("http://127.0.0.1:" + raw.port() + "/x.ts", false);
      assertThat(r.error()).isEqualTo(ErrorKind.OTHER);
    }
    String playlist = new String(PLAYLIST, StandardCharsets.UTF_8);
    try (RawServer raw =
        new RawServer(
            "HTTP/1.0 200 OK\r\nContent-Type: application/vnd.apple.mpegurl\r\n\r\n" + playlist)) {
      FetchResult r = get("http://127.0.0.1:" + raw.port() + "/x.m3u8", true);
      assertThat(r.error()).isEqualTo(ErrorKind.NONE);
      assertThat(r.body()).contains(playlist);
    }
  }

  @Test
  void httpsEdgeIsFetchedOverTlsAndAnUntrustedCertificateIsAConnectError(@TempDir Path dir)
      throws Exception {
    Path keystore = dir.resolve("edge.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "edge",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.log").toFile())
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as("keytool exit").isZero();
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server =
          vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setSsl(true)
                      .setKeyCertOptions(
                          new PfxOptions().setPath(keystore.toString()).setPassword("changeit"))
                      .setHost("127.0.0.1")
                      .setPort(0))
              .requestHandler(
                  request ->
                      request
                          .response()
                          .putHeader("Content-Type", "application/vnd.apple.mpegurl")
                          .end(Buffer.buffer(PLAYLIST)));
      Waits.await("TLS server", Duration.ofSeconds(10), server.listen());
      String url = "https://localhost:" + server.actualPort() + "/x.m3u8";

      FetchResult untrusted = get(url, true);
      assertThat(untrusted.error()).isEqualTo(ErrorKind.CONNECT);

      client =
          new Http1Client(
              loop,
              NioSocketChannel.class,
              10,
              5_000,
              SslContextBuilder.forClient()
                  .trustManager(InsecureTrustManagerFactory.INSTANCE)
                  .build());
      FetchResult trusted = get(url, true);
      assertThat(trusted.error()).isEqualTo(ErrorKind.NONE);
      assertThat(trusted.body()).contains(new String(PLAYLIST, StandardCharsets.UTF_8));
    } finally {
      Waits.await("vertx to close", Duration.ofSeconds(10), vertx.close());
    }
  }

  /** A TCP server that answers every connection with the same bytes, then closes it. */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;

    RawServer(String answer) throws IOException {
      socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "raw-server");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(5_000);
    }
  }

  private static ScriptedHttpServer.Responder redirectTo(String location) {
    return (request, v) ->
        request.response().setStatusCode(302).putHeader("Location", location).end();
  }
}
