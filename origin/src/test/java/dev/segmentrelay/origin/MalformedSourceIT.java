package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.FakeLiveSource;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A transcoder that misbehaves mid-run (a truncated playlist, an HTML error page with status 200, a
 * 500) behind an in-process fake: the origin keeps serving its last good playlist, every segment
 * that playlist names stays fetchable with the transcoder's bytes, the media sequence never goes
 * back, no discontinuity or gap appears that the source never had, and publishing resumes once the
 * source is healthy again.
 */
class MalformedSourceIT {
  private static final Pattern SOURCE_NAME = Pattern.compile("seg_(\\d+)\\.ts");

  @ParameterizedTest
  @EnumSource(
      value = FakeLiveSource.Fault.class,
      names = {"GARBAGE", "SERVER_ERROR"})
  @Timeout(60)
  void lastGoodPlaylistStaysServedWhileTheSourceMisbehaves(FakeLiveSource.Fault fault) {
    survives(fault);
  }

  /**
   * A playlist cut in the middle of its last URI line (as a half-written file without {@code
   * temp_file} is served). An origin that took the cut line ({@code seg}) for a segment URI saw a
   * different URI at an already-seen sequence number, declared a transcoder restart on every poll
   * and republished the same source segments under new epochs with {@code #EXT-X-DISCONTINUITY}.
   */
  @Test
  @Timeout(60)
  void truncatedPlaylistIsNotMistakenForARestart() {
    survives(FakeLiveSource.Fault.TRUNCATED);
  }

  private void survives(FakeLiveSource.Fault fault) {
    try (FakeLiveSource source = FakeLiveSource.start(1, Duration.ofMillis(500), 8 * 1024, 6)) {
      OriginConfig config =
          OriginHarness.testConfig(
              List.of(OriginHarness.pull("room1", source.mediaPlaylistUrl(0))),
              List.of(),
              Optional.of(Duration.ofMillis(100)));
      try (OriginHarness origin = OriginHarness.start(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        origin.awaitSegments("room1", "index.m3u8", 3, Duration.ofSeconds(30));
        long[] maxSequence = {-1};
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(check(origin, source, maxSequence)).as("before the fault").isEmpty();
        long before = origin.playlist("room1", "index.m3u8").lastMsn();
        source.fault(fault);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          Waits.sleep(Duration.ofMillis(300));
          problems.addAll(check(origin, source, maxSequence));
        }
        soft.assertThat(problems).as("while the source serves %s", fault).isEmpty();
        source.fault(FakeLiveSource.Fault.NONE);
        long recovered =
            Waits.value(
                "publishing to resume after " + fault,
                Duration.ofSeconds(20),
                () -> {
                  long last = origin.playlist("room1", "index.m3u8").lastMsn();
                  return last > before + 2 ? Optional.of(last) : Optional.empty();
                });
        soft.assertThat(check(origin, source, maxSequence))
            .as("after %s cleared (last msn %d)", fault, recovered)
            .isEmpty();
        soft.assertAll();
      }
    }
  }

  /** Problems with the published playlist right now (empty when all is well). */
  private static List<String> check(
      OriginHarness origin, FakeLiveSource source, long[] maxSequence) {
    List<String> problems = new ArrayList<>();
    HttpTestClient http = origin.http();
    HttpTestClient.Response r = http.get(origin.liveUrl("room1", "index.m3u8"));
    if (r.status() != 200) {
      problems.add("playlist answered " + r);
      return problems;
    }
    HlsPlaylistView p;
    try {
      p = HlsPlaylistView.parse(r.text());
    } catch (RuntimeException e) {
      problems.add("published playlist does not parse: " + e.getMessage() + "\n" + r.text());
      return problems;
    }
    if (p.segments().isEmpty()) {
      problems.add("published playlist names no segment:\n" + r.text());
    }
    if (p.mediaSequence() < maxSequence[0]) {
      problems.add("media sequence went back to " + p.mediaSequence() + " from " + maxSequence[0]);
    }
    maxSequence[0] = Math.max(maxSequence[0], p.mediaSequence());
    if (p.discontinuities() > 0) {
      problems.add("a discontinuity the source never had:\n" + r.text());
    }
    long previous = -1;
    for (HlsPlaylistView.Segment s : p.segments()) {
      Matcher published = OriginHarness.HLS_PUBLISHED.matcher(s.uri());
      Matcher name = published.matches() ? SOURCE_NAME.matcher(published.group(3)) : null;
      if (name == null || !name.matches()) {
        problems.add("unexpected published name " + s.uri());
        continue;
      }
      long n = Long.parseLong(name.group(1));
      if (previous >= 0 && n != previous + 1) {
        problems.add("source segment " + n + " follows " + previous + ": a segment was lost");
      }
      previous = n;
      HttpTestClient.Response seg = http.get(origin.liveUrl("room1", s.uri()));
      byte[] expected = source.segmentBytes(source.epoch(), 0, n);
      if (seg.status() != 200) {
        problems.add(s.uri() + " named by the playlist answered " + seg.status());
      } else if (!Arrays.equals(expected, seg.body())) {
        problems.add(s.uri() + " differs from the source's bytes");
      }
    }
    return problems;
  }
}
