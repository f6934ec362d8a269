package dev.segmentrelay.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void sizesUseBinaryMultiples() {
    assertThat(Units.parseSize("65536")).isEqualTo(65536);
    assertThat(Units.parseSize("512k")).isEqualTo(512L * 1024);
    assertThat(Units.parseSize("512m")).isEqualTo(512L * 1024 * 1024);
    assertThat(Units.parseSize("4g")).isEqualTo(4L * 1024 * 1024 * 1024);
    assertThat(Units.parseSize("4G")).isEqualTo(4L * 1024 * 1024 * 1024);
    assertThat(Units.parseSize("64MiB")).isEqualTo(64L * 1024 * 1024);
    assertThat(Units.parseSize("1t")).isEqualTo(1L << 40);
  }

  @Test
  void badSizesSayWhatASizeLooksLike() {
    assertThatThrownBy(() -> Units.parseSize("lots")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> Units.parseSize("-1m")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> Units.parseSize("1.5g")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> Units.parseSize("99999999999t")).hasMessageContaining("too large");
  }

  @Test
  void sizesFormatToTheShortestExactForm() {
    assertThat(Units.formatSize(256L * 1024 * 1024)).isEqualTo("256m");
    assertThat(Units.formatSize(4L << 30)).isEqualTo("4g");
    assertThat(Units.formatSize(1536)).isEqualTo("1536");
    assertThat(Units.formatSize(1500)).isEqualTo("1500");
    assertThat(Units.formatSize(0)).isEqualTo("0");
  }

  @Test
  void durationsNeedAUnit() {
    assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> Units.parseDuration("10"))
        .hasMessageContaining("is not a duration (use e.g. 500ms, 10s");
    assertThatThrownBy(() -> Units.parseDuration("ten seconds"))
        .hasMessageContaining("is not a duration");
  }

  @Test
  void durationsFormatToTheShortestExactForm() {
    assertThat(Units.formatDuration(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Units.formatDuration(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Units.formatDuration(Duration.ofMinutes(60))).isEqualTo("1h");
  }
}
