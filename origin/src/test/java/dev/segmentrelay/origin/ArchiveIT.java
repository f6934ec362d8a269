package dev.segmentrelay.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.dash.XsDuration;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.testing.DashManifest;
import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.S3ProxyPeer;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.origin.archive.ArchiveConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The origin archive against a real S3 API server (S3Proxy) and a real ffmpeg transcoder with 1 s
 * segments: replay of an ended stream from S3 by a real ffmpeg player, DVR requests for segments
 * memory dropped served byte-identical from S3, an origin restarted mid-stream continuing from S3
 * without reusing a name, and S3 killed mid-run without a viewer noticing.
 */
class ArchiveIT {
  private static final Pattern TIME = Pattern.compile("time=(\\d+):(\\d+):(\\d+(?:\\.\\d+)?)");

  /** Memory keeps 5 segments a rendition, playlists name 3 live, DVR reaches back 5 minutes. */
  private static OriginConfig config(String sourceUrl, S3ProxyPeer s3) {
    OriginConfig d = OriginConfig.defaults(List.of(), List.of());
    return new OriginConfig(
            "127.0.0.1",
            0,
            0,
            List.of(OriginHarness.pull("room", sourceUrl)),
            List.of(),
            3,
            5,
            d.storeMaxBytes(),
            d.maxObjectBytes(),
            d.fetchTimeout(),
            d.stalledAfter(),
            Optional.of(Duration.ofMillis(300)),
            Optional.empty())
        .withArchive(
            new ArchiveConfig(
                s3.settings(),
                true,
                Duration.ofMinutes(5),
                S3Store.Options.defaults()
                    .withProbeBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))));
  }

  /**
   * S3Proxy, an ffmpeg transcoder writing 1 s segments to {@code work/src}, and an HTTP server in
   * front of it: what every case here starts from. Closed in reverse order.
   */
  private record Rig(
      Path work, S3ProxyPeer s3, FfmpegLive live, StaticHttpServer source, String entry)
      implements AutoCloseable {
    static Rig start(String name, FfmpegLive.Output output) {
      Path work = ItWorkDirs.freshDirectory(ArchiveIT.class).resolve(name);
      String entry = output == FfmpegLive.Output.DASH ? "src/index.mpd" : "src/index.m3u8";
      S3ProxyPeer s3 = S3ProxyPeer.start(work.resolve("s3"));
      FfmpegLive live = null;
      StaticHttpServer source = null;
      try {
        live =
            FfmpegLive.toDirectory(output, work.resolve("src"))
                .segmentSeconds(1)
                .listSize(4)
                .start();
        source = StaticHttpServer.start(work);
        ItWorkDirs.awaitFile(work.resolve(entry), live);
        return new Rig(work, s3, live, source, entry);
      } catch (RuntimeException e) {
        if (source != null) {
          source.close();
        }
        if (live != null) {
          live.close();
        }
        s3.close();
        throw e;
      }
    }

    /** The origin of {@link ArchiveIT#config} pulling this rig's transcoder. */
    OriginConfig config() {
      return ArchiveIT.config(source.url(entry), s3);
    }

    @Override
    public void close() {
      source.close();
      live.close();
      s3.close();
    }
  }

  @Test
  @Timeout(120)
  void endedStreamReplaysFromTheArchiveAndDvrServesEvictedSegmentsByteIdentical() throws Exception {
    try (Rig rig = Rig.start("replay", FfmpegLive.Output.HLS_TS)) {
      Path work = rig.work();
      FfmpegLive live = rig.live();
      try (OriginHarness origin = OriginHarness.start(rig.config())) {
        HlsPlaylistView first =
            origin.awaitSegments("room", "index.m3u8", 1, Duration.ofSeconds(20));
        String firstUri = first.segments().get(0).uri();
        HttpTestClient.Response fromMemory = origin.http().get(origin.liveUrl("room", firstUri));
        assertThat(fromMemory.status())
            .as("first segment from memory: %s", fromMemory)
            .isEqualTo(200);
        assertThat(fromMemory.header("X-Relay-Served-From")).isNull();

        HlsPlaylistView dvr =
            origin.awaitSegments("room", "index.m3u8", 10, Duration.ofSeconds(30));
        assertThat(dvr.segments().get(0).uri())
            .as("the DVR window still starts at the first segment")
            .isEqualTo(firstUri);
        HttpTestClient.Response fromS3 = origin.http().get(origin.liveUrl("room", firstUri));
        assertThat(fromS3.status()).as("evicted segment through DVR: %s", fromS3).isEqualTo(200);
        assertThat(fromS3.header("X-Relay-Served-From"))
            .as("memory holds 5 segments: this one came from S3")
            .isEqualTo("archive");
        assertThat(fromS3.sha256()).as("byte-identical").isEqualTo(fromMemory.sha256());

        HlsPlaylistView vod = endAndAwaitVod(rig, origin);
        assertThat(vod.endList()).isTrue();
        assertThat(vod.mediaSequence()).isZero();
        assertThat(vod.segments().get(0).uri()).isEqualTo(firstUri);
        double expected =
            vod.segments().stream().mapToDouble(HlsPlaylistView.Segment::duration).sum();

        double played =
            play(origin.liveUrl("room", "index.m3u8"), work.resolve("vod-player.stderr"));
        assertThat(played)
            .as("played the whole replay (%s s in the playlist)", expected)
            .isBetween(expected - 1.5, expected + 1.5);
      }
    }
  }

  @Test
  @Timeout(120)
  void endedDashStreamReplaysFromTheArchiveAsAStaticMpd() throws Exception {
    try (Rig rig = Rig.start("dash-replay", FfmpegLive.Output.DASH)) {
      Path work = rig.work();
      FfmpegLive live = rig.live();
      try (OriginHarness origin = OriginHarness.startWithDash(rig.config())) {
        origin.awaitReady(Duration.ofSeconds(30));
        DashManifest first =
            origin.awaitDashSegments("room", "index.mpd", 1, Duration.ofSeconds(30));
        URI firstVideo = first.periods().get(0).representations().get(0).media().get(0);
        String firstName =
            firstVideo.getPath().substring(firstVideo.getPath().lastIndexOf('/') + 1);
        HttpTestClient.Response fromMemory = origin.http().get(firstVideo.toString());
        assertThat(fromMemory.status())
            .as("first segment from memory: %s", fromMemory)
            .isEqualTo(200);
        Waits.until(
            "memory (5 segments a representation) to drop the first segment",
            Duration.ofSeconds(40),
            () -> {
              DashManifest m = origin.manifest("room", "index.mpd");
              List<URI> media = m.periods().get(0).representations().get(0).media();
              return !media.isEmpty()
                  && newestNumber(media) >= newestNumber(List.of(firstVideo)) + 8;
            });

        live.stop();
        origin.awaitState("room", "ended", Duration.ofSeconds(20));
        String mpd =
            Waits.value(
                "the replay MPD from the first segment",
                Duration.ofSeconds(20),
                () -> {
                  HttpTestClient.Response r =
                      origin.http().get(origin.liveUrl("room", "index.mpd"));
                  DashManifest m =
                      DashManifest.parse(r.text(), URI.create(origin.liveUrl("room", "index.mpd")));
                  return m.type().equals("static")
                          && m.periods()
                              .get(0)
                              .representations()
                              .get(0)
                              .media()
                              .contains(firstVideo)
                      ? Optional.of(r.text())
                      : Optional.empty();
                });
        HttpTestClient.Response fromS3 = origin.http().get(firstVideo.toString());
        assertThat(fromS3.status()).as("%s from the replay: %s", firstName, fromS3).isEqualTo(200);
        assertThat(fromS3.header("X-Relay-Served-From"))
            .as("memory holds 5 segments: this one came from S3")
            .isEqualTo("archive");
        assertThat(fromS3.sha256()).as("byte-identical").isEqualTo(fromMemory.sha256());
        Matcher d = Pattern.compile("mediaPresentationDuration=\"([^\"]+)\"").matcher(mpd);
        assertThat(d.find()).as("static MPD has a duration: %s", mpd).isTrue();
        double expected = XsDuration.parse(d.group(1)).toMillis() / 1000.0;

        double played =
            play(origin.liveUrl("room", "index.mpd"), work.resolve("dash-player.stderr"));
        assertThat(played)
            .as("played the whole replay (%s s in the MPD)", expected)
            .isBetween(expected - 1.5, expected + 1.5);
      }
    }
  }

  @Test
  @Timeout(120)
  void restartedOriginContinuesADashStreamFromS3InANewPeriodWithoutReusingAName() throws Exception {
    try (Rig rig = Rig.start("dash-restart", FfmpegLive.Output.DASH)) {
      OriginConfig config = rig.config();

      DashManifest before;
      try (OriginHarness origin = OriginHarness.startWithDash(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        before = origin.awaitDashSegments("room", "index.mpd", 4, Duration.ofSeconds(30));
        // Let the archive confirm them (and the state object follow).
        Waits.until(
            "the archive to confirm the segments named",
            Duration.ofSeconds(20),
            () -> okWrites(origin) >= before.allMedia().size() + 2);
      }
      Set<String> namesBefore = paths(before.allMedia());
      String epochBefore = before.periods().get(before.periods().size() - 1).id();

      try (OriginHarness origin = OriginHarness.startWithDash(config)) {
        String mpdUrl = origin.liveUrl("room", "index.mpd");
        DashManifest after =
            Waits.value(
                "a Period published by the restarted origin",
                Duration.ofSeconds(30),
                () -> {
                  HttpTestClient.Response r = origin.http().get(mpdUrl);
                  if (r.status() != 200) {
                    return Optional.empty();
                  }
                  DashManifest m = DashManifest.parse(r.text(), URI.create(mpdUrl));
                  DashManifest.Period newest = m.periods().get(m.periods().size() - 1);
                  return !newest.id().equals(epochBefore)
                          && !newest.representations().isEmpty()
                          && newest.representations().stream().allMatch(x -> !x.media().isEmpty())
                      ? Optional.of(m)
                      : Optional.empty();
                });
        assertThat(after.type()).isEqualTo("dynamic");
        assertThat(paths(after.allMedia()))
            .as("the DVR window keeps the segments before the restart")
            .containsAll(namesBefore);
        assertThat(after.periods())
            .extracting(DashManifest.Period::id)
            .as("a new Period for the new epoch")
            .contains(epochBefore)
            .doesNotHaveDuplicates();
        DashManifest.Period fresh = after.periods().get(after.periods().size() - 1);
        for (DashManifest.Representation r : fresh.representations()) {
          assertThat(paths(r.media())).doesNotContainAnyElementsOf(namesBefore);
        }
        URI oldest = before.periods().get(0).representations().get(0).media().get(0);
        HttpTestClient.Response archived =
            origin
                .http()
                .get(origin.liveUrl("room", oldest.getPath().substring("/live/room/".length())));
        assertThat(archived.status()).as("pre-restart segment: %s", archived).isEqualTo(200);
        assertThat(archived.header("X-Relay-Served-From")).isEqualTo("archive");
      }
    }
  }

  /** Ends the transcoder's stream and waits for the origin's VOD playlist of it. */
  private static HlsPlaylistView endAndAwaitVod(Rig rig, OriginHarness origin) {
    rig.live().stop();
    origin.awaitState("room", "ended", Duration.ofSeconds(20));
    return Waits.value(
        "the VOD playlist",
        Duration.ofSeconds(20),
        () -> {
          HlsPlaylistView p = origin.playlist("room", "index.m3u8");
          return p.text().contains("#EXT-X-PLAYLIST-TYPE:VOD") ? Optional.of(p) : Optional.empty();
        });
  }

  /** The paths of {@code uris}: the two origin runs listen on different ports. */
  private static Set<String> paths(List<URI> uris) {
    return uris.stream().map(URI::getPath).collect(Collectors.toSet());
  }

  private static long newestNumber(List<URI> media) {
    String path = media.get(media.size() - 1).getPath();
    Matcher m = Pattern.compile("(\\d+)\\.m4s$").matcher(path);
    assertThat(m.find()).as("numbered segment name %s", path).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** Plays {@code url} to the end with {@code ffmpeg -f null}; returns the seconds played. */
  private static double play(String url, Path log) throws Exception {
    Process player =
        new ProcessBuilder("ffmpeg", "-hide_banner", "-nostdin", "-i", url, "-f", "null", "-")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(log.toFile())
            .start();
    try {
      assertThat(player.waitFor(60, TimeUnit.SECONDS)).as("player finished").isTrue();
    } finally {
      player.destroyForcibly();
    }
    String stderr = Files.readString(log);
    assertThat(player.exitValue()).as("ffmpeg exit code; %s", stderr).isZero();
    // Not a bare "404": the player's log names the origin's random port, which may contain it.
    assertThat(stderr).doesNotContain("404 Not Found");
    Matcher m = TIME.matcher(stderr);
    double played = -1;
    while (m.find()) {
      played =
          Integer.parseInt(m.group(1)) * 3600
              + Integer.parseInt(m.group(2)) * 60
              + Double.parseDouble(m.group(3));
    }
    return played;
  }

  @Test
  @Timeout(150)
  void aStreamWhoseOriginRestartedMidwayReplaysStartToEndAcrossTheRestart() throws Exception {
    try (Rig rig = Rig.start("replay-across-restart", FfmpegLive.Output.HLS_TS)) {
      Path work = rig.work();
      FfmpegLive live = rig.live();
      OriginConfig config = rig.config();

      HlsPlaylistView before;
      try (OriginHarness origin = OriginHarness.start(config)) {
        before = origin.awaitSegments("room", "index.m3u8", 4, Duration.ofSeconds(20));
      }
      String firstUri = before.segments().get(0).uri();
      long lastBefore = before.lastMsn();

      try (OriginHarness origin = OriginHarness.start(config)) {
        Waits.until(
            "segments published by the restarted origin",
            Duration.ofSeconds(20),
            () -> origin.playlist("room", "index.m3u8").lastMsn() >= lastBefore + 4);
        HlsPlaylistView vod = endAndAwaitVod(rig, origin);
        assertThat(vod.segments().get(0).uri())
            .as("the replay starts at the first origin run's first segment")
            .isEqualTo(firstUri);
        assertThat(vod.segments())
            .as("the restart is one discontinuity, at the first segment after it")
            .filteredOn(HlsPlaylistView.Segment::discontinuity)
            .extracting(HlsPlaylistView.Segment::msn)
            .containsExactly(lastBefore + 1);
        assertThat(vod.segments())
            .extracting(HlsPlaylistView.Segment::msn)
            .as("one media sequence across both runs, no gap, no repeat")
            .isEqualTo(
                java.util.stream.LongStream.range(0, vod.segments().size()).boxed().toList());
        double expected =
            vod.segments().stream().mapToDouble(HlsPlaylistView.Segment::duration).sum();
        double played =
            play(origin.liveUrl("room", "index.m3u8"), work.resolve("replay-player.stderr"));
        // Media the transcoder made while no origin ran is not in the replay, but its timestamps
        // still advance across the restart: allow that gap above the playlist's sum.
        assertThat(played)
            .as("played the whole replay through the restart (%s s in the playlist)", expected)
            .isBetween(expected - 1.5, expected + 6);
      }
    }
  }

  /**
   * The DASH replay of a stream whose origin restarted midway is a static MPD with a Period per
   * origin run. ffmpeg's DASH reader plays one Period only, so each Period is checked on its own:
   * every init and media segment it lists is served, and each representation's init followed by its
   * segments decodes to the Period's length.
   */
  @Test
  @Timeout(150)
  void aDashStreamWhoseOriginRestartedMidwayReplaysEveryPeriodFromTheArchive() throws Exception {
    try (Rig rig = Rig.start("dash-replay-across-restart", FfmpegLive.Output.DASH)) {
      Path work = rig.work();
      FfmpegLive live = rig.live();
      OriginConfig config = rig.config();

      DashManifest before;
      try (OriginHarness origin = OriginHarness.startWithDash(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        before = origin.awaitDashSegments("room", "index.mpd", 4, Duration.ofSeconds(30));
        Waits.until(
            "the archive to confirm the segments named",
            Duration.ofSeconds(20),
            () -> okWrites(origin) >= before.allMedia().size() + 2);
      }
      URI firstBefore = before.periods().get(0).representations().get(0).media().get(0);

      try (OriginHarness origin = OriginHarness.startWithDash(config)) {
        String mpdUrl = origin.liveUrl("room", "index.mpd");
        Waits.until(
            "segments in a Period of the restarted origin",
            Duration.ofSeconds(30),
            () -> {
              DashManifest m = origin.manifest("room", "index.mpd");
              return m.periods().size() >= 2
                  && m.periods().get(m.periods().size() - 1).representations().stream()
                      .allMatch(r -> r.media().size() >= 3);
            });
        live.stop();
        origin.awaitState("room", "ended", Duration.ofSeconds(20));
        DashManifest replay =
            Waits.value(
                "the static replay MPD",
                Duration.ofSeconds(20),
                () -> {
                  HttpTestClient.Response r = origin.http().get(mpdUrl);
                  DashManifest m = DashManifest.parse(r.text(), URI.create(mpdUrl));
                  return m.type().equals("static") ? Optional.of(m) : Optional.empty();
                });
        assertThat(replay.periods()).as("a Period per origin run").hasSizeGreaterThanOrEqualTo(2);
        assertThat(paths(replay.periods().get(0).representations().get(0).media()))
            .as("the replay starts at the first run's first segment")
            .contains(firstBefore.getPath());
        assertThat(replay.allMedia()).extracting(URI::getPath).doesNotHaveDuplicates();

        int checked = 0;
        for (DashManifest.Period period : replay.periods()) {
          for (DashManifest.Representation r : period.representations()) {
            Path joined = work.resolve("period-" + period.id() + "-" + r.id() + ".mp4");
            try (var out = Files.newOutputStream(joined)) {
              List<URI> parts = new java.util.ArrayList<>();
              r.init().ifPresent(parts::add);
              parts.addAll(r.media());
              for (URI part : parts) {
                HttpTestClient.Response got = origin.http().get(part.toString());
                assertThat(got.status()).as("%s in the replay: %s", part, got).isEqualTo(200);
                out.write(got.body());
              }
            }
            double played = play(joined.toString(), work.resolve(joined.getFileName() + ".log"));
            assertThat(played)
                .as(
                    "Period %s, %s: %s segments of 1 s decode",
                    period.id(), r.id(), r.media().size())
                .isBetween(r.media().size() - 1.5, r.media().size() + 1.5);
            checked++;
          }
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
      }
    }
  }

  @Test
  @Timeout(120)
  void restartedOriginContinuesFromS3AndAnS3OutageDoesNotReachViewers() throws Exception {
    try (Rig rig = Rig.start("restart", FfmpegLive.Output.HLS_TS)) {
      Path work = rig.work();
      S3ProxyPeer s3 = rig.s3();
      OriginConfig config = rig.config();

      HlsPlaylistView before;
      try (OriginHarness origin = OriginHarness.start(config)) {
        before = origin.awaitSegments("room", "index.m3u8", 4, Duration.ofSeconds(20));
      }
      Set<String> namesBefore =
          before.segments().stream().map(HlsPlaylistView.Segment::uri).collect(Collectors.toSet());
      long lastBefore = before.lastMsn();

      try (OriginHarness origin = OriginHarness.start(config)) {
        HlsPlaylistView after =
            Waits.value(
                "a segment published by the restarted origin",
                Duration.ofSeconds(20),
                () -> {
                  HttpTestClient.Response r =
                      origin.http().get(origin.liveUrl("room", "index.m3u8"));
                  if (r.status() != 200) {
                    return Optional.empty();
                  }
                  HlsPlaylistView p = HlsPlaylistView.parse(r.text());
                  return p.lastMsn() > lastBefore ? Optional.of(p) : Optional.empty();
                });
        Set<String> namesAfter = new HashSet<>();
        after.segments().forEach(s -> namesAfter.add(s.uri()));
        assertThat(namesAfter)
            .as("the DVR window keeps the segments before the restart")
            .containsAll(namesBefore);
        List<HlsPlaylistView.Segment> fresh =
            after.segments().stream().filter(s -> s.msn() > lastBefore).toList();
        assertThat(fresh.get(0).msn()).as("media sequence continues").isEqualTo(lastBefore + 1);
        assertThat(fresh.get(0).discontinuity()).as("restart marked").isTrue();
        assertThat(fresh)
            .extracting(HlsPlaylistView.Segment::uri)
            .doesNotContainAnyElementsOf(namesBefore);
        String oldest = before.segments().get(0).uri();
        HttpTestClient.Response archived = origin.http().get(origin.liveUrl("room", oldest));
        assertThat(archived.status()).as("pre-restart segment: %s", archived).isEqualTo(200);
        assertThat(archived.header("X-Relay-Served-From")).isEqualTo("archive");

        // S3 dies while a viewer plays.
        try (FfmpegPlayer.Playing player =
            FfmpegPlayer.start(origin.liveUrl("room", "index.m3u8"), 12, work.resolve("players"))) {
          Waits.sleep(Duration.ofSeconds(2));
          s3.kill();
          Waits.until(
              "archive to notice S3 is down",
              Duration.ofSeconds(20),
              () -> origin.metric("relay_s3_up") == 0);
          long msnWhileDown = origin.playlist("room", "index.m3u8").lastMsn();
          Waits.until(
              "live ingest to go on without S3",
              Duration.ofSeconds(10),
              () -> origin.playlist("room", "index.m3u8").lastMsn() >= msnWhileDown + 2);
          FfmpegPlayer.Result result = player.await();
          assertThat(result.clean()).as("viewer during the outage: %s", result).isTrue();
        }
        double okBefore = okWrites(origin);
        s3.restart();
        Waits.until(
            "archive writes to resume after S3 is back",
            Duration.ofSeconds(20),
            () -> origin.metric("relay_s3_up") == 1 && okWrites(origin) > okBefore + 2);
      }
    }
  }

  private static double okWrites(OriginHarness origin) {
    String text = origin.http().get("http://127.0.0.1:" + origin.adminPort() + "/metrics").text();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("relay_origin_archive_writes_total{") && line.contains("result=\"ok\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
