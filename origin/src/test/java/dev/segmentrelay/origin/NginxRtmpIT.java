package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.NginxRtmp;
import dev.segmentrelay.common.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * nginx-rtmp as the transcoder (ffmpeg publishes FLV over RTMP; nginx writes HLS and DASH and
 * serves them over HTTP): the origin pulls {@code /hls/room1/index.m3u8} and {@code
 * /dash/room1/index.mpd}, a real player plays each through the origin for 20 s, and the published
 * segments are nginx's bytes.
 */
class NginxRtmpIT {
  private static Path work;
  private static NginxRtmp nginx;
  private static FfmpegLive publisher;

  @BeforeAll
  static void startNginxAndPublish() {
    work = ItWorkDirs.freshDirectory(NginxRtmpIT.class);
    nginx = NginxRtmp.start(work.resolve("nginx"));
    publisher = nginx.publish("room1");
    Waits.until(
        "nginx-rtmp to write room1's HLS playlist and DASH manifest",
        Duration.ofSeconds(40),
        () -> {
          if (!publisher.isAlive()) {
            throw new IllegalStateException("publisher exited, see " + publisher.stderrFile());
          }
          return Files.exists(nginx.hlsDir("room1").resolve("index.m3u8"))
              && Files.exists(nginx.dashDir("room1").resolve("index.mpd"));
        });
  }

  @AfterAll
  static void stop() {
    if (publisher != null) {
      publisher.close();
    }
    if (nginx != null) {
      nginx.close();
    }
  }

  @Test
  @Timeout(120)
  void hlsFromNginxPlaysCleanlyWithNginxsBytes() {
    OriginConfig config =
        OriginHarness.testConfig(
            List.of(OriginHarness.pull("room1", nginx.hlsUrl("room1"))),
            List.of(),
            Optional.of(Duration.ofMillis(500)));
    try (OriginHarness origin = OriginHarness.start(config)) {
      origin.awaitReady(Duration.ofSeconds(30));
      origin.awaitSegments("room1", "index.m3u8", 3, Duration.ofSeconds(30));
      try (FfmpegPlayer.Playing player =
          FfmpegPlayer.start(origin.liveUrl("room1", "index.m3u8"), 20, work.resolve("player"))) {
        List<OriginHarness.Comparison> compared = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          Waits.sleep(Duration.ofSeconds(5));
          compared.addAll(origin.compareHls("room1", "index.m3u8", nginx.hlsDir("room1")));
        }
        FfmpegPlayer.Result result = player.await();
        SoftAssertions soft = new SoftAssertions();
        ItFiles.assertIdentical(soft, compared, nginx.hlsDir("room1"), 3);
        soft.assertThat(result.clean())
            .as("player of nginx-rtmp HLS through the origin: %s (%s)", result, result.stderr())
            .isTrue();
        soft.assertAll();
      }
    }
  }

  @Test
  @Timeout(120)
  void dashFromNginxPlaysWithNginxsBytes() {
    OriginConfig config =
        OriginHarness.testConfig(
            List.of(OriginHarness.pull("room1", nginx.dashUrl("room1"))),
            List.of(),
            Optional.of(Duration.ofMillis(500)));
    try (OriginHarness origin = OriginHarness.startWithDash(config)) {
      origin.awaitReady(Duration.ofSeconds(30));
      origin.awaitDashSegments("room1", "index.mpd", 3, Duration.ofSeconds(30));
      DashChecks.playAndCompare(
          origin, "room1", "index.mpd", nginx.dashDir("room1"), work.resolve("dash"));
    }
  }
}
