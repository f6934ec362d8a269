package dev.segmentrelay.dist.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopingClipSourceTest {
  private static final List<byte[]> CLIP = List.of(bytes("zero"), bytes("one"), bytes("two"));

  private final FakeClock clock = new FakeClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final LoopingClipSource source =
      new LoopingClipSource(CLIP, Duration.ofSeconds(2), 4, clock);

  @Test
  void startsWithAFullWindowAndAWrapInsideIt() {
    assertThat(source.playlist())
        .isEqualTo(
            """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:2
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-DISCONTINUITY-SEQUENCE:0
            #EXTINF:2.000,
            clip-0.ts
            #EXTINF:2.000,
            clip-1.ts
            #EXTINF:2.000,
            clip-2.ts
            #EXT-X-DISCONTINUITY
            #EXTINF:2.000,
            clip-3.ts
            """);
  }

  @Test
  void advancesOneSegmentPerSegmentDuration() {
    clock.advance(Duration.ofMillis(1999));
    assertThat(source.playlist()).contains("#EXT-X-MEDIA-SEQUENCE:0").doesNotContain("clip-4.ts");
    clock.advance(Duration.ofMillis(1));
    assertThat(source.playlist())
        .contains("#EXT-X-MEDIA-SEQUENCE:1")
        .doesNotContain("clip-0.ts")
        .endsWith("clip-4.ts\n");
  }

  @Test
  void discontinuitySlidingOutOfTheWindowIsCounted() {
    clock.advance(Duration.ofSeconds(6)); // window 3..6: clip-3 is first, its tag is dropped
    String playlist = source.playlist();
    assertThat(playlist)
        .contains("#EXT-X-MEDIA-SEQUENCE:3")
        .contains("#EXT-X-DISCONTINUITY-SEQUENCE:1")
        .contains("#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nclip-6.ts");
    assertThat(playlist.indexOf("#EXT-X-DISCONTINUITY\n"))
        .isGreaterThan(playlist.indexOf("clip-5.ts"));

    clock.advance(Duration.ofSeconds(2)); // window 4..7
    assertThat(source.playlist())
        .contains("#EXT-X-MEDIA-SEQUENCE:4")
        .contains("#EXT-X-DISCONTINUITY-SEQUENCE:1")
        .contains("#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nclip-6.ts");
  }

  @Test
  void segmentsLoopTheClipUnderUniqueNames() {
    clock.advance(Duration.ofSeconds(20));
    assertThat(source.segment("clip-0.ts"))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(CLIP.get(0)));
    assertThat(source.segment("clip-7.ts"))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(CLIP.get(1)));
    assertThat(source.segment("clip-13.ts"))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(CLIP.get(1)));
  }

  @Test
  void futureAndForeignNamesAreAbsent() {
    assertThat(source.segment("clip-3.ts")).isPresent();
    assertThat(source.segment("clip-4.ts")).as("not produced yet").isEmpty();
    assertThat(source.segment("segment-0.ts")).isEmpty();
    assertThat(source.segment("clip-.ts")).isEmpty();
    assertThat(source.segment("../clip-1.ts")).isEmpty();
  }

  @Test
  void committedClipLoads() {
    LoopingClipSource committed = LoopingClipSource.fromResources(clock);
    assertThat(committed.playlist()).contains("clip-4.ts");
    assertThat(committed.segment("clip-0.ts"))
        .hasValueSatisfying(ts -> assertThat(ts[0]).as("MPEG-TS sync byte").isEqualTo((byte) 0x47));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A clock that moves only when told. */
  static final class FakeClock extends Clock {
    private Instant now;

    FakeClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
