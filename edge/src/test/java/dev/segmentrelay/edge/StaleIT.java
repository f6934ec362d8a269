package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.EdgeHarness.CACHE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.RawHttpClient;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Serving through an upstream outage: when every upstream fails, the edge keeps answering the last
 * good playlist flagged {@code X-Relay-Cache: STALE} for the configured stale window, cached
 * segments keep being served as HITs (during the window and after it), and once the window has
 * passed the playlist is answered with a 502/504 JSON error rather than ever-older content. Covered
 * for an upstream answering 500 and for one that has gone away (connections refused).
 */
class StaleIT {
  private static final Duration STALE_FOR = Duration.ofSeconds(3);
  private static final String PLAYLIST = "/live/room1/index.m3u8";
  private static final List<String> SEGMENTS =
      List.of("/live/room1/seg_10.ts", "/live/room1/seg_11.ts", "/live/room1/seg_12.ts");
  private static final String PLAYLIST_TEXT =
      """
      #EXTM3U
      #EXT-X-VERSION:3
      #EXT-X-TARGETDURATION:2
      #EXT-X-MEDIA-SEQUENCE:10
      #EXTINF:2.000,
      seg_10.ts
      #EXTINF:2.000,
      seg_11.ts
      #EXTINF:2.000,
      seg_12.ts
      """;

  /** One playlist answer while the upstream fails. */
  private record Seen(int status, String cache, boolean lastGoodBody, RawHttpClient.Response r) {}

  @Test
  @Timeout(60)
  void upstreamAnswering500() {
    try (ScriptedHttpServer upstream = serving()) {
      try (EdgeHarness edge = warmEdge(upstream)) {
        upstream.otherwise(ScriptedHttpServer.status(500));
        upstream.on(PLAYLIST, ScriptedHttpServer.status(500));
        SEGMENTS.forEach(s -> upstream.on(s, ScriptedHttpServer.status(500)));
        checkStaleThenError(edge, upstream);
      }
    }
  }

  @Test
  @Timeout(60)
  void upstreamGone() {
    ScriptedHttpServer upstream = serving();
    try (upstream;
        EdgeHarness edge = warmEdge(upstream)) {
      upstream.close();
      checkStaleThenError(edge, null);
    }
  }

  private static ScriptedHttpServer serving() {
    ScriptedHttpServer upstream = ScriptedHttpServer.start();
    upstream.on(
        PLAYLIST,
        ScriptedHttpServer.ok(
            PLAYLIST_TEXT.getBytes(StandardCharsets.UTF_8),
            "application/vnd.apple.mpegurl",
            "Cache-Control",
            "max-age=1"));
    for (int i = 0; i < SEGMENTS.size(); i++) {
      upstream.on(SEGMENTS.get(i), ScriptedHttpServer.ok(segment(i), "video/mp2t"));
    }
    return upstream;
  }

  private static byte[] segment(int i) {
    return ItWork.bytes(50_000 + i, 100 + i);
  }

  /** Starts an edge in front of {@code upstream} and caches the playlist and every segment. */
  private static EdgeHarness warmEdge(ScriptedHttpServer upstream) {
    EdgeHarness edge =
        EdgeHarness.start(EdgeHarness.config(upstream.baseUrl()).staleFor(STALE_FOR).build());
    try {
      RawHttpClient.Response playlist = edge.raw(PLAYLIST);
      assertThat(playlist.status()).as("playlist: %s", playlist).isEqualTo(200);
      assertThat(playlist.text()).isEqualTo(PLAYLIST_TEXT);
      for (int i = 0; i < SEGMENTS.size(); i++) {
        RawHttpClient.Response s = edge.raw(SEGMENTS.get(i));
        assertThat(s.status()).as("%s: %s", SEGMENTS.get(i), s).isEqualTo(200);
        assertThat(s.body()).isEqualTo(segment(i));
        assertThat(edge.awaitHit(SEGMENTS.get(i)).body()).isEqualTo(segment(i));
      }
      return edge;
    } catch (RuntimeException | AssertionError e) {
      edge.close();
      throw e;
    }
  }

  /**
   * Polls the playlist (bounded in count and time) until the edge gives up on it, then checks the
   * sequence: the last good playlist (HIT, then STALE) until a 502/504 JSON error, which stays.
   */
  private static void checkStaleThenError(EdgeHarness edge, ScriptedHttpServer upstream) {
    List<Seen> seen = new ArrayList<>();
    RawHttpClient.Response segmentWhileStale = null;
    long deadline = System.nanoTime() + STALE_FOR.multipliedBy(5).toNanos();
    for (int i = 0; i < 400 && System.nanoTime() - deadline < 0; i++) {
      RawHttpClient.Response r = edge.raw(PLAYLIST);
      Seen s =
          new Seen(
              r.status(),
              String.valueOf(r.header(CACHE_HEADER)),
              r.status() == 200 && r.complete() && r.text().equals(PLAYLIST_TEXT),
              r);
      seen.add(s);
      if ("STALE".equals(s.cache()) && segmentWhileStale == null) {
        segmentWhileStale = edge.raw(SEGMENTS.get(1));
      }
      if (r.status() >= 500) {
        break;
      }
      Waits.sleep(Duration.ofMillis(50));
    }

    SoftAssertions soft = new SoftAssertions();
    Seen last = seen.get(seen.size() - 1);
    List<Seen> before = seen.subList(0, seen.size() - 1);
    soft.assertThat(last.status())
        .as("the playlist is refused once the stale window has passed: %s", last.r())
        .isIn(502, 504);
    soft.check(() -> EdgeHarness.assertJsonError(last.r(), "playlist after the stale window"));
    soft.assertThat(before.stream().filter(s -> !s.lastGoodBody()).map(Seen::r).toList())
        .as("answers before the error that were not the last good playlist")
        .isEmpty();
    soft.assertThat(before.stream().map(Seen::cache).distinct().toList())
        .as("X-Relay-Cache of the last good playlist while the upstream fails")
        .isSubsetOf("HIT", "STALE")
        .contains("STALE");
    soft.assertThat(segmentWhileStale).as("a segment fetched while stale").isNotNull();
    if (segmentWhileStale != null) {
      soft.assertThat(segmentWhileStale.status()).isEqualTo(200);
      soft.assertThat(segmentWhileStale.header(CACHE_HEADER)).isEqualTo("HIT");
      soft.assertThat(segmentWhileStale.body()).isEqualTo(segment(1));
    }
    for (int i = 0; i < 3; i++) {
      RawHttpClient.Response r = edge.raw(PLAYLIST);
      soft.assertThat(r.status()).as("playlist after the window, again: %s", r).isIn(502, 504);
    }
    for (int i = 0; i < SEGMENTS.size(); i++) {
      RawHttpClient.Response r = edge.raw(SEGMENTS.get(i));
      soft.assertThat(r.header(CACHE_HEADER))
          .as("%s after the stale window: %s", SEGMENTS.get(i), r)
          .isEqualTo("HIT");
      soft.assertThat(r.body()).isEqualTo(segment(i));
    }
    if (upstream != null) {
      for (String s : SEGMENTS) {
        soft.assertThat(upstream.requests(s)).as("upstream requests for cached %s", s).isEqualTo(1);
      }
    }
    soft.assertAll();
  }
}
