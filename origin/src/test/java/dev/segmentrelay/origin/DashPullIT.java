package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.StaticHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DASH pull from a real ffmpeg DASH muxer (SegmentTemplate with {@code $Number$} and a
 * SegmentTimeline, one video and one audio adaptation set) served over real HTTP. Reported as
 * skipped while the origin build refuses DASH sources.
 */
class DashPullIT {
  @Test
  @Timeout(120)
  void ffmpegDashPlaysWithTheTranscodersBytes() {
    Path work = ItWorkDirs.freshDirectory(DashPullIT.class);
    try (FfmpegLive ffmpeg =
            FfmpegLive.toDirectory(FfmpegLive.Output.DASH, work.resolve("src")).start();
        StaticHttpServer source = StaticHttpServer.start(work)) {
      ItWorkDirs.awaitFile(work.resolve("src/index.mpd"), ffmpeg);
      OriginConfig config =
          OriginHarness.testConfig(
              List.of(OriginHarness.pull("room1", source.url("src/index.mpd"))),
              List.of(),
              Optional.of(Duration.ofMillis(500)));
      try (OriginHarness origin = OriginHarness.startWithDash(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        origin.awaitDashSegments("room1", "index.mpd", 3, Duration.ofSeconds(30));
        DashChecks.playAndCompare(
            origin, "room1", "index.mpd", work.resolve("src"), work.resolve("player"));
      }
    }
  }
}
