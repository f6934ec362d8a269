package dev.segmentrelay.georouter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.MasterPlaylist;
import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.StreamRecord;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.georouter.health.HealthPolicy;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's HTTP answers on a real socket, with edges registered in an in-process registry and
 * their readiness served by a static HTTP server (delete its {@code health/ready} file and every
 * probe fails). Viewers are placed by coverage zones: 198.51.100.0/24 in Tokyo, 203.0.113.0/24 in
 * Bangkok, anyone else at the default location (Frankfurt).
 */
class GeoRouterHttpTest {
  @TempDir Path dir;

  private final InProcessRegistry registry = new InProcessRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private StaticHttpServer edgeFiles;
  private RunningRouter router;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(dir.resolve("health"));
    Files.writeString(dir.resolve("health/ready"), "ready");
    Files.createDirectories(dir.resolve("live/room1"));
    Files.writeString(
        dir.resolve("live/room1/master.m3u8"),
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nv0/index.m3u8\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=300000\nv1/index.m3u8\n");
    edgeFiles = StaticHttpServer.start(dir);
    registry
        .streams()
        .put(
            new StreamRecord(
                "room1", "room1", "hls", List.of("v0/index.m3u8"), "live", Instant.now()));
  }

  @AfterEach
  void tearDown() {
    if (router != null) {
      Waits.await("router to stop", Duration.ofSeconds(10), router.close());
    }
    edgeFiles.close();
    registry.close();
  }

  private void startRouter(String trustedProxy, Optional<URI> fallback) {
    RouterConfig defaults = RouterConfig.defaults(0, 0);
    RouterConfig config =
        new RouterConfig(
            "127.0.0.1",
            0,
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            defaults.geoipReloadInterval(),
            List.of(trustedProxy),
            List.of("198.51.100.0/24=tyo", "203.0.113.0/24=bkk"),
            List.of("tyo=35.68:139.69", "bkk=13.75:100.50", "fra=50.11:8.68"),
            "fra",
            fallback,
            // The test reports each edge once: judge health by probes alone.
            new HealthPolicy(
                Duration.ofSeconds(1),
                Duration.ofMillis(800),
                Duration.ofMinutes(5),
                Duration.ofMillis(2500),
                2),
            defaults.steeringTtl(),
            3,
            defaults.retryAfter());
    router =
        Waits.await(
            "router to start", Duration.ofSeconds(20), GeoRouterMain.start(config, registry));
  }

  /** An edge whose public URL and readiness are both the static server. */
  private void register(String id, String site, double lat, double lon) {
    String base = "http://127.0.0.1:" + edgeFiles.port();
    registry
        .edges()
        .report(
            new EdgeRecord(
                id,
                base,
                List.of("127.0.0.1"),
                site,
                lat,
                lon,
                "",
                1000,
                1000,
                EdgeState.SERVING,
                EdgeLoad.IDLE,
                Instant.now(),
                "",
                base),
            Duration.ofMinutes(5));
  }

  private void registerThreeSites() {
    register("edge-fra", "fra", 50.11, 8.68);
    register("edge-tyo", "tyo", 35.68, 139.69);
    register("edge-bkk", "bkk", 13.75, 100.50);
    Waits.until(
        "three routable edges", Duration.ofSeconds(30), () -> edgesJson().getLong("routable") == 3);
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path))
            .timeout(Duration.ofSeconds(5));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject edgesJson() throws Exception {
    return new JsonObject(get("/api/v1/edges", Map.of()).body());
  }

  private String edgeFor(String viewer) throws Exception {
    HttpResponse<String> r = get("/live/room1/master.m3u8", Map.of("X-Forwarded-For", viewer));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    return r.headers().firstValue("X-Relay-Edge").orElseThrow();
  }

  @Test
  void viewersAreRedirectedToTheNearestEdgeWithNoStore() throws Exception {
    startRouter("127.0.0.1/32", Optional.empty());
    registerThreeSites();

    HttpResponse<String> r =
        get("/live/room1/v0/index.m3u8?_HLS_msn=5", Map.of("X-Forwarded-For", "198.51.100.7"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location"))
        .hasValue("http://127.0.0.1:" + edgeFiles.port() + "/live/room1/v0/index.m3u8?_HLS_msn=5");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("X-Relay-Edge")).hasValue("edge-tyo");
    assertThat(edgeFor("203.0.113.9")).isEqualTo("edge-bkk");
    assertThat(edgeFor("192.0.2.1")).isEqualTo("edge-fra");
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
    startRouter("10.0.0.0/8", Optional.empty());
    registerThreeSites();
    // The loopback peer is not trusted: the Tokyo address in the header is a spoof.
    assertThat(edgeFor("198.51.100.7")).isEqualTo("edge-fra");
  }

  @Test
  void badRequestsGetJsonErrorsAndNeverARedirect() throws Exception {
    startRouter("127.0.0.1/32", Optional.empty());
    registerThreeSites();
    HttpResponse<String> unknown = get("/live/nosuch/master.m3u8", Map.of());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("message"))
        .contains("unknown stream 'nosuch'");
    assertThat(get("/live/room1/..%2F..%2Fetc/passwd.m3u8", Map.of()).statusCode()).isEqualTo(400);
    assertThat(get("/live/room1/notes.txt", Map.of()).statusCode()).isEqualTo(404);
    assertThat(get("/elsewhere", Map.of()).statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/route?ip=not-an-ip", Map.of()).statusCode()).isEqualTo(400);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + router.port() + "/live/room1/master.m3u8"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void withEveryEdgeDownViewersGet503WithRetryAfter() throws Exception {
    startRouter("127.0.0.1/32", Optional.empty());
    registerThreeSites();
    Files.delete(dir.resolve("health/ready"));
    Waits.until(
        "no routable edge", Duration.ofSeconds(30), () -> edgesJson().getLong("routable") == 0);
    HttpResponse<String> r = get("/live/room1/master.m3u8", Map.of());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(edgesJson().getJsonArray("edges").getJsonObject(0).getString("health"))
        .startsWith("readiness probe failed: not ready (HTTP 404)");
  }

  @Test
  void withEveryEdgeDownAConfiguredOriginIsTheLastResort() throws Exception {
    startRouter("127.0.0.1/32", Optional.of(URI.create("http://origin.example:8080/")));
    HttpResponse<String> r = get("/live/room1/master.m3u8", Map.of());
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location"))
        .hasValue("http://origin.example:8080/live/room1/master.m3u8");
  }

  @Test
  void routeApiExplainsTheDecision() throws Exception {
    startRouter("127.0.0.1/32", Optional.empty());
    registerThreeSites();
    JsonObject r =
        new JsonObject(get("/api/v1/route?ip=198.51.100.7&stream=room1", Map.of()).body());
    assertThat(r.getString("client")).isEqualTo("198.51.100.7");
    assertThat(r.getJsonObject("location").getString("source")).isEqualTo("coverage_zone");
    assertThat(r.getJsonObject("location").getString("site")).isEqualTo("tyo");
    assertThat(r.getBoolean("streamKnown")).isTrue();
    assertThat(r.getJsonObject("decision").encode()).contains("edge-tyo", "edge-bkk", "edge-fra");
  }

  @Test
  void aSingleMediaPlaylistIsSteeredAsAOneVariantMaster() throws Exception {
    Files.writeString(
        dir.resolve("live/room1/index.m3u8"),
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\nseg0.ts\n");
    startRouter("127.0.0.1/32", Optional.empty());
    registerThreeSites();
    HttpResponse<String> r =
        get("/steer/room1/index.m3u8", Map.of("X-Forwarded-For", "198.51.100.7"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    MasterPlaylist master = (MasterPlaylist) HlsParser.parse(r.body());
    assertThat(master.playlistUris())
        .hasSize(3)
        .allMatch(
            uri -> uri.equals("http://127.0.0.1:" + edgeFiles.port() + "/live/room1/index.m3u8"));
    assertThat(r.body()).contains("PATHWAY-ID=\"edge-tyo\"\n", "PATHWAY-ID=\"edge-fra\"\n");
  }

  @Test
  void steeredMasterListsPathwaysInRankOrderAndTheSteeringJsonAgrees() throws Exception {
    startRouter("127.0.0.1/32", Optional.empty());
    registerThreeSites();
    HttpResponse<String> r =
        get("/steer/room1/master.m3u8", Map.of("X-Forwarded-For", "203.0.113.9"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    MasterPlaylist master = (MasterPlaylist) HlsParser.parse(r.body());
    assertThat(master.playlistUris()).hasSize(6);
    assertThat(r.body())
        .contains("PATHWAY-ID=\"edge-bkk\"")
        .contains(
            "#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://127.0.0.1:"
                + router.port()
                + "/steering/room1?format=hls\",PATHWAY-ID=\"edge-bkk\"");
    JsonObject steering =
        new JsonObject(
            get("/steering/room1?format=hls", Map.of("X-Forwarded-For", "203.0.113.9")).body());
    // Bangkok first, then Tokyo (4,600 km), then Frankfurt (8,900 km).
    assertThat(steering.getJsonArray("PATHWAY-PRIORITY").encode())
        .isEqualTo("[\"edge-bkk\",\"edge-tyo\",\"edge-fra\"]");
  }
}
