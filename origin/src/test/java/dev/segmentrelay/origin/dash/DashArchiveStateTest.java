package dev.segmentrelay.origin.dash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.origin.archive.StateHead;
import dev.segmentrelay.origin.archive.StateLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  private static DashArchiveState withSegments(List<StoredSegment> segments) {
    return new DashArchiveState(
        Optional.of(T0),
        "e1",
        List.of(
            new DashArchiveState.EpochState(
                "e1",
                Optional.of(T0),
                Optional.of("0"),
                Duration.ZERO,
                "<MPD/>".getBytes(StandardCharsets.UTF_8),
                0,
                List.of(
                    new DashArchiveState.RepresentationState(
                        "v",
                        800_000,
                        "e1-chunk-$RepresentationID$-$Number%05d$.m4s",
                        Optional.of("e1-init-v.m4s"),
                        1000,
                        0,
                        true,
                        segments)))),
        false);
  }

  private static StoredSegment segment(int n) {
    return new StoredSegment(
        n, 2000L * n, 2000, String.format("e1-chunk-v-%05d.m4s", n), T0.plusSeconds(2L * n));
  }

  @Test
  void roundTripsThroughChunksAndNamesALostOne() {
    StateLog<StoredSegment> log = new StateLog<>(3, "e1-0");
    Map<String, byte[]> chunks = new HashMap<>();
    for (int n = 1; n <= 8; n++) {
      log.add(segment(n));
      log.takeSealed().forEach(c -> chunks.put(c.name(), DashArchiveState.SEGMENTS.encodeChunk(c)));
    }
    DashArchiveState state = withSegments(log.snapshot());

    StateHead<DashArchiveState> head = DashArchiveState.decodeHead(state.encode());
    assertThat(head.chunks()).containsExactly("e1-0-0", "e1-0-1");
    DashArchiveState back = head.assemble(chunks, (n, why) -> {});
    assertThat(back.epochs().get(0).representations())
        .containsExactlyElementsOf(state.epochs().get(0).representations());
    assertThat(back.epochs().get(0).representations().get(0).segments()).hasSize(8);

    chunks.put("e1-0-1", "{}".getBytes(StandardCharsets.UTF_8));
    Map<String, String> lost = new HashMap<>();
    DashArchiveState damaged = head.assemble(chunks, lost::put);
    assertThat(lost).containsOnlyKeys("e1-0-1");
    assertThat(damaged.epochs().get(0).representations().get(0).segments())
        .extracting(StoredSegment::number)
        .containsExactly(1L, 2L, 3L, 7L, 8L);
  }

  @Test
  void singleObjectStateOfTheCurrentReleaseStillRestores() {
    // As DashArchiveState format 1 wrote it: every segment inline, no chunks.
    String v1 =
        """
        {"format":1,"kind":"dash","epoch":"e1","ended":false,"epochs":[{"tag":"e1","start":0,\
        "mpd":"PE1QRC8+","periodIndex":0,"representations":[{"id":"v","bandwidth":800000,\
        "media":"e1-chunk-$RepresentationID$-$Number%05d$.m4s","timescale":1000,"pto":0,\
        "numbered":true,"segments":[{"n":1,"t":2000,"d":2000,"path":"e1-chunk-v-00001.m4s",\
        "at":"2026-11-21T12:00:02Z"},{"n":2,"t":4000,"d":2000,"path":"e1-chunk-v-00002.m4s",\
        "at":"2026-11-21T12:00:04Z"}],"init":"e1-init-v.m4s"}],"sourceAst":"2026-11-21T12:00:00Z",\
        "sourcePeriodId":"0"}],"anchor":"2026-11-21T12:00:00Z"}""";

    StateHead<DashArchiveState> head =
        DashArchiveState.decodeHead(v1.getBytes(StandardCharsets.UTF_8));

    assertThat(head.chunks()).isEmpty();
    DashArchiveState state = head.assemble(Map.of(), (n, why) -> {});
    assertThat(state.epochs().get(0).representations())
        .containsExactlyElementsOf(
            withSegments(List.of(segment(1), segment(2))).epochs().get(0).representations());
    assertThat(state.epochs().get(0).sourceMpd()).asString().isEqualTo("<MPD/>");
  }
}
