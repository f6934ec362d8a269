package dev.segmentrelay.loadtest.report;

import static dev.segmentrelay.loadtest.report.Fetches.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.loadtest.player.ViewerEvents;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveLineTest {
  @Test
  void showsTheLastSecondOverallAndPerRegion() {
    AtomicLong clock = new AtomicLong();
    Results results = new Results(clock::get);
    ViewerEvents jp = results.viewer("jp");
    results.viewer("de");
    for (int i = 0; i < 4; i++) {
      var r = ok("e1", "HIT", 250_000, 12 + i);
      jp.request(r, RequestKind.SEGMENT);
      jp.segment(r, 2, 1);
    }
    jp.stallStarted();
    clock.set(2000);
    results.loadTester(new LoadTesterHealth(150, 75, 4, 9, true, 0));
    Snapshot s = results.snapshot();
    assertThat(LiveLine.format(s))
        .isEqualTo(
            "    2s viewers 2 (peak 2) | 2 req/s | 4.0 Mbit/s | seg p50 13ms p99 15ms"
                + " | stalls 1 (+1) | errors 0 (+0) | cpu 150% lag p99 4.0ms"
                + " | LOAD TESTER IS THE BOTTLENECK");
    assertThat(LiveLine.regionLines(s))
        .containsExactly(
            "    jp viewers 1 | 2 req/s | 4.0 Mbit/s | seg p50 13ms p99 15ms | stalls 1 (+1) | errors 0 (+0)",
            "    de viewers 1 | 0 req/s | 0.0 Mbit/s | seg p50 - p99 - | stalls 0 (+0) | errors 0 (+0)");
  }
}
