package dev.segmentrelay.edge.overflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.s3.S3ObjectSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepPlanTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  private static S3ObjectSummary object(String key, long size, Duration age) {
    return new S3ObjectSummary(key, size, NOW.minus(age));
  }

  @Test
  void deletesWhatIsOlderThanMaxAge() {
    List<S3ObjectSummary> listing =
        List.of(
            object("segments/r/new.ts", 10, Duration.ofMinutes(1)),
            object("segments/r/old.ts", 10, Duration.ofHours(2)),
            object("segments/r/older.ts", 10, Duration.ofHours(3)));
    assertThat(SweepPlan.select(listing, NOW, Duration.ofHours(1), 1_000))
        .containsExactly("segments/r/older.ts", "segments/r/old.ts");
  }

  @Test
  void deletesTheOldestUntilTheRestFitsMaxBytes() {
    List<S3ObjectSummary> listing =
        List.of(
            object("c", 400, Duration.ofMinutes(1)),
            object("a", 400, Duration.ofMinutes(3)),
            object("b", 400, Duration.ofMinutes(2)));
    assertThat(SweepPlan.select(listing, NOW, Duration.ofHours(1), 800)).containsExactly("a");
    assertThat(SweepPlan.select(listing, NOW, Duration.ofHours(1), 1200)).isEmpty();
    assertThat(SweepPlan.select(listing, NOW, Duration.ofHours(1), 399))
        .containsExactly("a", "b", "c");
  }

  @Test
  void equalTimesAreOrderedByKeySoEveryEdgeChoosesAlike() {
    List<S3ObjectSummary> listing =
        List.of(object("y", 100, Duration.ZERO), object("x", 100, Duration.ZERO));
    assertThat(SweepPlan.select(listing, NOW, Duration.ofHours(1), 100)).containsExactly("x");
  }
}
