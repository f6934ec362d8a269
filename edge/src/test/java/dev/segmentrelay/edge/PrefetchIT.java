package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.EdgeHarness.CACHE_HEADER;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.OriginMain;
import dev.segmentrelay.origin.RunningOrigin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Prefetch and registration with real peers: ffmpeg → our origin → the edge, the edge reporting to
 * an in-process registry.
 *
 * <ul>
 *   <li>The edge registers itself ({@code serving}, its URLs and ports) and removes its entry when
 *       it closes.
 *   <li>Without viewers, an announced segment is not fetched: the first request for it is a MISS.
 *   <li>With a viewer polling the playlist, each newly announced segment is fetched before anyone
 *       asks for it, so the first request for it is a HIT with the origin's bytes.
 * </ul>
 *
 * <p>The announcements are made by the test from the origin's own playlist, read directly (not
 * through the edge), the moment a new segment appears there: the origin of this version announces
 * on a registry of its own, so the test plays the cluster's segment topic between the two.
 */
class PrefetchIT {
  private static final String STREAM = "room1";
  private static final Pattern PREFETCH =
      Pattern.compile("(?m)^relay_edge_prefetch_total\\{([^}]*)\\}\\s+([0-9.eE+-]+)$");

  @Test
  @Timeout(150)
  void newSegmentsOfWatchedStreamsAreCachedBeforeTheFirstViewerAsks() throws Exception {
    Path work = ItWorkDirs.freshDirectory(PrefetchIT.class);
    Path src = work.resolve("src");
    InProcessRegistry registry = new InProcessRegistry();
    try (FfmpegLive hls =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, src.resolve("hls")).start();
        StaticHttpServer source = StaticHttpServer.start(src)) {
      ItWorkDirs.awaitFile(src.resolve("hls/index.m3u8"), hls);
      RunningOrigin origin =
          Waits.await(
              "origin to start",
              Duration.ofSeconds(30),
              OriginMain.start(
                  ItWork.originConfig(
                      List.of(
                          new OriginConfig.PullStream(
                              STREAM, URI.create(source.url("hls/index.m3u8")))))));
      String originPlaylist =
          "http://127.0.0.1:" + origin.port() + "/live/" + STREAM + "/index.m3u8";
      HttpTestClient direct = new HttpTestClient();
      try {
        EdgeHarness edge =
            EdgeHarness.start(
                EdgeHarness.config("http://127.0.0.1:" + origin.port()).id("pf1").build(),
                registry);
        SoftAssertions soft = new SoftAssertions();
        try {
          EdgeRecord entry =
              Waits.value(
                  "the edge to register as serving",
                  Duration.ofSeconds(10),
                  () ->
                      registry.edges().entries().stream()
                          .filter(e -> e.id().equals("pf1") && e.state() == EdgeState.SERVING)
                          .findFirst());
          soft.assertThat(entry.publicUrl()).isEqualTo("http://127.0.0.1:" + edge.port());
          soft.assertThat(entry.addresses()).containsExactly("127.0.0.1");

          Set<String> announced = new HashSet<>();
          // No viewers: an announcement changes nothing.
          String idle = awaitNewSegment(direct, originPlaylist, announced);
          announce(registry, idle);
          Waits.sleep(Duration.ofSeconds(2));
          soft.assertThat(prefetched(edge, "fetched")).as("prefetches without viewers").isZero();
          soft.assertThat(edge.raw("/live/" + STREAM + "/" + idle).header(CACHE_HEADER))
              .as("first request for %s, announced while nobody watched", idle)
              .isEqualTo("MISS");

          // A viewer: it polls the playlist through the edge, as a player does, never a segment.
          AtomicBoolean watching = new AtomicBoolean(true);
          Thread viewer =
              new Thread(
                  () -> {
                    HttpTestClient player = new HttpTestClient();
                    while (watching.get()) {
                      player.get(edge.liveUrl(STREAM, "index.m3u8"));
                      Waits.sleep(Duration.ofMillis(500));
                    }
                  },
                  "prefetch-it-viewer");
          viewer.setDaemon(true);
          viewer.start();
          try {
            Waits.until(
                "the edge to subscribe to " + STREAM + "'s segments",
                Duration.ofSeconds(10),
                () -> edge.metrics().contains("relay_edge_prefetch_streams") && subscribed(edge));
            for (int i = 1; i <= 3; i++) {
              String segment = awaitNewSegment(direct, originPlaylist, announced);
              double before = prefetched(edge, "fetched");
              announce(registry, segment);
              Waits.until(
                  "the edge to prefetch " + segment,
                  Duration.ofSeconds(10),
                  () -> prefetched(edge, "fetched") > before);
              HttpTestClient.Response first = edge.http().get(edge.liveUrl(STREAM, segment));
              HttpTestClient.Response atOrigin =
                  direct.get(
                      "http://127.0.0.1:" + origin.port() + "/live/" + STREAM + "/" + segment);
              soft.assertThat(first.header(CACHE_HEADER))
                  .as("first viewer request for prefetched %s", segment)
                  .isEqualTo("HIT");
              soft.assertThat(first.sha256()).as("%s bytes", segment).isEqualTo(atOrigin.sha256());
            }
            soft.assertThat(prefetched(edge, "failed")).as("failed prefetches").isZero();
            EdgeRecord loaded =
                registry.edges().entries().stream()
                    .filter(e -> e.id().equals("pf1"))
                    .findFirst()
                    .orElseThrow();
            soft.assertThat(loaded.load().activeViewers()).as("viewers reported").isEqualTo(1);
          } finally {
            watching.set(false);
            viewer.join(5_000);
          }
        } finally {
          edge.close();
        }
        soft.assertThat(registry.edges().entries())
            .as("entries after the edge closed (removed, not left to expire)")
            .isEmpty();
        soft.assertAll();
      } finally {
        Waits.await("origin to close", Duration.ofSeconds(30), origin.close());
        registry.close();
      }
    }
  }

  private static void announce(InProcessRegistry registry, String path) {
    registry
        .segments()
        .announce(new SegmentAvailable(STREAM, "index.m3u8", path, 0, 2.0, 0, Instant.now()));
  }

  /** Waits for a segment in the origin's playlist that was not seen before; marks it seen. */
  private static String awaitNewSegment(HttpTestClient http, String playlist, Set<String> seen) {
    Set<String> known = new HashSet<>(seen);
    boolean first = seen.isEmpty();
    if (first) {
      HttpTestClient.Response r = http.get(playlist);
      if (r.status() == 200) {
        HlsPlaylistView.parse(r.text()).segments().forEach(s -> known.add(s.uri()));
        seen.addAll(known);
      }
    }
    String segment =
        Waits.value(
            "a new segment in " + playlist,
            Duration.ofSeconds(20),
            () -> {
              HttpTestClient.Response r = http.get(playlist);
              if (r.status() != 200) {
                return Optional.empty();
              }
              List<HlsPlaylistView.Segment> segments = HlsPlaylistView.parse(r.text()).segments();
              for (HlsPlaylistView.Segment s : segments) {
                if (!known.contains(s.uri())) {
                  return Optional.of(s.uri());
                }
              }
              known.addAll(segments.stream().map(HlsPlaylistView.Segment::uri).toList());
              return Optional.empty();
            });
    seen.add(segment);
    return segment;
  }

  private static boolean subscribed(EdgeHarness edge) {
    Matcher m =
        Pattern.compile("(?m)^relay_edge_prefetch_streams(\\{[^}]*\\})?\\s+([0-9.eE+-]+)$")
            .matcher(edge.metrics());
    return m.find() && Double.parseDouble(m.group(2)) >= 1;
  }

  private static double prefetched(EdgeHarness edge, String result) {
    Matcher m = PREFETCH.matcher(edge.metrics());
    double total = 0;
    while (m.find()) {
      if (m.group(1).contains("result=\"" + result + "\"")) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }
}
