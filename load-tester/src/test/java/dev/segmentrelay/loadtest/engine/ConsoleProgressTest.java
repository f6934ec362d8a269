package dev.segmentrelay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  @Test
  void aLineHasRatesPercentilesAndRegions() {
    ProgressSnapshot before =
        new ProgressSnapshot(100, 1_000_000, 1, 0, Double.NaN, Double.NaN, Map.of());
    ProgressSnapshot now =
        new ProgressSnapshot(
            450,
            6_000_000,
            13,
            3,
            120,
            480,
            Map.of("jp", new ProgressSnapshot.RegionProgress(100, 0, 2, 0)));
    Map<String, Integer> active = new LinkedHashMap<>();
    active.put("jp", 240);
    active.put("de", 960);
    String line =
        ConsoleProgress.line(
            12_000, 1200, 2000, now, before, 1.0, active, new SelfMonitor.Tick(45, 3, 5));
    assertThat(line)
        .contains("[   12s] viewers 1200/2000")
        .contains("350 req/s 40.0 Mbit/s")
        .contains("segment p50 120 ms p99 480 ms")
        .contains("stalls 3 errors 13")
        .contains("cpu 45% lag p99 3 ms")
        .contains("jp 240 v 2 err, de 960 v 0 err")
        .doesNotContain("WARNING");
  }

  @Test
  void aLaggingLoopWarnsThatTheLoadTesterIsTheBottleneck() {
    String line =
        ConsoleProgress.line(
            1000,
            1,
            1,
            ProgressSnapshot.empty(),
            ProgressSnapshot.empty(),
            1.0,
            Map.of(RegionMix.DEFAULT_REGION, 1),
            new SelfMonitor.Tick(99, 80, 120));
    assertThat(line).contains("the load tester itself is the bottleneck").doesNotContain("default");
  }

  @Test
  void cpuAndLagComeFromInjectedClocks() {
    long[] cpu = {0};
    long[] wall = {0};
    SelfMonitor monitor = new SelfMonitor(() -> cpu[0], () -> wall[0], 2);
    cpu[0] = 1_000_000_000L;
    wall[0] = 1_000_000_000L;
    assertThat(monitor.tick().cpuPercent()).isEqualTo(50.0);
    cpu[0] = 3_000_000_000L;
    wall[0] = 2_000_000_000L;
    assertThat(monitor.tick().cpuPercent()).isEqualTo(100.0);
    assertThat(monitor.cpuPercentMean()).isEqualTo(75.0);
    assertThat(monitor.cpuPercentMax()).isEqualTo(100.0);
  }

  @Test
  void theRoutersEdgeTableGivesTheAdminUrl() {
    String json =
        "{\"edges\":[{\"id\":\"edge-fra\",\"adminUrl\":\"http://127.0.0.1:9001\"},"
            + "{\"id\":\"edge-tyo\",\"adminUrl\":\"http://127.0.0.1:9002/\"}],\"routable\":2}";
    assertThat(DrillRunner.adminUrl(json, "edge-tyo")).contains("http://127.0.0.1:9002/");
    assertThat(DrillRunner.adminUrl(json, "edge-bkk")).isEmpty();
  }
}
