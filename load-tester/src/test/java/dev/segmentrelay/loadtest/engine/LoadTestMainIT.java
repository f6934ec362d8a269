package dev.segmentrelay.loadtest.engine;

import static dev.segmentrelay.common.testing.ScriptedHttpServer.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.ScriptedHttpServer;
import io.vertx.core.http.HttpMethod;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole (short) run against a scripted router and edge: viewers from two regions through the
 * router, a drain drill through the router's edge table and the edge's admin API, progress lines
 * and the self-measurements.
 */
class LoadTestMainIT {
  private static final byte[] PLAYLIST =
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg1.ts\n".getBytes(StandardCharsets.UTF_8);
  private static final String TOKEN = "0123456789abcdef0123";

  private ScriptedHttpServer router;
  private ScriptedHttpServer edge;
  private final Set<String> forwarded = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> drainAuthorization = new AtomicReference<>();

  @BeforeEach
  void start() {
    router = ScriptedHttpServer.start();
    edge = ScriptedHttpServer.start();
    edge.on("/live/room1/master.m3u8", ok(PLAYLIST, "application/vnd.apple.mpegurl"));
    edge.on(
        "/admin/drain",
        (request, v) -> {
          if (request.method() == HttpMethod.POST) {
            drainAuthorization.set(request.getHeader("Authorization"));
          }
          request.response().setStatusCode(204).end();
        });
    router.on(
        "/live/room1/master.m3u8",
        (request, v) -> {
          forwarded.add(String.valueOf(request.getHeader("X-Forwarded-For")));
          request
              .response()
              .setStatusCode(302)
              .putHeader("Location", edge.baseUrl() + "/live/room1/master.m3u8")
              .end();
        });
    router.on(
        "/api/v1/edges",
        ok(
            ("{\"edges\":[{\"id\":\"edge-tyo\",\"publicUrl\":\""
                    + edge.baseUrl()
                    + "\",\"adminUrl\":\""
                    + edge.baseUrl()
                    + "\"}],\"routable\":1}")
                .getBytes(StandardCharsets.UTF_8),
            "application/json"));
  }

  @AfterEach
  void stop() {
    router.close();
    edge.close();
  }

  @Test
  void viewersFromTwoRegionsPlayThroughTheRouterWhileAnEdgeIsDrained() {
    URI url = URI.create(router.baseUrl() + "/live/room1/master.m3u8");
    Map<String, String> mix = new LinkedHashMap<>();
    mix.put("jp", "50");
    mix.put("de", "50");
    LoadTestConfig config =
        new LoadTestConfig(
            url,
            20,
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofMillis(500),
            List.of(Spike.parse("4@1500ms/500ms")),
            List.of(Drill.parse("at=1s,drain=edge-tyo")),
            RegionMix.parse(mix, List.of()),
            new FetchOptions(
                Duration.ofSeconds(5),
                5,
                ForwardedFor.ROUTER,
                Http1Fetcher.authority(url),
                FetchOptions.DEFAULT_MAX_BODY),
            "auto",
            2,
            0,
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            true,
            Optional.empty(),
            Optional.of(TOKEN),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    LiveCounters live = new LiveCounters();
    AtomicReference<RunSummary> summary = new AtomicReference<>();
    StringWriter console = new StringWriter();

    int exit =
        LoadTestMain.run(
            config,
            slot -> ProbeViewer.start(slot, live.events(slot.region()), 500),
            live,
            new RunListener() {
              @Override
              public int finished(RunSummary s) {
                summary.set(s);
                return 3;
              }
            },
            new PrintWriter(console, true));

    assertThat(exit).isEqualTo(3);
    RunSummary s = summary.get();
    assertThat(s.plannedViewers()).isEqualTo(24);
    assertThat(s.startedViewers()).isEqualTo(24);
    assertThat(s.failedStarts()).isZero();
    assertThat(s.eventLoops()).isEqualTo(2);
    assertThat(s.heapPerViewerBytes()).isPresent();
    assertThat(s.drills()).hasSize(1);
    assertThat(s.drills().get(0).ok()).as(s.drills().get(0).detail()).isTrue();
    assertThat(drainAuthorization.get()).isEqualTo("Bearer " + TOKEN);
    // Both regions' addresses reached the router; the edge never saw X-Forwarded-For.
    assertThat(forwarded).anyMatch(a -> a.startsWith("198.51.100."));
    assertThat(forwarded).anyMatch(a -> a.startsWith("192.0.2."));
    ProgressSnapshot counted = live.snapshot();
    assertThat(counted.requests()).isGreaterThanOrEqualTo(24);
    assertThat(counted.errors()).isZero();
    assertThat(counted.regions()).containsKeys("jp", "de");
    assertThat(console.toString())
        .contains("viewers", "req/s", "jp ", "de ", "drill at=1s,drain=edge-tyo", "done in")
        .contains("heap per viewer");
  }

  @Test
  void anUnreachableUrlIsCountedAsErrorsNotACrash() {
    URI url =
        URI.create(
            "http://127.0.0.1:" + dev.segmentrelay.common.testing.FreePorts.find() + "/x.m3u8");
    LoadTestConfig config =
        ConfigFixtures.config(
            url,
            new FetchOptions(
                Duration.ofSeconds(1),
                5,
                ForwardedFor.ROUTER,
                Http1Fetcher.authority(url),
                FetchOptions.DEFAULT_MAX_BODY));
    LiveCounters live = new LiveCounters();
    int exit =
        LoadTestMain.run(
            config,
            slot -> ProbeViewer.start(slot, live.events(slot.region()), 200),
            live,
            new RunListener() {},
            new PrintWriter(new StringWriter(), true));
    assertThat(exit).isZero();
    assertThat(live.snapshot().errors()).isPositive();
  }
}
