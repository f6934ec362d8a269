package dev.segmentrelay.origin.dash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DashArchiveStateTest {
  private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

  @Test
  void roundTripsEveryField() {
    StoredSegment s1 = new StoredSegment(1, 0, 2000, "e1-chunk-v-00001.m4s", T0);
    StoredSegment s2 = new StoredSegment(2, 2000, 2000, "e1-chunk-v-00002.m4s", T0.plusSeconds(2));
    DashArchiveState.RepresentationState v =
        new DashArchiveState.RepresentationState(
            "v",
            800_000,
            "e1-chunk-$RepresentationID$-$Number%05d$.m4s",
            Optional.of("e1-init-v.m4s"),
            1000,
            12000,
            true,
            List.of(s1, s2));
    DashArchiveState.RepresentationState a =
        new DashArchiveState.RepresentationState(
            "a", 69_000, "e1-chunk-a-$Time$.m4s", Optional.empty(), 48000, 0, false, List.of());
    byte[] mpd = "<MPD/>".getBytes(StandardCharsets.UTF_8);
    DashArchiveState state =
        new DashArchiveState(
            Optional.of(T0),
            "e2",
            List.of(
                new DashArchiveState.EpochState(
                    "e1",
                    Optional.of(T0),
                    Optional.of("0"),
                    Duration.ofMillis(1500),
                    mpd,
                    0,
                    List.of(v, a)),
                new DashArchiveState.EpochState(
                    "e2",
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ofSeconds(4),
                    mpd,
                    2,
                    List.of())),
            true);

    DashArchiveState back = DashArchiveState.decode(state.encode());

    assertThat(back.anchor()).contains(T0);
    assertThat(back.epoch()).isEqualTo("e2");
    assertThat(back.ended()).isTrue();
    assertThat(back.epochs()).hasSize(2);
    DashArchiveState.EpochState e1 = back.epochs().get(0);
    assertThat(e1.tag()).isEqualTo("e1");
    assertThat(e1.sourceAvailabilityStart()).contains(T0);
    assertThat(e1.sourcePeriodId()).contains("0");
    assertThat(e1.publishedStart()).isEqualTo(Duration.ofMillis(1500));
    assertThat(e1.sourceMpd()).isEqualTo(mpd);
    assertThat(e1.representations()).containsExactly(v, a);
    DashArchiveState.EpochState e2 = back.epochs().get(1);
    assertThat(e2.sourceAvailabilityStart()).isEmpty();
    assertThat(e2.sourcePeriodId()).isEmpty();
    assertThat(e2.sourcePeriodIndex()).isEqualTo(2);
  }

  @Test
  void refusesAnHlsStateOrGarbageNamingTheProblem() {
    byte[] hls =
        "{\"format\":1,\"entry\":\"index.m3u8\",\"epoch\":\"e1\",\"renditions\":[]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DashArchiveState.decode(hls))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kind 'hls'");
    assertThatThrownBy(() -> DashArchiveState.decode("{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not parse");
  }
}
