package dev.segmentrelay.common.media.dash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class XsDurationTest {
  @Test
  void parsesTheFormsTranscodersWrite() {
    assertThat(XsDuration.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThat(XsDuration.parse("PT10.0S")).isEqualTo(Duration.ofSeconds(10));
    assertThat(XsDuration.parse("PT0H0M16.900S")).isEqualTo(Duration.ofMillis(16900));
    assertThat(XsDuration.parse("PT1M30.5S")).isEqualTo(Duration.ofMillis(90500));
    assertThat(XsDuration.parse("P1DT2H")).isEqualTo(Duration.ofHours(26));
    assertThat(XsDuration.parse("PT0.000001S")).isEqualTo(Duration.ofNanos(1000));
  }

  @Test
  void refusesWhatIsNotADuration() {
    for (String bad : new String[] {"", "P", "PT", "2S", "PT2X", "PT-2S", "-PT2S", "P1H"}) {
      assertThatThrownBy(() -> XsDuration.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void formatsShortest() {
    assertThat(XsDuration.format(Duration.ZERO)).isEqualTo("PT0S");
    assertThat(XsDuration.format(Duration.ofMillis(12340))).isEqualTo("PT12.34S");
    assertThat(XsDuration.format(Duration.ofHours(2))).isEqualTo("PT7200S");
  }
}
