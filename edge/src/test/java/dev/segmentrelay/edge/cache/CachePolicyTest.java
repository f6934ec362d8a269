package dev.segmentrelay.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.ObjectKind;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CachePolicyTest {
  private final CachePolicy policy = new CachePolicy(Duration.ofSeconds(1));

  @Test
  void maxAgeIsReadFromCacheControl() {
    assertThat(CachePolicy.maxAgeSeconds(Optional.of("public, max-age=3"))).hasValue(3);
    assertThat(CachePolicy.maxAgeSeconds(Optional.of("max-age=10, s-maxage=2"))).hasValue(2);
    assertThat(CachePolicy.maxAgeSeconds(Optional.of("no-cache"))).isEmpty();
    assertThat(CachePolicy.maxAgeSeconds(Optional.empty())).isEmpty();
  }

  @Test
  void liveDocumentsUseHalfTheirUpdateInterval() {
    Buffer m3u8 = Buffer.buffer("#EXTM3U\n#EXT-X-TARGETDURATION:6\n");
    assertThat(policy.ttlNanos(ObjectKind.PLAYLIST, 200, Optional.empty(), m3u8))
        .isEqualTo(Duration.ofSeconds(3).toNanos());
    Buffer mpd = Buffer.buffer("<MPD minimumUpdatePeriod=\"PT2S\" type=\"dynamic\">");
    assertThat(policy.ttlNanos(ObjectKind.MANIFEST, 200, Optional.empty(), mpd))
        .isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(
            policy.ttlNanos(ObjectKind.PLAYLIST, 200, Optional.empty(), Buffer.buffer("#EXTM3U")))
        .isEqualTo(CachePolicy.DEFAULT_LIVE_TTL.toNanos());
  }

  @Test
  void segmentsLiveForeverAndErrorsAreNotCached() {
    assertThat(policy.ttlNanos(ObjectKind.SEGMENT, 200, Optional.of("max-age=5"), Buffer.buffer()))
        .isEqualTo(CachePolicy.FOREVER);
    assertThat(policy.ttlNanos(ObjectKind.SEGMENT, 404, Optional.empty(), Buffer.buffer()))
        .isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(policy.ttlNanos(ObjectKind.SEGMENT, 500, Optional.empty(), Buffer.buffer()))
        .isZero();
  }
}
