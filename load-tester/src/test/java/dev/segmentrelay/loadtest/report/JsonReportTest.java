package dev.segmentrelay.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReportTest {
  @TempDir Path dir;

  private JsonNode written() throws Exception {
    Summary s = SampleRun.summary();
    Path file = dir.resolve("out/results.json");
    JsonReport.write(s, Optional.of(Slo.parse("stall_ratio<0.1,errors<1").evaluate(s)), file);
    return new ObjectMapper().readTree(Files.readString(file));
  }

  @Test
  void documentedTopLevelKeysCarryTheRunsValues() throws Exception {
    JsonNode j = written();
    List<String> keys = new ArrayList<>();
    j.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .contains(
            "viewers",
            "startup_ms",
            "segment_ms",
            "stalls",
            "rebuffer_ratio",
            "requests",
            "errors",
            "bytes",
            "errors_by_kind",
            "stall_ms",
            "switches",
            "regions",
            "edges",
            "cache",
            "timeline",
            "drills",
            "load_tester",
            "slo",
            "run",
            "histograms");
    assertThat(j.get("viewers").asLong()).isEqualTo(3);
    for (String latency : List.of("startup_ms", "segment_ms")) {
      assertThat(j.get(latency).has("p50")).isTrue();
      assertThat(j.get(latency).has("p95")).isTrue();
      assertThat(j.get(latency).has("p99")).isTrue();
      assertThat(j.get(latency).has("max")).isTrue();
      assertThat(j.get(latency).has("mean")).isTrue();
    }
    assertThat(j.get("startup_ms").get("count").asLong()).isEqualTo(3);
    assertThat(j.get("startup_ms").get("p50").asDouble()).isCloseTo(600, within(1.0));
    assertThat(j.get("segment_ms").get("count").asLong()).isEqualTo(16);
    assertThat(j.get("stalls").asLong()).isEqualTo(1);
    assertThat(j.get("rebuffer_ratio").asDouble()).isCloseTo(0.06, within(1e-6));
    assertThat(j.get("requests").asLong()).isEqualTo(17);
    assertThat(j.get("errors").asLong()).isEqualTo(1);
    assertThat(j.get("bytes").asLong()).isEqualTo(16 * 125_000L);
    assertThat(j.get("errors_by_kind").get("CONNECT").asLong()).isEqualTo(1);
    assertThat(j.get("stall_ms").get("total").asDouble()).isEqualTo(900);
    assertThat(j.get("edge_moves").asLong()).isEqualTo(1);
  }

  @Test
  void groupsTimelineDrillsAndLoadTesterAreFilled() throws Exception {
    JsonNode j = written();
    assertThat(j.get("regions").get("jp").get("viewers").asLong()).isEqualTo(1);
    assertThat(j.get("regions").get("de").get("startup_ms").get("p95").asDouble())
        .isCloseTo(600, within(1.0));
    assertThat(j.get("regions").get("jp").get("stalls").asLong()).isEqualTo(1);
    assertThat(j.get("edges").get("tokyo-1").get("errors").asLong()).isEqualTo(1);
    assertThat(j.get("edges").get(SampleRun.NASTY_EDGE).get("segments").asLong()).isEqualTo(10);
    assertThat(j.get("edges").get("bangkok-1").get("cache").get("COALESCED").asLong()).isEqualTo(1);
    assertThat(j.get("cache").get("MISS").get("requests").asLong()).isEqualTo(3);
    assertThat(j.get("cache").get("HIT").get("requests").asLong()).isEqualTo(12);
    assertThat(j.get("timeline").size()).isEqualTo(5);
    JsonNode second = j.get("timeline").get(1);
    assertThat(second.get("t").asDouble()).isEqualTo(2.0);
    assertThat(second.get("viewers").asLong()).isEqualTo(3);
    assertThat(second.get("mbps").asDouble()).isCloseTo(3.0, within(1e-6));
    assertThat(second.get("segment_p99").asDouble()).isCloseTo(20, within(0.1));
    JsonNode drill = j.get("drills").get(0);
    assertThat(drill.get("name").asText()).isEqualTo("kill tokyo-1");
    assertThat(drill.get("affected").asLong()).isEqualTo(1);
    assertThat(drill.get("recovery_ms").get("max").asDouble()).isCloseTo(1000, within(1.0));
    JsonNode lt = j.get("load_tester");
    assertThat(lt.get("cpu").get("one_core_percent").asDouble()).isEqualTo(53);
    assertThat(lt.get("loop_lag_ms").get("p99").asDouble()).isEqualTo(1.5);
    assertThat(lt.get("warning").asBoolean()).isFalse();
    assertThat(lt.get("heap_per_viewer_bytes").asLong()).isEqualTo(12_000);
    assertThat(j.get("slo").get("passed").asBoolean()).isFalse();
    assertThat(j.get("slo").get("checks").get(1).get("actual").asDouble()).isEqualTo(1);
    assertThat(j.get("run").get("viewers").asInt()).isEqualTo(3);
    assertThat(j.get("run").get("regions").get("jp").asInt()).isEqualTo(40);
  }

  @Test
  void histogramsDecodeToTheSameDistribution() throws Exception {
    JsonNode j = written();
    Histogram startup = JsonReport.decodeHistogram(j.get("histograms").get("startup").asText());
    Histogram segment = JsonReport.decodeHistogram(j.get("histograms").get("segment").asText());
    assertThat(startup.getTotalCount()).isEqualTo(3);
    assertThat(startup.getMaxValue()).isBetween(799_000L, 801_000L);
    assertThat(segment.getTotalCount()).isEqualTo(16);
    assertThat(j.get("histograms").get("unit").asText()).isEqualTo("us");
  }
}
