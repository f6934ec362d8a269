package dev.segmentrelay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Purge and drain through the management port, against a real edge and upstream. */
class EdgeAdminTest {
  private static final String TOKEN = "admin-token-0123456789";
  private static Vertx vertx;
  private static HttpServer upstream;
  private static final AtomicInteger upstreamRequests = new AtomicInteger();
  private static RunningEdge edge;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  upstreamRequests.incrementAndGet();
                  req.response().end("segment bytes of " + req.path());
                })
            .listen(0, "127.0.0.1")
            .await();
    EdgeConfig d =
        EdgeConfig.defaults(List.of(URI.create("http://127.0.0.1:" + upstream.actualPort())), "t1");
    EdgeConfig config =
        new EdgeConfig(
            "127.0.0.1",
            0,
            0,
            d.upstreams(),
            d.cacheSizeBytes(),
            "t1",
            "test",
            50,
            8,
            "",
            100,
            Optional.empty(),
            Optional.of(TOKEN),
            d.connectTimeout(),
            d.firstByteTimeout(),
            d.idleTimeout(),
            d.staleFor(),
            d.negativeTtl(),
            100,
            d.clientIdleTimeout(),
            Optional.empty());
    edge = EdgeMain.start(config).await();
  }

  @AfterAll
  static void stop() {
    edge.close().await();
    upstream.close().await();
    vertx.close().await();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path)).build(),
        BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(String method, String path, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + path))
            .method(method, BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  @Test
  void purgeMakesTheNextRequestAMiss() throws Exception {
    assertThat(get("/live/purgeroom/a.ts").headers().firstValue("X-Relay-Cache")).contains("MISS");
    assertThat(get("/live/purgeroom/a.ts").headers().firstValue("X-Relay-Cache")).contains("HIT");
    assertThat(admin("POST", "/admin/purge?path=/live/purgeroom/a.ts", null).statusCode())
        .isEqualTo(401);
    assertThat(
            admin("POST", "/admin/purge?path=/live/purgeroom/a.ts", "wrong-token-000000")
                .statusCode())
        .isEqualTo(403);
    HttpResponse<String> purged = admin("POST", "/admin/purge?path=/live/purgeroom/a.ts", TOKEN);
    assertThat(purged.statusCode()).isEqualTo(200);
    assertThat(purged.body()).contains("\"purged\":1");
    assertThat(get("/live/purgeroom/a.ts").headers().firstValue("X-Relay-Cache")).contains("MISS");

    get("/live/purgeroom/b.ts");
    assertThat(admin("POST", "/admin/purge?prefix=/live/purgeroom/", TOKEN).body())
        .contains("\"purged\":2");
    assertThat(admin("POST", "/admin/purge?path=/etc/passwd", TOKEN).statusCode()).isEqualTo(400);
    assertThat(admin("POST", "/admin/purge", TOKEN).statusCode()).isEqualTo(400);
  }

  @Test
  void drainMakesTheEdgeUnreadyButKeepsServing() throws Exception {
    assertThat(admin("GET", "/health/ready", null).statusCode()).isEqualTo(200);
    assertThat(admin("POST", "/admin/drain", TOKEN).body()).contains("\"state\":\"draining\"");
    HttpResponse<String> ready = admin("GET", "/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("draining");
    assertThat(get("/live/room1/c.ts").statusCode()).isEqualTo(200);
    assertThat(admin("DELETE", "/admin/drain", TOKEN).body()).contains("\"state\":\"serving\"");
    assertThat(admin("GET", "/health/ready", null).statusCode()).isEqualTo(200);
  }

  @Test
  void statusShowsTheRegistryStateAndTheLastReport() {
    JsonObject status =
        Waits.value(
            "a load report in /admin/status",
            Duration.ofSeconds(10),
            () -> {
              JsonObject s = new JsonObject(admin("GET", "/admin/status", TOKEN).body());
              return s.getJsonObject("lastReport") == null
                      || !"serving".equals(s.getJsonObject("lastReport").getString("state"))
                  ? Optional.empty()
                  : Optional.of(s);
            });
    assertThat(status.getString("state")).isIn("serving", "draining");
    JsonObject report = status.getJsonObject("lastReport");
    assertThat(report.getString("id")).isEqualTo("t1");
    assertThat(report.getString("site")).isEqualTo("test");
    assertThat(report.getString("publicUrl")).isEqualTo("http://127.0.0.1:" + edge.port());
    assertThat(report.getString("adminUrl")).isEqualTo("http://127.0.0.1:" + edge.adminPort());
    assertThat(report.getJsonObject("load").getInteger("activeViewers")).isNotNull();
    assertThat(status.getLong("cacheEntries")).isNotNull();
  }

  @Test
  void viewerErrorsNeverReachTheUpstream() throws Exception {
    int before = upstreamRequests.get();
    assertThat(get("/live/room1/%2e%2e/x.ts").statusCode()).isEqualTo(400);
    assertThat(get("/live/room1/x.exe").statusCode()).isEqualTo(404);
    assertThat(get("/other").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + edge.port() + "/live/room1/x.ts"))
                .POST(BodyPublishers.noBody())
                .build(),
            BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.body()).contains("\"error\":\"method_not_allowed\"");
    assertThat(upstreamRequests.get()).isEqualTo(before);
  }

  @Test
  void rangesHeadAndConditionalRequestsOnCachedSegments() throws Exception {
    String path = "/live/room1/r.ts";
    String full = get(path).body();
    HttpResponse<String> part =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Range", "bytes=0-6")
                .build(),
            BodyHandlers.ofString());
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(full.substring(0, 7));
    assertThat(part.headers().firstValue("Content-Range")).contains("bytes 0-6/" + full.length());
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Range", "lines=1-2")
                .build(),
            BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    HttpResponse<String> beyond =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Range", "bytes=100000-")
                .build(),
            BodyHandlers.ofString());
    assertThat(beyond.statusCode()).isEqualTo(416);
    String etag = get(path).headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> notModified =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("If-None-Match", etag)
                .build(),
            BodyHandlers.ofString());
    assertThat(notModified.statusCode()).isEqualTo(304);
    HttpResponse<Void> head =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .method("HEAD", BodyPublishers.noBody())
                .build(),
            BodyHandlers.discarding());
    assertThat(head.headers().firstValue("Content-Length"))
        .contains(Integer.toString(full.length()));
    assertThat(head.headers().firstValue("X-Relay-Edge")).contains("t1");
  }
}
