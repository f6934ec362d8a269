package dev.segmentrelay.loadtest.player;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.ScriptedFetcher.Answer;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlayerHlsTest {
  static final String BASE = "http://edge.test/live/s/";

  final FakeScheduler clock = new FakeScheduler(1_700_000_000_000L);
  final ScriptedFetcher fetcher = new ScriptedFetcher(clock);
  final RecordingEvents events = new RecordingEvents();

  Player player(String url, PlayerConfig config) {
    return new Player(url, config, clock, fetcher, events, ManifestParser.direct());
  }

  /** Playlists from {@code live} after 10 ms; segments of {@code bytes} after {@code millis}. */
  void serve(LiveHls live, long segmentBytes, long segmentMillis) {
    fetcher.on(
        BASE,
        url -> {
          String file = url.substring(BASE.length());
          if (file.equals("master.m3u8")) {
            return Answer.ok(LiveHls.master(300_000, 800_000, 2_000_000), 10);
          }
          if (file.endsWith(".m3u8")) {
            return Answer.ok(live.playlist(file.substring(0, file.length() - 5)), 10);
          }
          return Answer.bytes(segmentBytes, segmentMillis);
        });
  }

  static String fixture(String name) {
    try {
      return Files.readString(
          Path.of("../common/src/test/resources/fixtures/hls", name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void startupTimeIsFromFirstRequestToOneSegmentBufferedAtThreeTargetDurationsFromTheEnd() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    player(BASE + "index.m3u8", PlayerConfig.defaults()).start();

    clock.advanceTo(1000);

    // playlist 0..10 ms, segment 10..110 ms: 2 s buffered = the start threshold.
    assertThat(events.started).containsExactly(110.0);
    // segments 4..9 listed; RFC 8216 6.3.3: start no later than 3 target durations from the end.
    assertThat(events.segments.get(0)).isEqualTo(BASE + "index_7.ts");
    assertThat(events.requests.get(0).kind()).isEqualTo(RequestKind.MEDIA_PLAYLIST);
  }

  @Test
  void bufferFillsWithSegmentsAndDrainsInRealTime() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    Player p = player(BASE + "index.m3u8", PlayerConfig.defaults());
    p.start();

    clock.advanceTo(320);
    // three segments (7, 8, 9) in by 310 ms; playing since 110 ms.
    assertThat(events.segments).hasSize(3);
    assertThat(p.bufferSeconds()).isCloseTo(6.0 - 0.210, org.assertj.core.data.Offset.offset(1e-9));

    clock.advanceTo(1320);
    assertThat(p.bufferSeconds()).isCloseTo(6.0 - 1.210, org.assertj.core.data.Offset.offset(1e-9));

    clock.advanceTo(60_000);
    assertThat(events.stallsStarted).isZero();
    // played all the time since 110 ms, as reported by the once-a-second progress
    assertThat(events.played).isCloseTo(60.0 - 0.110, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(events.stalled).isZero();
    assertThat(events.progressCalls).isEqualTo(60);
  }

  @Test
  void slowerThanRealTimeDownloadsStallWithExactDurations() {
    LiveHls live = new LiveHls(clock, 10, 30, false);
    serve(live, 500_000, 3000); // a 2 s segment takes 3 s
    player(BASE + "index.m3u8", PlayerConfig.defaults()).start();

    clock.advanceTo(30_000);

    // started at 3010 with 2 s; dry at 5010, next segment at 6010: a 1 s stall every 3 s.
    assertThat(events.started).containsExactly(3010.0);
    assertThat(events.stalls).isNotEmpty().allSatisfy(s -> assertThat(s).isEqualTo(1000.0));
    // stalls began at 5010, 8010, ..., 29010 (8); ended at 6010 ... 27010 + the one at 30010 open
    assertThat(events.stallsStarted).isEqualTo(9);
    assertThat(events.stalls).hasSize(8);
    // ratio from progress: 0.99 s of the last stall so far
    assertThat(events.stalled).isCloseTo(8 + 0.99, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void abrSwitchesUpWithFastDownloads() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    // 500 kB in 100 ms = 40 Mbit/s: 0.8 x estimate clears the top rendition.
    serve(live, 500_000, 100);
    Player p = player(BASE + "master.m3u8", PlayerConfig.defaults());
    p.start();

    clock.advanceTo(10_000);

    assertThat(events.switches).containsExactly("300000->2000000");
    assertThat(p.currentBandwidth()).isEqualTo(2_000_000);
    assertThat(events.segments.get(0)).isEqualTo(BASE + "r300000_7.ts");
    // the position carries over by media sequence number
    assertThat(events.segments.get(1)).isEqualTo(BASE + "r2000000_8.ts");
    assertThat(events.segmentBandwidths.get(1)).isEqualTo(2_000_000);
  }

  @Test
  void abrSwitchesDownWithSlowDownloads() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    // 100 kB in 1.6 s = 500 kbit/s: 0.8 x estimate = 400 kbit/s, only the lowest fits.
    serve(live, 100_000, 1600);
    Player p = player(BASE + "master.m3u8", PlayerConfig.defaults().withStartRendition(2));
    p.start();

    clock.advanceTo(10_000);

    assertThat(events.segments.get(0)).isEqualTo(BASE + "r2000000_7.ts");
    assertThat(events.switches).containsExactly("2000000->300000");
    assertThat(p.currentBandwidth()).isEqualTo(300_000);
  }

  @Test
  void fixedRenditionNeverSwitches() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    Player p = player(BASE + "master.m3u8", PlayerConfig.defaults().withFixedRendition(1));
    p.start();
    clock.advanceTo(10_000);
    assertThat(events.switches).isEmpty();
    assertThat(events.segmentBandwidths).containsOnly(800_000);
  }

  @Test
  void reloadsAfterTargetDurationWhenChangedAndHalfWhenUnchanged() {
    String[] body = {fixture("nginx-rtmp-live.m3u8")};
    String changed = body[0].replace("#EXT-X-MEDIA-SEQUENCE:", "#EXT-X-MEDIA-SEQUENCE:1");
    fetcher.on(BASE + "index.m3u8", url -> Answer.ok(body[0], 10));
    fetcher.on(BASE, url -> Answer.bytes(1000, 10));
    player(BASE + "index.m3u8", PlayerConfig.defaults()).start();
    long td = targetDurationMillis(body[0]);

    clock.advanceTo(td - 1);
    body[0] = changed; // changes before the second load
    clock.advanceTo(2 * td + td / 2 + 1);

    // first load at 0 (counts as changed) -> TD; changed -> TD; then unchanged -> TD/2
    assertThat(fetcher.timesOf(BASE + "index.m3u8"))
        .containsExactly(0L, td, 2 * td, 2 * td + td / 2);
  }

  static long targetDurationMillis(String playlist) {
    for (String line : playlist.split("\n")) {
      if (line.startsWith("#EXT-X-TARGETDURATION:")) {
        return Long.parseLong(line.substring(22).trim()) * 1000;
      }
    }
    throw new AssertionError("no target duration");
  }

  @Test
  void aPlaylistThatNeverUpdatesIsStaleThenTheViewerGivesUp() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    PlayerConfig config =
        new PlayerConfig(
            java.util.OptionalInt.empty(), 0, 0.8, 2, 2, 30, 3, 3, 3, 2, 4, 500, 4000, 300_000);
    player(BASE + "index.m3u8", config).start();
    clock.advanceTo(100);
    live.freeze();

    clock.advanceTo(60_000);

    List<RecordingEvents.Req> stale = events.errors(ErrorKind.STALE_PLAYLIST);
    // loads at 0, 2000 (unchanged 1), 3000 (2), 4000 (3 = stale), 5000, 6000, 7000 (4th failure)
    assertThat(stale).hasSize(4);
    assertThat(events.ended).containsExactly(true);
    assertThat(fetcher.timesOf(BASE + "index.m3u8"))
        .containsExactly(0L, 2000L, 3000L, 4000L, 5000L, 6000L, 7000L);
  }

  @Test
  void endListPlaysToTheEndAndLoadsTheInitSegmentOnce() {
    fetcher.on(BASE + "index.m3u8", url -> Answer.ok(fixture("ffmpeg-fmp4-ended.m3u8"), 10));
    fetcher.on(BASE, url -> Answer.bytes(100_000, 50));
    player(BASE + "index.m3u8", PlayerConfig.defaults()).start();

    clock.advanceTo(60_000);

    assertThat(fetcher.count(BASE + "init.mp4")).isEqualTo(1);
    assertThat(fetcher.urls().get(1)).isEqualTo(BASE + "init.mp4");
    assertThat(events.segments).hasSize(5);
    assertThat(events.ended).containsExactly(false);
    assertThat(events.played).isCloseTo(8.84, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(events.stallsStarted).isZero();
    // no reloads of an ended playlist
    assertThat(fetcher.count(BASE + "index.m3u8")).isEqualTo(1);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void endListTransportStreamFixturePlaysEverySegment() {
    fetcher.on(BASE + "index.m3u8", url -> Answer.ok(fixture("ffmpeg-ts-ended.m3u8"), 10));
    fetcher.on(BASE, url -> Answer.bytes(100_000, 50));
    player(BASE + "index.m3u8", PlayerConfig.defaults()).start();
    clock.advanceTo(120_000);
    assertThat(events.ended).containsExactly(false);
    assertThat(events.segments).allSatisfy(u -> assertThat(u).endsWith(".ts"));
    assertThat(events.requests).noneMatch(r -> r.kind() == RequestKind.INIT);
  }

  @Test
  void aFailedSegmentIsRetriedThenSkipped() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    fetcher.on(BASE + "index_8.ts", url -> Answer.status(500, 5));
    Player p = player(BASE + "index.m3u8", PlayerConfig.defaults());
    p.start();

    clock.advanceTo(20_000);

    assertThat(fetcher.count(BASE + "index_8.ts")).isEqualTo(3); // 1 + 2 retries
    assertThat(events.skipped).containsExactly(BASE + "index_8.ts");
    assertThat(p.skippedSegments()).isEqualTo(1);
    assertThat(events.segments).contains(BASE + "index_7.ts", BASE + "index_9.ts");
    assertThat(events.ended).isEmpty();
  }

  @Test
  void givesUpAfterTooManyConsecutiveFailures() {
    fetcher.on(BASE, url -> Answer.status(503, 5));
    player(BASE + "master.m3u8", PlayerConfig.defaults()).start();

    clock.advanceTo(600_000);

    assertThat(events.ended).containsExactly(true);
    assertThat(fetcher.requests).hasSize(10);
    assertThat(events.requests)
        .allSatisfy(r -> assertThat(r.result().error()).isEqualTo(ErrorKind.HTTP_5XX));
    assertThat(clock.pending()).isZero();
  }

  @Test
  void anUnparsableBodyIsBadContent() {
    fetcher.on(BASE, url -> Answer.ok("<html>oops</html>", 5));
    player(BASE + "index.m3u8", PlayerConfig.defaults()).start();
    clock.advanceTo(600_000);
    assertThat(events.errors(ErrorKind.BAD_CONTENT)).hasSize(10);
    assertThat(events.ended).containsExactly(true);
  }

  @Test
  void relativeUrisResolveAgainstTheRedirectedUrl() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    fetcher.on(
        "http://router.test/",
        url -> Answer.ok(LiveHls.master(300_000), 10).redirectedTo(BASE + "master.m3u8"));
    player("http://router.test/live/s/master.m3u8", PlayerConfig.defaults()).start();
    clock.advanceTo(5000);
    assertThat(fetcher.count("http://router.test/")).isEqualTo(1);
    assertThat(events.segments).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(BASE));
  }

  @Test
  void aViewerWhoseEdgeDiesGoesBackToTheRouterAndContinuesOnAnotherEdge() {
    String other = "http://edge2.test/live/s/";
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    fetcher.on(
        other,
        url ->
            url.endsWith(".m3u8")
                ? Answer.ok(live.playlist("index"), 10)
                : Answer.bytes(500_000, 100));
    boolean[] firstEdgeDead = {false};
    fetcher.on(
        "http://router.test/",
        url ->
            Answer.ok(live.playlist("index"), 10)
                .redirectedTo((firstEdgeDead[0] ? other : BASE) + "index.m3u8"));
    player("http://router.test/live/s/index.m3u8", PlayerConfig.defaults()).start();
    clock.advanceTo(clock.nowMillis() + 10_000);
    int before = events.segments.size();
    firstEdgeDead[0] = true;
    fetcher.on(BASE, url -> Answer.status(0, 1)); // connection refused from now on

    clock.advanceTo(clock.nowMillis() + 20_000);

    assertThat(fetcher.count("http://router.test/")).isEqualTo(2);
    assertThat(events.moves).containsExactly("edge.test->edge2.test");
    assertThat(events.segments.subList(before, events.segments.size()))
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u).startsWith(other));
    assertThat(events.ended).isEmpty();
  }

  @Test
  void stopCancelsEverythingAndReportsEnded() {
    LiveHls live = new LiveHls(clock, 10, 6, false);
    serve(live, 500_000, 100);
    Player p = player(BASE + "index.m3u8", PlayerConfig.defaults());
    p.start();
    clock.advanceTo(5050);
    p.stop();
    int requests = fetcher.requests.size();
    clock.advanceTo(60_000);
    assertThat(events.ended).containsExactly(false);
    assertThat(fetcher.requests).hasSize(requests);
    assertThat(clock.pending()).isZero();
    assertThat(p.isEnded()).isTrue();
  }

  @Test
  void contentSteeringMovesToTheNextPathwayWhenAnEdgeFails() {
    String a = "http://edge-a.test/live/s/";
    String b = "http://edge-b.test/live/s/";
    String master =
        "#EXTM3U\n"
            + "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steer/s.json\",PATHWAY-ID=\"a\"\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=800000,PATHWAY-ID=\"a\"\n"
            + a
            + "index.m3u8\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=800000,PATHWAY-ID=\"b\"\n"
            + b
            + "index.m3u8\n";
    LiveHls live = new LiveHls(clock, 10, 6, false);
    boolean[] aDown = {false};
    fetcher.on("http://router.test/live/s/master.m3u8", url -> Answer.ok(master, 10));
    fetcher.on(
        "http://router.test/steer/",
        url -> Answer.ok("{\"VERSION\":1,\"TTL\":10,\"PATHWAY-PRIORITY\":[\"a\",\"b\"]}", 5));
    fetcher.on(
        a,
        url ->
            aDown[0]
                ? Answer.status(0, 5)
                : url.endsWith(".m3u8")
                    ? Answer.ok(live.playlist("index"), 10)
                    : Answer.bytes(500_000, 100));
    fetcher.on(
        b,
        url ->
            url.endsWith(".m3u8")
                ? Answer.ok(live.playlist("index"), 10)
                : Answer.bytes(500_000, 100));
    Player p = player("http://router.test/live/s/master.m3u8", PlayerConfig.defaults());
    p.start();

    clock.advanceTo(9_000);
    assertThat(p.currentPathway()).contains("a");
    assertThat(events.segments).allSatisfy(u -> assertThat(u).startsWith(a));
    aDown[0] = true;
    clock.advanceTo(30_000);

    assertThat(events.moves).containsExactly("a->b");
    assertThat(p.currentPathway()).contains("b");
    assertThat(events.segments.get(events.segments.size() - 1)).startsWith(b);
    assertThat(events.ended).isEmpty();
    assertThat(events.stallsStarted).isZero();
    // the steering JSON is re-read every TTL, naming the current pathway; a stays penalised
    assertThat(fetcher.urls())
        .contains("http://router.test/steer/s.json?_HLS_pathway=a")
        .anyMatch(
            u -> u.startsWith("http://router.test/steer/s.json?_HLS_pathway=b&_HLS_throughput="));
  }

  @Test
  void steeringPriorityChoosesThePathway() {
    String master =
        "#EXTM3U\n"
            + "#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://router.test/steer.json\"\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=800000,PATHWAY-ID=\"a\"\n"
            + "http://edge-a.test/index.m3u8\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=800000,PATHWAY-ID=\"b\"\n"
            + "http://edge-b.test/index.m3u8\n";
    LiveHls live = new LiveHls(clock, 10, 6, false);
    fetcher.on("http://router.test/master.m3u8", url -> Answer.ok(master, 10));
    fetcher.on(
        "http://router.test/steer.json",
        url -> Answer.ok("{\"VERSION\":1,\"TTL\":5,\"PATHWAY-PRIORITY\":[\"b\",\"a\"]}", 5));
    for (String edge : List.of("http://edge-a.test/", "http://edge-b.test/")) {
      fetcher.on(
          edge,
          url ->
              url.endsWith(".m3u8")
                  ? Answer.ok(live.playlist("index"), 10)
                  : Answer.bytes(500_000, 100));
    }
    Player p = player("http://router.test/master.m3u8", PlayerConfig.defaults());
    p.start();
    clock.advanceTo(10_000);
    assertThat(events.moves).containsExactly("a->b");
    assertThat(events.segments.get(events.segments.size() - 1)).startsWith("http://edge-b.test/");
  }
}
