package dev.segmentrelay.common.media.dash;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SegmentUrlTemplateTest {
  @Test
  void expandsIdentifiersWithWidths() {
    assertThat(
            SegmentUrlTemplate.expand(
                "chunk-stream$RepresentationID$-$Number%05d$.m4s", "0", 1, 42, 0))
        .isEqualTo("chunk-stream0-00042.m4s");
    assertThat(SegmentUrlTemplate.expand("$Time$.m4v", "v", 1, 1, 12023)).isEqualTo("12023.m4v");
    assertThat(SegmentUrlTemplate.expand("$Bandwidth%08d$/$$$Number%02d$", "v", 800000, 123, 0))
        .isEqualTo("00800000/$123");
  }

  @Test
  void reportsProblems() {
    assertThat(SegmentUrlTemplate.problem("$Number$.m4s")).isEmpty();
    assertThat(SegmentUrlTemplate.problem("$Number.m4s")).get().asString().contains("unclosed");
    assertThat(SegmentUrlTemplate.problem("$Index$.m4s")).get().asString().contains("$Index$");
    assertThat(SegmentUrlTemplate.problem("$Number%5d$.m4s")).get().asString().contains("%0Nd");
    assertThat(SegmentUrlTemplate.problem("$RepresentationID%02d$.m4s")).isPresent();
  }
}
