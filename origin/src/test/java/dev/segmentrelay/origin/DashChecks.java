package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.DashManifest;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.Waits;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;

/**
 * The checks of a DASH stream published by the origin.
 *
 * <p>ffmpeg's DASH demuxer (5.1) is a weak live player: against a live SegmentTimeline MPD it races
 * ahead of the live edge and then prints {@code non monotonically increasing dts to muxer} lines,
 * also when it plays the transcoder's own MPD directly. So the live play must exit 0 with no other
 * error line, and decoding is proven separately: each representation's published init segment
 * followed by its published media segments, concatenated, must decode without a single error line.
 */
final class DashChecks {
  static final String DASHDEC_TIMESTAMP_NOISE = "non monotonically increasing dts to muxer";

  private DashChecks() {}

  static void playAndCompare(
      OriginHarness origin, String stream, String mpdPath, Path sourceDir, Path logs) {
    try (FfmpegPlayer.Playing player =
        FfmpegPlayer.start(origin.liveUrl(stream, mpdPath), 20, logs)) {
      List<OriginHarness.Comparison> compared = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        Waits.sleep(Duration.ofSeconds(5));
        compared.addAll(origin.compareDash(stream, mpdPath, sourceDir));
      }
      FfmpegPlayer.Result result = player.await();
      SoftAssertions soft = new SoftAssertions();
      ItFiles.assertIdentical(soft, compared, sourceDir, 6);
      soft.assertThat(compared)
          .as("init segments compared")
          .anyMatch(c -> c.source().getFileName().toString().contains("init") && c.identical());
      soft.assertThat(result.exitCode() == 0 && !result.timedOut())
          .as("DASH player exit: %s (%s)", result, result.stderr())
          .isTrue();
      soft.assertThat(
              result.errorLines().stream().filter(l -> !l.contains(DASHDEC_TIMESTAMP_NOISE)))
          .as("DASH player error lines besides dashdec timestamp noise (%s)", result.stderr())
          .isEmpty();
      DashManifest m = origin.manifest(stream, mpdPath);
      for (DashManifest.Representation r :
          m.periods().get(m.periods().size() - 1).representations()) {
        Path file = logs.resolve("decode-" + r.id() + ".mp4");
        concatenate(origin.http(), r, file);
        FfmpegPlayer.Result decoded = FfmpegPlayer.decodeFile(file, logs);
        soft.assertThat(decoded.clean())
            .as(
                "decoding representation %s (init + %d segments): %s",
                r.id(), r.media().size(), decoded)
            .isTrue();
      }
      soft.assertAll();
    }
  }

  private static void concatenate(HttpTestClient http, DashManifest.Representation r, Path file) {
    try {
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        List<URI> parts = new ArrayList<>(r.init().stream().toList());
        parts.addAll(r.media());
        for (URI uri : parts) {
          HttpTestClient.Response part = http.get(uri);
          if (part.status() != 200) {
            throw new AssertionError("published " + uri + " answered " + part);
          }
          out.write(part.body());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
