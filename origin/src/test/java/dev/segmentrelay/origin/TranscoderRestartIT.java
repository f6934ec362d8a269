package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.StaticHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transcoder crash and restart mid-stream (SIGKILL, then a new ffmpeg on the same folder, which
 * starts again at {@code seg_0.ts} and media sequence 0 and overwrites old file names). The origin
 * must never serve one published name with two different contents, must mark the restart with
 * {@code #EXT-X-DISCONTINUITY} while its media sequence keeps rising, and a player watching across
 * the restart must finish without a fatal error.
 */
class TranscoderRestartIT {
  private static final int PLAY_SECONDS = 30;

  @Test
  @Timeout(180)
  void restartKeepsNamesUniqueAddsDiscontinuityAndPlayerSurvives() {
    Path work = ItWorkDirs.freshDirectory(TranscoderRestartIT.class);
    try (FfmpegLive ffmpeg =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, work.resolve("src")).start();
        StaticHttpServer source = StaticHttpServer.start(work)) {
      ItWorkDirs.awaitFile(work.resolve("src/index.m3u8"), ffmpeg);
      OriginConfig config =
          OriginHarness.testConfig(
              List.of(OriginHarness.pull("room1", source.url("src/index.m3u8"))),
              List.of(),
              Optional.of(Duration.ofMillis(500)));
      try (OriginHarness origin = OriginHarness.start(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        origin.awaitSegments("room1", "index.m3u8", 3, Duration.ofSeconds(30));
        String epochBefore = origin.stream("room1").getString("epoch");
        Observer observer = new Observer(origin);
        try (FfmpegPlayer.Playing player =
            FfmpegPlayer.start(
                origin.liveUrl("room1", "index.m3u8"), PLAY_SECONDS, work.resolve("player"))) {
          observer.observeFor(Duration.ofSeconds(8));
          long msnBeforeRestart = observer.maxMediaSequence;
          ffmpeg.restart();
          ItWorkDirs.awaitFile(work.resolve("src/index.m3u8"), ffmpeg);
          observer.observeFor(Duration.ofSeconds(16));
          FfmpegPlayer.Result result = player.await();
          String epochAfter = origin.stream("room1").getString("epoch");

          SoftAssertions soft = new SoftAssertions();
          soft.assertThat(observer.conflicts)
              .as("published names served with different bytes")
              .isEmpty();
          soft.assertThat(observer.sequenceWentBack)
              .as("playlists whose media sequence went backwards")
              .isEmpty();
          soft.assertThat(observer.sawDiscontinuity)
              .as("a published playlist showed #EXT-X-DISCONTINUITY after the restart")
              .isTrue();
          soft.assertThat(observer.maxMediaSequence)
              .as("media sequence after the restart (before: %d)", msnBeforeRestart)
              .isGreaterThan(msnBeforeRestart);
          soft.assertThat(epochAfter).as("epoch after the restart").isNotEqualTo(epochBefore);
          soft.assertThat(observer.epochsInNames)
              .as("epoch tags seen in published names")
              .contains(epochBefore, epochAfter);
          soft.assertThat(observer.hashes.size())
              .as("distinct published segments checked")
              .isGreaterThanOrEqualTo(10);
          soft.assertThat(result.exitCode() == 0 && !result.timedOut())
              .as("player across the restart: %s (%s)", result, result.stderr())
              .isTrue();
          soft.assertAll();
        }
      }
    }
  }

  /** Polls the published playlist and every segment it names, remembering what each name held. */
  private static final class Observer {
    private final OriginHarness origin;
    private final HttpTestClient http;
    final Map<String, String> hashes = new HashMap<>();
    final List<String> conflicts = new ArrayList<>();
    final List<String> sequenceWentBack = new ArrayList<>();
    final Set<String> epochsInNames = new LinkedHashSet<>();
    long maxMediaSequence = -1;
    boolean sawDiscontinuity;

    Observer(OriginHarness origin) {
      this.origin = origin;
      this.http = origin.http();
    }

    void observeFor(Duration duration) {
      long end = System.nanoTime() + duration.toNanos();
      for (int round = 0; round < 1_000 && System.nanoTime() < end; round++) {
        observeOnce();
        dev.segmentrelay.common.testing.Waits.sleep(Duration.ofMillis(700));
      }
    }

    private void observeOnce() {
      HttpTestClient.Response r = http.get(origin.liveUrl("room1", "index.m3u8"));
      if (r.status() != 200) {
        conflicts.add("playlist answered " + r);
        return;
      }
      HlsPlaylistView p = HlsPlaylistView.parse(r.text());
      if (p.mediaSequence() < maxMediaSequence) {
        sequenceWentBack.add(p.mediaSequence() + " after " + maxMediaSequence);
      }
      maxMediaSequence = Math.max(maxMediaSequence, p.mediaSequence());
      sawDiscontinuity |= p.discontinuities() > 0;
      for (HlsPlaylistView.Segment s : p.segments()) {
        var m = OriginHarness.HLS_PUBLISHED.matcher(s.uri());
        if (m.matches()) {
          epochsInNames.add(m.group(1));
        }
        HttpTestClient.Response seg = http.get(origin.liveUrl("room1", s.uri()));
        if (seg.status() != 200) {
          conflicts.add(s.uri() + " named by the playlist but answered " + seg.status());
          continue;
        }
        String previous = hashes.putIfAbsent(s.uri(), seg.sha256());
        if (previous != null && !previous.equals(seg.sha256())) {
          conflicts.add(s.uri() + " changed from " + previous + " to " + seg.sha256());
        }
      }
    }
  }
}
