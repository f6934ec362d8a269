package dev.segmentrelay.loadtest.report;

import static dev.segmentrelay.loadtest.report.Fetches.failed;
import static dev.segmentrelay.loadtest.report.Fetches.ok;

import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.ViewerEvents;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** A small deterministic run: 3 viewers in jp and de over 5 seconds, one drill, one bad name. */
final class SampleRun {
  static final String NASTY_EDGE = "<b>edge\"&'</b>";

  private SampleRun() {}

  static Summary summary() {
    AtomicLong clock = new AtomicLong(0);
    Results results = new Results(clock::get);
    Map<String, Integer> regions = new LinkedHashMap<>();
    regions.put("jp", 40);
    regions.put("de", 60);
    results.run(
        new RunInfo(
            "http://127.0.0.1:8080/live/room1/master.m3u8?a=1&b=<2>",
            3,
            Duration.ofSeconds(5),
            "ramp 1s",
            regions,
            Instant.parse("2026-01-01T10:00:00Z"),
            Optional.empty()));
    ViewerEvents jp = results.viewer("jp");
    ViewerEvents de1 = results.viewer("de");
    ViewerEvents de2 = results.viewer("de");
    jp.started(800);
    de1.started(400);
    de2.started(600);
    for (int second = 1; second <= 5; second++) {
      for (ViewerEvents v : new ViewerEvents[] {jp, de1, de2}) {
        var r = ok(v == jp ? "tokyo-1" : NASTY_EDGE, second == 1 ? "MISS" : "HIT", 125_000, 20);
        v.request(r, RequestKind.SEGMENT);
        v.segment(r, 2, 800_000);
      }
      if (second == 3) {
        results.drill("kill tokyo-1", clock.get());
        clock.addAndGet(100);
        jp.request(failed("tokyo-1", ErrorKind.CONNECT), RequestKind.SEGMENT);
        jp.stallStarted();
        jp.movedEdge("tokyo-1", "bangkok-1");
      }
      if (second == 4) {
        var r = ok("bangkok-1", "COALESCED", 125_000, 60);
        jp.request(r, RequestKind.SEGMENT);
        jp.segment(r, 2, 800_000);
        jp.stallEnded(900);
      }
      jp.progress(second - 0.9 * (second >= 4 ? 1 : 0), second >= 4 ? 0.9 : 0, 4);
      de1.progress(second, 0, 6);
      de2.progress(second, 0, 6);
      clock.set(second * 1000L);
      results.loadTester(new LoadTesterHealth(50 + second, 25, 1.5, 3, false, 12_000));
      results.snapshot();
    }
    jp.ended(false);
    de1.ended(false);
    de2.ended(false);
    return results.summary();
  }
}
