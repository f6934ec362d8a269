package dev.segmentrelay.loadtest.report;

import static dev.segmentrelay.loadtest.report.Fetches.failed;
import static dev.segmentrelay.loadtest.report.Fetches.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.ViewerEvents;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResultsTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Results results = new Results(clock::get);

  private static void segment(ViewerEvents v, FetchResult r) {
    v.request(r, RequestKind.SEGMENT);
    v.segment(r, 2.0, 800_000);
  }

  @Test
  void aggregatesEventsFromManyThreadsExactly() throws Exception {
    int threads = 4;
    int viewersPerThread = 250;
    int segmentsPerViewer = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String region = t % 2 == 0 ? "jp" : "de";
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < viewersPerThread; i++) {
                    ViewerEvents v = results.viewer(region);
                    v.request(ok("edge-a", "MISS", 500, 4), RequestKind.MASTER);
                    v.started(1000);
                    for (int s = 0; s < segmentsPerViewer; s++) {
                      segment(v, ok(s % 2 == 0 ? "edge-a" : "edge-b", "HIT", 1000, 10));
                    }
                    v.request(failed("edge-b", ErrorKind.HTTP_5XX), RequestKind.SEGMENT);
                    v.stallStarted();
                    v.stallEnded(250);
                    v.switched(800_000, 1_600_000);
                    v.progress(30, 0.25, 4);
                    v.ended(false);
                  }
                }));
        // Snapshots run concurrently with the writers, as the console does.
        results.snapshot();
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int viewers = threads * viewersPerThread;
    Summary s = results.summary();
    GroupSummary all = s.all();
    assertThat(all.requests()).isEqualTo(viewers * (segmentsPerViewer + 2L));
    assertThat(all.errors()).isEqualTo(viewers);
    assertThat(all.segments()).isEqualTo((long) viewers * segmentsPerViewer);
    assertThat(all.bytes()).isEqualTo(viewers * (500L + 1000L * segmentsPerViewer));
    assertThat(all.segmentMs().count()).isEqualTo((long) viewers * segmentsPerViewer);
    assertThat(all.segmentMs().p50()).isCloseTo(10, within(0.05));
    assertThat(all.startupMs().count()).isEqualTo(viewers);
    assertThat(all.startupMs().p99()).isCloseTo(1000, within(1.0));
    assertThat(all.stalls()).isEqualTo(viewers);
    assertThat(all.stallMillis()).isCloseTo(250.0 * viewers, within(1e-6));
    assertThat(all.switches()).isEqualTo(viewers);
    assertThat(all.playedSeconds()).isCloseTo(30.0 * viewers, within(1e-6));
    assertThat(all.peakViewers()).isBetween(1L, (long) viewers);
    assertThat(s.regions()).containsOnlyKeys("jp", "de");
    assertThat(s.regions().get("jp").requests()).isEqualTo(all.requests() / 2);
    assertThat(s.edges().get("edge-a").segments()).isEqualTo(viewers * segmentsPerViewer / 2L);
    assertThat(s.edges().get("edge-b").errors()).isEqualTo(viewers);
    assertThat(s.cache().get("HIT").requests()).isEqualTo((long) viewers * segmentsPerViewer);
    assertThat(s.cache().get("MISS").requests()).isEqualTo(viewers);
    assertThat(s.cache().get("NONE").errors()).isEqualTo(viewers);
    assertThat(s.errorsByKind()).containsExactly(java.util.Map.entry("HTTP_5XX", (long) viewers));
    assertThat(s.requestsByKind().get("SEGMENT"))
        .isEqualTo(new Summary.KindCounts((long) viewers * segmentsPerViewer, viewers));
    assertThat(s.startupMicros().getTotalCount()).isEqualTo(viewers);
  }

  @Test
  void rebufferRatioIsStalledOverPlayedPlusStalled() {
    ViewerEvents a = results.viewer("jp");
    ViewerEvents b = results.viewer("th");
    a.progress(10, 0, 6);
    a.progress(18, 2, 0); // cumulative: 18 s played, 2 s stalled
    b.progress(20, 0, 6);
    Summary s = results.summary();
    assertThat(s.all().playedSeconds()).isCloseTo(38, within(1e-9));
    assertThat(s.all().rebufferRatio()).isCloseTo(2.0 / 40, within(1e-9));
    assertThat(s.regions().get("jp").rebufferRatio()).isCloseTo(0.1, within(1e-9));
    assertThat(s.regions().get("th").rebufferRatio()).isZero();
  }

  @Test
  void activeAndPeakViewersCountJoinsAndEndsOnce() {
    ViewerEvents a = results.viewer("jp");
    ViewerEvents b = results.viewer("jp");
    results.viewer("de");
    a.ended(false);
    a.ended(false);
    b.ended(true);
    Snapshot snap = results.snapshot();
    assertThat(snap.all().activeViewers()).isEqualTo(1);
    assertThat(snap.all().peakViewers()).isEqualTo(3);
    assertThat(snap.regions().get("jp").activeViewers()).isZero();
    assertThat(snap.regions().get("jp").peakViewers()).isEqualTo(2);
    assertThat(results.summary().all().gaveUp()).isEqualTo(1);
  }

  @Test
  void snapshotSplitsLastSecondFromTotalAndBuildsTimeline() {
    ViewerEvents v = results.viewer("jp");
    segment(v, ok("e1", "HIT", 250_000, 20));
    clock.addAndGet(1000);
    Snapshot first = results.snapshot();
    segment(v, ok("e1", "HIT", 500_000, 40));
    segment(v, ok("e1", "HIT", 500_000, 40));
    v.stallStarted();
    clock.addAndGet(1000);
    Snapshot second = results.snapshot();

    assertThat(first.all().lastSecond().segments()).isEqualTo(1);
    assertThat(first.all().lastSecond().mbitPerSecond()).isCloseTo(2.0, within(1e-9));
    assertThat(second.all().lastSecond().requests()).isEqualTo(2);
    assertThat(second.all().lastSecond().requestsPerSecond()).isCloseTo(2, within(1e-9));
    assertThat(second.all().lastSecond().mbitPerSecond()).isCloseTo(8.0, within(1e-9));
    assertThat(second.all().lastSecond().segmentMs().p50()).isCloseTo(40, within(0.1));
    assertThat(second.all().total().segments()).isEqualTo(3);
    assertThat(second.all().total().segmentMs().count()).isEqualTo(3);
    assertThat(second.all().lastSecond().stalls()).isEqualTo(1);
    assertThat(second.regions().get("jp").lastSecond().segments()).isEqualTo(2);
    assertThat(second.elapsedSeconds()).isEqualTo(2.0);

    clock.addAndGet(100);
    Summary s = results.summary();
    assertThat(s.timeline()).hasSize(2); // the summary's 0.1 s adds no point
    assertThat(s.timeline().get(1).t()).isEqualTo(2.0);
    assertThat(s.timeline().get(1).segmentMs().count()).isEqualTo(2);
    assertThat(s.timeline().get(1).stalls()).isEqualTo(1);
    assertThat(s.timeline().get(1).viewers()).isEqualTo(1);
  }

  @Test
  void summaryAddsTheLastPartialSecondToTheTimeline() {
    results.viewer("jp").request(ok("e1", "HIT", 1000, 1), RequestKind.SEGMENT);
    clock.addAndGet(500);
    Summary s = results.summary();
    assertThat(s.timeline()).hasSize(1);
    assertThat(s.timeline().get(0).requestsPerSecond()).isEqualTo(2.0);
  }

  @Test
  void drillRecoveryCountsOnlyViewersFailingAfterTheDrill() {
    ViewerEvents before = results.viewer("jp");
    ViewerEvents quick = results.viewer("jp");
    ViewerEvents slow = results.viewer("th");
    ViewerEvents untouched = results.viewer("de");
    ViewerEvents lost = results.viewer("de");

    before.request(failed("e1", ErrorKind.CONNECT), RequestKind.SEGMENT); // before the drill
    long drillAt = clock.get() + 100;
    clock.set(drillAt);
    results.drill("kill e1", drillAt);
    before.segment(ok("e2", "MISS", 100, 10), 2, 1); // recovered, but was never affected

    clock.addAndGet(200);
    quick.request(failed("e1", ErrorKind.CONNECT), RequestKind.SEGMENT);
    quick.request(failed("e1", ErrorKind.TIMEOUT), RequestKind.MEDIA_PLAYLIST); // same drill
    slow.request(failed("e1", ErrorKind.CONNECT), RequestKind.SEGMENT);
    lost.request(failed("e1", ErrorKind.CONNECT), RequestKind.SEGMENT);
    clock.addAndGet(800); // drill + 1000 ms
    segment(quick, ok("e2", "MISS", 100, 10));
    segment(untouched, ok("e3", "HIT", 100, 10));
    clock.addAndGet(2000); // drill + 3000 ms
    segment(slow, ok("e2", "HIT", 100, 10));
    segment(quick, ok("e2", "HIT", 100, 10)); // already recovered: no second sample
    lost.ended(true);

    Summary s = results.summary();
    assertThat(s.drills()).hasSize(1);
    DrillSummary d = s.drills().get(0);
    assertThat(d.name()).isEqualTo("kill e1");
    assertThat(d.affected()).isEqualTo(3);
    assertThat(d.recovered()).isEqualTo(2);
    assertThat(d.unrecovered()).isEqualTo(1);
    assertThat(d.recoveryMs().count()).isEqualTo(2);
    assertThat(d.recoveryMs().p50()).isCloseTo(1000, within(1.0));
    assertThat(d.recoveryMs().max()).isCloseTo(3000, within(3.0));
    assertThat(d.atSeconds()).isCloseTo(0.1, within(1e-9));
  }

  @Test
  void loadTesterHealthOverTheRunKeepsWorstLagAndAnyBottleneck() {
    results.loadTester(new LoadTesterHealth(100, 50, 3, 10, false, 0));
    results.loadTester(new LoadTesterHealth(180, 90, 40, 120, true, 15_000));
    results.loadTester(new LoadTesterHealth(80, 40, 2, 5, false, 0));
    LoadTesterHealth h = results.summary().loadTester();
    assertThat(h.cpuPercentOfOneCore()).isCloseTo(120, within(1e-9));
    assertThat(h.loopLagP99Millis()).isEqualTo(40);
    assertThat(h.loopLagMaxMillis()).isEqualTo(120);
    assertThat(h.bottleneck()).isTrue();
    assertThat(h.heapPerViewerBytes()).isEqualTo(15_000);
  }

  @Test
  void unknownCacheHeadersAndMissingEdgesHaveTheirOwnRows() {
    ViewerEvents v = results.viewer("");
    v.request(ok(null, "weird", 10, 1), RequestKind.MASTER);
    v.request(ok("  ", "hit", 10, 1), RequestKind.MASTER);
    Summary s = results.summary();
    assertThat(s.regions()).containsOnlyKeys("default");
    assertThat(s.edges()).containsOnlyKeys(Results.NO_EDGE);
    assertThat(s.cache()).containsOnlyKeys("OTHER", "HIT");
    assertThat(s.edges().get(Results.NO_EDGE).cache()).containsEntry("OTHER", 1L);
  }
}
