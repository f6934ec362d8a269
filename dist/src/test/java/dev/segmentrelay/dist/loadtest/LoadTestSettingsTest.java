package dev.segmentrelay.dist.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ConfigLoader;
import dev.segmentrelay.loadtest.engine.Drill;
import dev.segmentrelay.loadtest.engine.ForwardedFor;
import dev.segmentrelay.loadtest.engine.LoadTestConfig;
import dev.segmentrelay.loadtest.engine.RegionMix;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Flags, variables and YAML into a validated {@link LoadTestConfig}. */
class LoadTestSettingsTest {
  private static LoadTestConfig parse(Map<String, String> env, String... flagPairs) {
    Map<String, List<String>> flags = new LinkedHashMap<>();
    flags.put("url", List.of("http://127.0.0.1:8088/live/room1/master.m3u8"));
    for (int i = 0; i + 1 < flagPairs.length; i += 2) {
      flags.computeIfAbsent(flagPairs[i], k -> new java.util.ArrayList<>()).add(flagPairs[i + 1]);
    }
    return LoadTestSettings.toLoadTestConfig(
        new ConfigLoader(LoadTestSettings.SCHEMA).load(Optional.empty(), env, flags));
  }

  @Test
  void theStableCommandLineParses() {
    LoadTestConfig c =
        parse(
            Map.of(),
            "viewers",
            "2000",
            "duration",
            "5m",
            "ramp",
            "30s",
            "out",
            "results.json",
            "report",
            "report.html",
            "regions",
            "jp=20,th=10,de=70",
            "slo",
            "stall_ratio<0.01,startup_p95<3s");
    assertThat(c.viewers()).isEqualTo(2000);
    assertThat(c.duration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.ramp()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.out()).hasValueSatisfying(p -> assertThat(p.toString()).isEqualTo("results.json"));
    assertThat(c.slo()).contains("stall_ratio<0.01,startup_p95<3s");
    assertThat(c.regions().regions())
        .extracting(RegionMix.Region::code)
        .containsExactly("jp", "th", "de");
    assertThat(c.fetch().routerAuthority()).isEqualTo("127.0.0.1:8088");
    assertThat(c.fetch().forwardedFor()).isEqualTo(ForwardedFor.ROUTER);
    assertThat(c.eventLoops()).isPositive();
  }

  @Test
  void severalDrillFlagsKeepTheirCommasAndVariablesSeparateThemBySemicolons() {
    LoadTestConfig c =
        parse(
            Map.of("RELAY_LOADTEST_EDGE_ADMIN_TOKEN", "0123456789abcdef"),
            "drills",
            "at=30s,drain=edge-tyo",
            "drills",
            "at=40s,drain=edge-bkk");
    assertThat(c.drills())
        .containsExactly(
            new Drill(Duration.ofSeconds(30), Drill.Action.DRAIN, "edge-tyo"),
            new Drill(Duration.ofSeconds(40), Drill.Action.DRAIN, "edge-bkk"));
    LoadTestConfig fromEnv =
        parse(
            Map.of(
                "RELAY_LOADTEST_DRILLS", "at=10s,kill=edge-fra;at=20s,kill=edge-tyo",
                "RELAY_LOADTEST_DRILL_COMMAND", "true {edge}"));
    assertThat(fromEnv.drills()).extracting(Drill::edge).containsExactly("edge-fra", "edge-tyo");
  }

  @Test
  void drillsInYamlAreASequenceWhoseItemsKeepTheirCommas(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path yaml = dir.resolve("loadtest.yaml");
    java.nio.file.Files.writeString(
        yaml,
        "url: http://127.0.0.1:8088/live/room1/master.m3u8\n"
            + "drill-command: 'true'\n"
            + "drills:\n  - at=10s,kill=edge-fra\n  - at=20s,kill=edge-tyo\n");
    LoadTestConfig c =
        LoadTestSettings.toLoadTestConfig(
            new ConfigLoader(LoadTestSettings.SCHEMA).load(Optional.of(yaml), Map.of(), Map.of()));
    assertThat(c.drills()).extracting(Drill::edge).containsExactly("edge-fra", "edge-tyo");
  }

  @Test
  void aDrainWithoutATokenIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "drills", "at=30s,drain=edge-tyo"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--edge-admin-token");
  }

  @Test
  void aSpikeAfterTheHoldIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "duration", "60s", "spikes", "100@90s/10s"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("spikes")
        .hasMessageContaining("after the hold ends");
  }

  @Test
  void aDrillAfterTheRunIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    Map.of(),
                    "duration",
                    "10s",
                    "drills",
                    "at=30s,kill=edge-tyo",
                    "drill-command",
                    "true"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("after the run ends");
  }

  @Test
  void tooManyViewersWithSpikesAreRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "viewers", "150000", "spikes", "60000@10s/10s"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("210000");
  }

  @Test
  void aRegionCidrReplacesTheBuiltInNetwork() {
    LoadTestConfig c = parse(Map.of(), "regions", "jp=100", "region-cidrs", "jp=10.1.0.0/16");
    assertThat(c.regions().next().clientAddress()).contains("10.1.0.1");
  }

  @Test
  void aBadRenditionIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "rendition", "best"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rendition");
  }
}
