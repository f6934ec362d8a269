package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.FakeLiveSource;
import dev.segmentrelay.common.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A long event, accelerated: a fake transcoder emits two renditions of 30 ms, 64 KiB segments, so
 * 1,800 segments (thirty minutes of 2-second segments per rendition) pass through the origin in
 * about a minute. The store's size, read from the {@code relay_origin_store_bytes} and {@code
 * relay_origin_store_objects} gauges on {@code /metrics} throughout the run, never exceeds the
 * configured window.
 */
class StoreMemoryIT {
  private static final int RENDITIONS = 2;
  private static final int SEGMENT_BYTES = 64 * 1024;
  private static final long STORE_MAX_BYTES = 512 * 1024;
  private static final int STORE_MAX_SEGMENTS = 12;

  /** 900 per rendition: thirty minutes of 2-second segments. */
  private static final long SEGMENTS_TO_PUBLISH = RENDITIONS * 900;

  @Test
  @Timeout(150)
  void storeStaysWithinItsWindowOverThousandsOfSegments() {
    try (FakeLiveSource source =
        FakeLiveSource.start(RENDITIONS, Duration.ofMillis(30), SEGMENT_BYTES, 10)) {
      OriginConfig d =
          OriginHarness.testConfig(
              List.of(OriginHarness.pull("room1", source.masterUrl())),
              List.of(),
              Optional.of(Duration.ofMillis(20)));
      OriginConfig config =
          new OriginConfig(
              d.bind(),
              d.port(),
              d.adminPort(),
              d.pullStreams(),
              d.pushStreams(),
              d.playlistWindow(),
              STORE_MAX_SEGMENTS,
              STORE_MAX_BYTES,
              128 * 1024,
              d.fetchTimeout(),
              d.stalledAfter(),
              d.pollInterval(),
              Optional.empty());
      try (OriginHarness origin = OriginHarness.start(config)) {
        origin.awaitReady(Duration.ofSeconds(30));
        double maxBytes = 0;
        double maxObjects = 0;
        long published = 0;
        int samples = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(100).toNanos();
        while (published < SEGMENTS_TO_PUBLISH && System.nanoTime() < deadline && samples < 2_000) {
          maxBytes = Math.max(maxBytes, origin.metric("relay_origin_store_bytes"));
          maxObjects = Math.max(maxObjects, origin.metric("relay_origin_store_objects"));
          published = origin.stream("room1").getLong("segmentsPublished");
          samples++;
          Waits.sleep(Duration.ofMillis(100));
        }
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(published)
            .as("segments published (source produced %d per rendition)", source.produced())
            .isGreaterThanOrEqualTo(SEGMENTS_TO_PUBLISH);
        soft.assertThat(maxBytes)
            .as("largest relay_origin_store_bytes over %d samples", samples)
            .isGreaterThan(0)
            .isLessThanOrEqualTo((double) RENDITIONS * STORE_MAX_BYTES);
        soft.assertThat(maxObjects)
            .as("largest relay_origin_store_objects over %d samples", samples)
            .isLessThanOrEqualTo((double) RENDITIONS * STORE_MAX_SEGMENTS);
        soft.assertAll();
        System.out.printf(
            "StoreMemoryIT: %d segments published, store max %.0f bytes / %.0f objects"
                + " (bound %d bytes / %d objects), %d samples%n",
            published,
            maxBytes,
            maxObjects,
            RENDITIONS * STORE_MAX_BYTES,
            RENDITIONS * STORE_MAX_SEGMENTS,
            samples);
      }
    }
  }
}
