package dev.segmentrelay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadPlanTest {
  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  @Test
  void rampHoldRampDown() {
    LoadPlan plan = LoadPlan.of(10, s(10), s(60), s(5), List.of());
    assertThat(plan.viewers()).isEqualTo(10);
    assertThat(plan.startMillis(0)).isZero();
    assertThat(plan.startMillis(5)).isEqualTo(5000);
    assertThat(plan.startMillis(9)).isEqualTo(9000);
    assertThat(plan.holdEndMillis()).isEqualTo(70_000);
    assertThat(plan.stopMillis(0)).isEqualTo(70_000);
    assertThat(plan.stopMillis(9)).isEqualTo(74_500);
    assertThat(plan.endMillis()).isEqualTo(75_000);
    assertThat(plan.peakViewers()).isEqualTo(10);
  }

  @Test
  void withoutRampEveryoneStartsAtOnceAndStopsAtTheEnd() {
    LoadPlan plan = LoadPlan.of(3, Duration.ZERO, s(2), Duration.ZERO, List.of());
    for (int i = 0; i < 3; i++) {
      assertThat(plan.startMillis(i)).isZero();
      assertThat(plan.stopMillis(i)).isEqualTo(2000);
    }
  }

  @Test
  void spikeViewersJoinWithinTheirWindowAfterTheBaseOnes() {
    LoadPlan plan =
        LoadPlan.of(2, Duration.ZERO, s(120), Duration.ZERO, List.of(Spike.parse("5000@60s/30s")));
    assertThat(plan.viewers()).isEqualTo(5002);
    assertThat(plan.baseViewers()).isEqualTo(2);
    assertThat(plan.startMillis(2)).isEqualTo(60_000);
    assertThat(plan.startMillis(5001)).isBetween(89_000L, 90_000L);
    assertThat(plan.stopMillis(5001)).isEqualTo(120_000);
    assertThat(plan.peakMeasureMillis()).isBetween(90_000L, 120_000L);
  }

  @Test
  void aSpikeAfterTheHoldIsRefused() {
    assertThatThrownBy(
            () ->
                LoadPlan.of(
                    1, Duration.ZERO, s(10), Duration.ZERO, List.of(Spike.parse("5@10s/1s"))))
        .hasMessageContaining("after the hold ends");
  }

  @Test
  void spikesAndDrillsParse() {
    assertThat(Spike.parse("5000@60s/30s")).isEqualTo(new Spike(5000, s(60), s(30)));
    assertThat(Drill.parse("at=30s,drain=edge-tyo"))
        .isEqualTo(new Drill(s(30), Drill.Action.DRAIN, "edge-tyo"));
    assertThat(Drill.parse("kill=edge-bkk, at=2m"))
        .isEqualTo(new Drill(Duration.ofMinutes(2), Drill.Action.KILL, "edge-bkk"));
    assertThatThrownBy(() -> Drill.parse("at=30s")).hasMessageContaining("drain=EDGE");
    assertThatThrownBy(() -> Drill.parse("at=30s,explode=edge-tyo"))
        .hasMessageContaining("explode");
    assertThatThrownBy(() -> Spike.parse("5000")).hasMessageContaining("N@T/W");
  }
}
