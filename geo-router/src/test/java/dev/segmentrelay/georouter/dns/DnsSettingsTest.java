package dev.segmentrelay.georouter.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsSettingsTest {
  private static DnsSettings settings(List<String> names, Duration ttl, String hostmaster) {
    return DnsSettings.of("127.0.0.1", 0, names, ttl, "ns1.example.com", hostmaster);
  }

  @Test
  void namesAreLowerCasedWithoutTrailingDotAndDeduplicated() {
    DnsSettings settings =
        settings(List.of("Live.Example.COM.", "live.example.com", "b.test"), Duration.ZERO, "h.x");
    assertThat(settings.names()).containsExactly("live.example.com", "b.test");
  }

  @Test
  void hostmasterMailboxIsConverted() {
    assertThat(settings(List.of("a.test"), Duration.ofSeconds(5), "dns@Example.com").hostmaster())
        .isEqualTo("dns.example.com");
  }

  @Test
  void errorsNameTheBadValue() {
    assertThatThrownBy(() -> settings(List.of(), Duration.ZERO, "h.x"))
        .hasMessageContaining("--dns-name");
    assertThatThrownBy(() -> settings(List.of("bad name.test"), Duration.ZERO, "h.x"))
        .hasMessageContaining("'bad name.test'");
    assertThatThrownBy(() -> settings(List.of("a..test"), Duration.ZERO, "h.x"))
        .hasMessageContaining("'a..test'");
    assertThatThrownBy(() -> settings(List.of("x".repeat(64) + ".test"), Duration.ZERO, "h.x"))
        .hasMessageContaining("63");
    assertThatThrownBy(() -> settings(List.of("a.test"), Duration.ofMillis(1500), "h.x"))
        .hasMessageContaining("PT1.5S");
    assertThatThrownBy(() -> settings(List.of("a.test"), Duration.ofDays(2), "h.x"))
        .hasMessageContaining("PT48H");
    assertThatThrownBy(() -> settings(List.of("a.test"), Duration.ZERO, "first.last@x.test"))
        .hasMessageContaining("first.last@x.test");
    assertThatThrownBy(
            () ->
                new DnsSettings(
                    "127.0.0.1",
                    70000,
                    List.of("a.test"),
                    Duration.ZERO,
                    "ns.test",
                    "h.test",
                    1,
                    Duration.ofSeconds(1),
                    1))
        .hasMessageContaining("70000");
    assertThatThrownBy(
            () -> settings(List.of("a.test"), Duration.ZERO, "h.x").withTcpTimeout(Duration.ZERO))
        .hasMessageContaining("PT0S");
  }
}
