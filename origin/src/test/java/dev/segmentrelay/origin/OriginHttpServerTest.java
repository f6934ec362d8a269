package dev.segmentrelay.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The public server over real HTTP: push ingest, serving, limits and errors. */
class OriginHttpServerTest {
  private static final String TOKEN = "s3cret-ingest-token-0001";
  private static RunningOrigin origin;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    OriginConfig d =
        OriginConfig.defaults(List.of(), List.of(new OriginConfig.PushStream("room2", TOKEN)));
    OriginConfig config =
        new OriginConfig(
            "127.0.0.1",
            0,
            0,
            d.pullStreams(),
            d.pushStreams(),
            3,
            6,
            1 << 20,
            64 * 1024,
            Duration.ofSeconds(2),
            Duration.ofSeconds(10),
            Optional.empty(),
            Optional.empty());
    origin = OriginMain.start(config).await();
  }

  @AfterAll
  static void stop() {
    origin.close().await();
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + origin.port() + path);
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).PUT(BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  private static int adminStatus(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + origin.adminPort() + path))
                .build(),
            BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void pushThenServeWithCacheHeadersValidatorsAndHead() throws Exception {
    assertThat(put("/ingest/room2/s0.ts", TOKEN, "SEGMENT-0").statusCode()).isEqualTo(201);
    String playlist =
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
            + "#EXTINF:4.0,\ns0.ts\n";
    assertThat(put("/ingest/room2/index.m3u8", TOKEN, playlist).statusCode()).isEqualTo(201);

    HttpResponse<String> p = null;
    for (int i = 0; i < 200; i++) {
      p = send(HttpRequest.newBuilder(url("/live/room2/index.m3u8")));
      if (p.statusCode() == 200) {
        break;
      }
      Thread.sleep(10);
    }
    assertThat(p.statusCode()).isEqualTo(200);
    assertThat(p.headers().firstValue("Content-Type")).contains("application/vnd.apple.mpegurl");
    assertThat(p.headers().firstValue("Cache-Control")).contains("public, max-age=2");
    assertThat(p.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    String segment = p.body().lines().filter(l -> l.endsWith(".ts")).findFirst().orElseThrow();
    assertThat(segment).endsWith("-0-s0.ts").isNotEqualTo("s0.ts");

    HttpResponse<String> s = send(HttpRequest.newBuilder(url("/live/room2/" + segment)));
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(s.body()).isEqualTo("SEGMENT-0");
    assertThat(s.headers().firstValue("Content-Type")).contains("video/mp2t");
    assertThat(s.headers().firstValue("Cache-Control"))
        .contains("public, max-age=31536000, immutable");
    String etag = s.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> notModified =
        send(HttpRequest.newBuilder(url("/live/room2/" + segment)).header("If-None-Match", etag));
    assertThat(notModified.statusCode()).isEqualTo(304);
    HttpResponse<String> head =
        send(
            HttpRequest.newBuilder(url("/live/room2/" + segment))
                .method("HEAD", BodyPublishers.noBody()));
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).contains("9");

    assertThat(adminStatus("/health/ready")).isEqualTo(200);
    HttpResponse<String> api = send(HttpRequest.newBuilder(url("/api/v1/streams")));
    assertThat(api.body()).contains("\"name\" : \"room2\"").contains("\"state\" : \"live\"");
  }

  @Test
  void ingestWithoutOrWithAWrongTokenIsRefused() throws Exception {
    HttpResponse<String> none = put("/ingest/room2/x.ts", null, "x");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(none.body()).contains("\"error\":\"unauthorized\"").contains("Bearer");
    HttpResponse<String> wrong = put("/ingest/room2/x.ts", "not-the-token", "x");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("wrong ingest token");
    assertThat(put("/ingest/nosuch/x.ts", TOKEN, "x").statusCode()).isEqualTo(404);
  }

  @Test
  void basicAuthWithTheTokenAsPasswordIsAccepted() throws Exception {
    String basic =
        java.util.Base64.getEncoder()
            .encodeToString(("ingest:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(url("/ingest/room2/b.ts"))
                .header("Authorization", "Basic " + basic)
                .PUT(BodyPublishers.ofString("b")));
    assertThat(r.statusCode()).isEqualTo(201);
  }

  @Test
  void malformedPushedPlaylistIs400AndNamesTheProblem() throws Exception {
    HttpResponse<String> r =
        put("/ingest/room2/other.m3u8", TOKEN, "#EXTM3U\n#EXT-X-TARGETDURATION:x\n");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("EXT-X-TARGETDURATION").contains("'x'");
  }

  @Test
  void chunkedBodyOverTheLimitIs413() throws Exception {
    byte[] big = new byte[200 * 1024];
    HttpRequest req =
        HttpRequest.newBuilder(url("/ingest/room2/big.ts"))
            .header("Authorization", "Bearer " + TOKEN)
            .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
            .build();
    int status;
    try {
      status = http.send(req, BodyHandlers.ofString()).statusCode();
    } catch (IOException e) {
      status = 413; // the server may close before the client finished sending
    }
    assertThat(status).isEqualTo(413);
  }

  @Test
  void declaredContentLengthOverTheLimitIs413BeforeTheBody() throws Exception {
    try (Socket s = new Socket("127.0.0.1", origin.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("PUT /ingest/room2/big.ts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\nContent-Length: 99999999\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(response).isEqualTo("HTTP/1.1 413");
    }
  }

  @Test
  void traversalUnknownPathsAndMethodsGetJsonErrors() throws Exception {
    HttpResponse<String> traversal =
        send(HttpRequest.newBuilder(url("/live/room2/%2e%2e/%2e%2e/etc.ts")));
    assertThat(traversal.statusCode()).isEqualTo(400);
    assertThat(traversal.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(traversal.body()).contains("traversal");
    assertThat(send(HttpRequest.newBuilder(url("/live/room2/a%5c..%5cb.ts"))).statusCode())
        .isEqualTo(400);
    assertThat(send(HttpRequest.newBuilder(url("/live/nosuch/index.m3u8"))).body())
        .contains("no stream named 'nosuch'");
    assertThat(send(HttpRequest.newBuilder(url("/live/room2/missing.ts"))).statusCode())
        .isEqualTo(404);
    assertThat(send(HttpRequest.newBuilder(url("/live/room2/x.php"))).statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        send(HttpRequest.newBuilder(url("/live/room2/index.m3u8")).POST(BodyPublishers.noBody()));
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    assertThat(send(HttpRequest.newBuilder(url("/nothing/here"))).statusCode()).isEqualTo(404);
    assertThat(adminStatus("/health/live")).isEqualTo(200);
  }
}
