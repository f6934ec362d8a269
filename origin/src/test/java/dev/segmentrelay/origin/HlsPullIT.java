package dev.segmentrelay.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HLS pull from real ffmpeg transcoders served over real HTTP: MPEG-TS, fMP4 and a two-rendition
 * ladder with a master playlist, all three through one origin at once (as an event with three rooms
 * would run). Each is played through the origin by a real ffmpeg player for 20 s without an error,
 * and the segments (and the fMP4 init segment) the origin publishes are byte-identical to the
 * transcoder's files.
 */
class HlsPullIT {
  private static final int PLAY_SECONDS = 20;

  @Test
  @Timeout(180)
  void tsFmp4AndTwoRenditionStreamsPlayCleanlyWithTheTranscodersBytes() throws Exception {
    Path work = ItWorkDirs.freshDirectory(HlsPullIT.class);
    try (FfmpegLive ts =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, work.resolve("ts")).start();
        FfmpegLive fmp4 =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_FMP4, work.resolve("fmp4")).start();
        FfmpegLive abr =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_ABR, work.resolve("abr")).start();
        StaticHttpServer source = StaticHttpServer.start(work)) {
      ItWorkDirs.awaitFile(work.resolve("ts/index.m3u8"), ts);
      ItWorkDirs.awaitFile(work.resolve("fmp4/index.m3u8"), fmp4);
      ItWorkDirs.awaitFile(work.resolve("abr/master.m3u8"), abr);

      OriginConfig config =
          OriginHarness.testConfig(
              List.of(
                  OriginHarness.pull("ts", source.url("ts/index.m3u8")),
                  OriginHarness.pull("fmp4", source.url("fmp4/index.m3u8")),
                  OriginHarness.pull("abr", source.url("abr/master.m3u8"))),
              List.of(),
              Optional.of(Duration.ofMillis(500)));
      try (OriginHarness origin = OriginHarness.start(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        origin.awaitSegments("ts", "index.m3u8", 3, Duration.ofSeconds(30));
        origin.awaitSegments("fmp4", "index.m3u8", 3, Duration.ofSeconds(30));
        origin.awaitSegments("abr", "stream_0/index.m3u8", 3, Duration.ofSeconds(30));
        origin.awaitSegments("abr", "stream_1/index.m3u8", 3, Duration.ofSeconds(30));

        HlsPlaylistView master = origin.playlist("abr", "master.m3u8");
        assertThat(master.master()).as("abr master.m3u8 is a master playlist").isTrue();
        assertThat(master.variants())
            .as("renditions laid out as in the source")
            .containsExactly("stream_0/index.m3u8", "stream_1/index.m3u8");

        Path logs = work.resolve("players");
        List<FfmpegPlayer.Playing> players = new ArrayList<>();
        try {
          players.add(FfmpegPlayer.start(origin.liveUrl("ts", "index.m3u8"), PLAY_SECONDS, logs));
          players.add(FfmpegPlayer.start(origin.liveUrl("fmp4", "index.m3u8"), PLAY_SECONDS, logs));
          players.add(FfmpegPlayer.start(origin.liveUrl("abr", "master.m3u8"), PLAY_SECONDS, logs));

          // Compare while the players run (the transcoders keep deleting old files).
          List<OriginHarness.Comparison> compared = new ArrayList<>();
          for (int round = 0; round < 3; round++) {
            Waits.sleep(Duration.ofSeconds(5));
            compared.addAll(origin.compareHls("ts", "index.m3u8", work.resolve("ts")));
            compared.addAll(origin.compareHls("fmp4", "index.m3u8", work.resolve("fmp4")));
            compared.addAll(
                origin.compareHls("abr", "stream_0/index.m3u8", work.resolve("abr/stream_0")));
            compared.addAll(
                origin.compareHls("abr", "stream_1/index.m3u8", work.resolve("abr/stream_1")));
          }

          SoftAssertions soft = new SoftAssertions();
          for (String prefix : List.of("ts/", "fmp4/", "abr/stream_0/", "abr/stream_1/")) {
            ItFiles.assertIdentical(soft, compared, work.resolve(prefix), 3);
          }
          soft.assertThat(compared)
              .as("the fMP4 init segment was compared")
              .anyMatch(c -> c.source().equals(work.resolve("fmp4/init.mp4")) && c.identical());
          String[] names = {"ts", "fmp4", "abr"};
          for (int i = 0; i < players.size(); i++) {
            FfmpegPlayer.Result result = players.get(i).await();
            soft.assertThat(result.clean())
                .as("player of %s through the origin: %s (%s)", names[i], result, result.stderr())
                .isTrue();
          }
          for (String name : names) {
            JsonObject status = origin.stream(name);
            soft.assertThat(status.getString("state")).as("%s state", name).isEqualTo("live");
            soft.assertThat(status.getString("protocol")).as("%s protocol", name).isEqualTo("hls");
            soft.assertThat(status.getString("mode")).as("%s mode", name).isEqualTo("pull");
            soft.assertThat(status.getLong("segmentsPublished"))
                .as("%s segmentsPublished", name)
                .isGreaterThanOrEqualTo(3);
          }
          soft.assertThat(origin.stream("abr").getJsonArray("renditions").size())
              .as("abr renditions")
              .isEqualTo(2);
          soft.assertAll();
        } finally {
          players.forEach(FfmpegPlayer.Playing::close);
        }
      }
      assertThat(Files.exists(ts.stderrFile())).isTrue();
    }
  }
}
