package dev.segmentrelay.edge;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Upstream failover under a playing viewer: two upstreams serve the same live ffmpeg HLS output;
 * the edge uses the first while it is healthy, and when the first dies mid-stream (its server
 * closed: connections cut, later connects refused) the edge fetches from the second, the player
 * keeps playing to the end without an error, and segments newer than the failure come from the
 * second.
 */
class FailoverIT {
  private static final int PLAY_SECONDS = 16;
  private static final Pattern SEGMENT = Pattern.compile(".* /live/room1/seg_(\\d+)\\.ts(\\?.*)?");

  @Test
  @Timeout(120)
  void playerKeepsPlayingWhenTheFirstUpstreamDies() {
    Path work = ItWorkDirs.freshDirectory(FailoverIT.class);
    Path root = work.resolve("src");
    try (FfmpegLive ffmpeg =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, root.resolve("live/room1")).start();
        ScriptedHttpServer first = ScriptedHttpServer.start();
        ScriptedHttpServer second = ScriptedHttpServer.start()) {
      first.otherwise(ScriptedHttpServer.files(root));
      second.otherwise(ScriptedHttpServer.files(root));
      ItWorkDirs.awaitFile(root.resolve("live/room1/index.m3u8"), ffmpeg);
      EdgeConfig config =
          EdgeHarness.config(first.baseUrl(), second.baseUrl())
              .firstByteTimeout(Duration.ofSeconds(2))
              .build();
      try (EdgeHarness edge = EdgeHarness.start(config)) {
        String playlistUrl = edge.liveUrl("room1", "index.m3u8");
        Waits.until(
            "the edge to serve a playlist naming 3 segments",
            Duration.ofSeconds(30),
            () -> {
              HttpTestClient.Response r = edge.http().get(playlistUrl);
              return r.status() == 200 && HlsPlaylistView.parse(r.text()).segments().size() >= 3;
            });

        try (FfmpegPlayer.Playing player =
            FfmpegPlayer.start(playlistUrl, PLAY_SECONDS, work.resolve("player"))) {
          Waits.until(
              "the player to fetch 2 segments through the first upstream",
              Duration.ofSeconds(30),
              () -> segments(first).count() >= 2);
          int secondBeforeKill = second.requestsUnder("/live/");
          long lastFromFirst = segments(first).max().orElse(-1);

          first.close();

          Waits.until(
              "2 segments newer than seg_" + lastFromFirst + " fetched from the second upstream",
              Duration.ofSeconds(30),
              () -> segments(second).filter(n -> n > lastFromFirst).count() >= 2);
          FfmpegPlayer.Result result = player.await();

          SoftAssertions soft = new SoftAssertions();
          soft.assertThat(secondBeforeKill)
              .as("requests to the second upstream while the first was healthy")
              .isZero();
          soft.assertThat(result.exitCode())
              .as("player exit code: %s (%s)", result, result.stderr())
              .isZero();
          soft.assertThat(result.timedOut()).as("player timed out").isFalse();
          soft.assertThat(result.errorLines())
              .as("player error lines (%s)", result.stderr())
              .isEmpty();
          OptionalLong newest = segments(second).max();
          soft.assertThat(newest.orElse(-1))
              .as("newest segment from the second upstream")
              .isGreaterThan(lastFromFirst);
          soft.assertAll();
        }
      }
    }
  }

  /** Segment numbers requested from {@code upstream}. */
  private static LongStream segments(ScriptedHttpServer upstream) {
    List<String> log = upstream.requestLog();
    return log.stream()
        .map(SEGMENT::matcher)
        .filter(Matcher::matches)
        .mapToLong(m -> Long.parseLong(m.group(1)));
  }
}
