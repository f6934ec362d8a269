package dev.segmentrelay.loadtest.player;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.ScriptedFetcher.Answer;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PlayerDashTest {
  static final String BASE = "http://edge.test/live/s/";

  static String fixture(String name) {
    try {
      return Files.readString(
          Path.of("../common/src/test/resources/fixtures/dash", name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long epochMillis(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  FakeScheduler clock;
  ScriptedFetcher fetcher;
  final RecordingEvents events = new RecordingEvents();

  void clockAt(long wallAtZero) {
    clock = new FakeScheduler(wallAtZero);
    fetcher = new ScriptedFetcher(clock);
  }

  Player player(String url, PlayerConfig config) {
    return new Player(url, config, clock, fetcher, events, ManifestParser.direct());
  }

  @Test
  void numberTemplateComputesAvailabilityFromTheClockWithoutReloadingTheMpd() {
    // 20 s after availabilityStartTime: segments 1..10 have ended; the MPD asks for no reload
    // for 500 s.
    clockAt(epochMillis("2026-11-21T12:49:05.582Z") + 20_000);
    String mpd = fixture("ffmpeg-number-live.mpd");
    fetcher.on(BASE + "manifest.mpd", url -> Answer.ok(mpd, 10));
    fetcher.on(BASE, url -> Answer.bytes(400_000, 100));
    player(BASE + "manifest.mpd", PlayerConfig.defaults()).start();

    clock.advanceTo(30_000);

    assertThat(events.requests.get(0).kind()).isEqualTo(RequestKind.MPD);
    assertThat(fetcher.count(BASE + "manifest.mpd")).isEqualTo(1);
    // suggestedPresentationDelay 2 s: start at the newest segment (number 10), video only
    assertThat(fetcher.urls().get(1)).isEqualTo(BASE + "init-stream0.m4s");
    assertThat(events.segments.get(0)).isEqualTo(BASE + "chunk-stream0-00010.m4s");
    assertThat(events.segments.get(1)).isEqualTo(BASE + "chunk-stream0-00011.m4s");
    assertThat(fetcher.count(BASE + "init-stream0.m4s")).isEqualTo(1);
    // MPD 10 ms + init 100 ms + segment 100 ms
    assertThat(events.started).containsExactly(210.0);
    // segment 11 is available at 2000 ms (its end), fetched at once: one per 2 s after that
    assertThat(fetcher.timesOf(BASE + "chunk-stream0-00011")).containsExactly(2000L);
    assertThat(events.segments).hasSize(15);
    assertThat(events.stallsStarted).isZero();
    assertThat(events.segmentBandwidths).containsOnly(1_742_908);
  }

  /** The timeline fixture, sliding: 5 segments of 2 s, the newest ending {@code t} ms after 0. */
  static String timeline(long newestSegmentIndex) {
    long first = newestSegmentIndex - 4;
    return fixture("ffmpeg-timeline-live.mpd")
        .replaceFirst("startNumber=\"2\"", "startNumber=\"" + (1 + first) + "\"")
        .replace(
            "<S t=\"25600\" d=\"25600\" r=\"4\" />",
            "<S t=\"" + first * 25600 + "\" d=\"25600\" r=\"4\" />");
  }

  @Test
  void segmentTimelineMpdIsReloadedEveryMinimumUpdatePeriod() {
    clockAt(epochMillis("2026-11-21T12:51:02.060Z") + 12_000);
    long[] frozen = {-1};
    fetcher.on(
        BASE + "manifest.mpd",
        url -> {
          long t = frozen[0] >= 0 ? frozen[0] : clock.nowMillis();
          return Answer.ok(timeline(5 + t / 2000), 10);
        });
    fetcher.on(BASE, url -> Answer.bytes(400_000, 100));
    PlayerConfig config =
        new PlayerConfig(OptionalInt.empty(), 0, 0.8, 2, 2, 30, 3, 3, 3, 2, 5, 500, 4000, 300_000);
    player(BASE + "manifest.mpd", config).start();

    clock.advanceTo(10_500);
    // minimumUpdatePeriod PT2S, measured from the start of each load
    assertThat(fetcher.timesOf(BASE + "manifest.mpd"))
        .containsExactly(0L, 2000L, 4000L, 6000L, 8000L, 10_000L);
    // newest of the first MPD is segment index 5 = number 6; new ones come with each reload
    assertThat(events.segments.get(0)).isEqualTo(BASE + "chunk-stream0-00006.m4s");
    assertThat(events.segments)
        .contains(BASE + "chunk-stream0-00007.m4s", BASE + "chunk-stream0-00010.m4s");
    assertThat(events.stallsStarted).isZero();

    frozen[0] = clock.nowMillis();
    clock.advanceTo(60_000);
    // unchanged reloads: 3 in a row make each further one a STALE_PLAYLIST error; 5 failures in a
    // row end the viewer
    assertThat(events.errors(ErrorKind.STALE_PLAYLIST)).hasSize(5);
    assertThat(events.ended).containsExactly(true);
    assertThat(events.stallsStarted).isEqualTo(1);
  }

  @Test
  void staticNumberMpdPlaysToTheEnd() {
    clockAt(epochMillis("2026-11-21T13:00:00Z"));
    fetcher.on(BASE + "manifest.mpd", url -> Answer.ok(fixture("ffmpeg-number-ended.mpd"), 10));
    fetcher.on(BASE, url -> Answer.bytes(100_000, 50));
    player(BASE + "manifest.mpd", PlayerConfig.defaults()).start();

    clock.advanceTo(120_000);

    assertThat(events.segments).hasSize(9);
    assertThat(events.segments.get(0)).isEqualTo(BASE + "chunk-stream0-00001.m4s");
    assertThat(events.played).isCloseTo(16.9, offset(1e-6));
    assertThat(events.ended).containsExactly(false);
    assertThat(fetcher.count(BASE + "manifest.mpd")).isEqualTo(1);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void staticTimelineMpdPlaysToTheEnd() {
    clockAt(epochMillis("2026-11-21T13:00:00Z"));
    fetcher.on(BASE + "manifest.mpd", url -> Answer.ok(fixture("ffmpeg-timeline-ended.mpd"), 10));
    fetcher.on(BASE, url -> Answer.bytes(100_000, 50));
    player(BASE + "manifest.mpd", PlayerConfig.defaults()).start();

    clock.advanceTo(120_000);

    assertThat(events.segments).hasSize(5);
    assertThat(events.segments.get(0)).isEqualTo(BASE + "chunk-stream0-00005.m4s");
    assertThat(events.played).isCloseTo(8.6, offset(1e-6));
    assertThat(events.ended).containsExactly(false);
  }

  @Test
  void abrSwitchesBetweenRepresentationsByPresentationTime() {
    clockAt(epochMillis("2026-11-21T12:55:59.248Z") + 14_000);
    String mpd = fixture("ffmpeg-abr-live.mpd");
    fetcher.on(BASE + "manifest.mpd", url -> Answer.ok(mpd, 10));
    fetcher.on(BASE, url -> Answer.bytes(1_000_000, 100)); // 80 Mbit/s
    Player p = player(BASE + "manifest.mpd", PlayerConfig.defaults());
    p.start();
    clock.advanceTo(10_000);
    // lowest first (300k: t 8-10 s), then 800k from t = 10 s on
    assertThat(events.switches).containsExactly("300000->800000");
    assertThat(p.currentBandwidth()).isEqualTo(800_000);
    assertThat(events.segments.get(0)).isEqualTo(BASE + "chunk-stream1-00005.m4s");
    assertThat(events.segments.get(1)).isEqualTo(BASE + "chunk-stream0-00006.m4s");
  }

  @Test
  void contentSteeringMovesToTheNextServiceLocationWhenAnEdgeFails() {
    clockAt(epochMillis("2026-11-21T12:49:05.582Z") + 20_000);
    String a = "http://edge-a.test/live/s/";
    String b = "http://edge-b.test/live/s/";
    String mpd =
        fixture("ffmpeg-number-live.mpd")
            .replace(
                "</ProgramInformation>",
                "</ProgramInformation>\n<BaseURL serviceLocation=\"a\">"
                    + a
                    + "</BaseURL>\n<BaseURL serviceLocation=\"b\">"
                    + b
                    + "</BaseURL>\n<ContentSteering defaultServiceLocation=\"a\""
                    + " queryBeforeStart=\"false\">/steer/s.json</ContentSteering>");
    boolean[] aDown = {false};
    fetcher.on("http://router.test/live/s/manifest.mpd", url -> Answer.ok(mpd, 10));
    fetcher.on(
        "http://router.test/steer/",
        url ->
            Answer.ok("{\"VERSION\":1,\"TTL\":10,\"SERVICE-LOCATION-PRIORITY\":[\"a\",\"b\"]}", 5));
    fetcher.on(a, url -> aDown[0] ? Answer.status(503, 5) : Answer.bytes(400_000, 100));
    fetcher.on(b, url -> Answer.bytes(400_000, 100));
    Player p = player("http://router.test/live/s/manifest.mpd", PlayerConfig.defaults());
    p.start();

    clock.advanceTo(5_000);
    assertThat(events.segments).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(a));
    aDown[0] = true;
    clock.advanceTo(20_000);

    assertThat(events.moves).containsExactly("a->b");
    assertThat(p.currentPathway()).contains("b");
    assertThat(events.segments.get(events.segments.size() - 1)).startsWith(b);
    // a new pathway needs its own init segment
    assertThat(fetcher.count(b + "init-stream0.m4s")).isEqualTo(1);
    assertThat(events.stallsStarted).isZero();
    assertThat(fetcher.urls()).contains("http://router.test/steer/s.json?_DASH_pathway=a");
  }
}
