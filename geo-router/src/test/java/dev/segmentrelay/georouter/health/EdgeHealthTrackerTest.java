package dev.segmentrelay.georouter.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.common.testing.MutableClock;
import dev.segmentrelay.georouter.selection.RoutableEdge;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EdgeHealthTrackerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final EdgeHealthTracker tracker = new EdgeHealthTracker(clock, HealthPolicy.DEFAULT);

  static EdgeRecord edge(String id, EdgeLoad load) {
    return new EdgeRecord(
        id,
        "http://127.0.0.1:8081",
        List.of("127.0.0.1"),
        "fra",
        50.1,
        8.7,
        "DE",
        1000,
        10_000,
        EdgeState.SERVING,
        load,
        Instant.EPOCH,
        "",
        "http://127.0.0.1:9091");
  }

  private RoutableEdge only() {
    List<RoutableEdge> all = tracker.current();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void aNewEdgeIsRoutedOnlyAfterItsFirstGoodProbe() {
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    assertThat(only().healthy()).isFalse();
    assertThat(only().healthReason()).isEqualTo("not probed yet");
    tracker.probed("fra1", true, "ready");
    assertThat(only().healthy()).isTrue();
  }

  @Test
  void oneFailedProbeTakesAnEdgeOutAndTwoGoodOnesBringItBack() {
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    tracker.probed("fra1", true, "ready");
    tracker.probed("fra1", false, "no answer: timeout");
    assertThat(only().healthy()).isFalse();
    assertThat(only().healthReason()).contains("timeout");
    tracker.probed("fra1", true, "ready");
    assertThat(only().healthy()).isFalse();
    assertThat(only().healthReason()).startsWith("recovering: 1 of 2");
    tracker.probed("fra1", true, "ready");
    assertThat(only().healthy()).isTrue();
  }

  @Test
  void reportsOlderThanTheTimeoutByReceiptTimeMakeAnEdgeUnhealthy() {
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    tracker.probed("fra1", true, "ready");
    clock.advance(Duration.ofMillis(2400));
    tracker.probed("fra1", true, "ready");
    assertThat(only().healthy()).isTrue();
    clock.advance(Duration.ofMillis(200));
    tracker.probed("fra1", true, "ready");
    assertThat(only().healthy()).isFalse();
    assertThat(only().healthReason()).startsWith("no registry report for 2600 ms");
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    assertThat(only().healthy()).isTrue();
  }

  @Test
  void aProbeThatStopsAnsweringGoesStale() {
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    tracker.probed("fra1", true, "ready");
    clock.advance(Duration.ofMillis(2000));
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    clock.advance(Duration.ofMillis(600));
    assertThat(only().healthy()).isFalse();
    assertThat(only().healthReason()).startsWith("no readiness answer for 2600 ms");
  }

  @Test
  void removalFromTheRegistryIsImmediate() {
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    tracker.probed("fra1", true, "ready");
    tracker.removed("fra1");
    assertThat(tracker.current()).isEmpty();
    tracker.probed("fra1", true, "ready"); // a late probe answer does not resurrect it
    assertThat(tracker.current()).isEmpty();
  }

  @Test
  void evaluateReportsOnlyChangesThatMatterForRouting() {
    tracker.updated(edge("fra1", EdgeLoad.IDLE));
    assertThat(tracker.evaluate()).isPresent();
    assertThat(tracker.evaluate()).isEmpty();
    tracker.updated(edge("fra1", EdgeLoad.IDLE)); // same fields, a fresh report
    assertThat(tracker.evaluate()).isEmpty();
    tracker.probed("fra1", true, "ready"); // verdict flips
    assertThat(tracker.evaluate()).hasValueSatisfying(l -> assertThat(l.get(0).healthy()).isTrue());
    tracker.updated(edge("fra1", new EdgeLoad(500, 10, 0.9))); // load moves viewers
    assertThat(tracker.evaluate()).isPresent();
    clock.advance(Duration.ofSeconds(3)); // staleness flips the verdict with no event at all
    assertThat(tracker.evaluate())
        .hasValueSatisfying(l -> assertThat(l.get(0).healthy()).isFalse());
  }

  @Test
  void anEdgeWithoutAManagementUrlIsJudgedByReportsAlone() {
    EdgeRecord e = edge("enrolled", EdgeLoad.IDLE);
    tracker.updated(
        new EdgeRecord(
            e.id(),
            e.publicUrl(),
            e.addresses(),
            e.site(),
            e.latitude(),
            e.longitude(),
            e.country(),
            e.capacityMbps(),
            e.capacityViewers(),
            e.state(),
            e.load(),
            e.reportedAt(),
            e.memberId(),
            ""));
    assertThat(only().healthy()).isTrue();
  }

  @Test
  void policyRejectsAProbeTimeoutLongerThanTheInterval() {
    assertThatThrownBy(
            () ->
                new HealthPolicy(
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(3),
                    2))
        .hasMessageContaining("probe timeout 2000 ms is longer than the probe interval 1000 ms");
  }
}
