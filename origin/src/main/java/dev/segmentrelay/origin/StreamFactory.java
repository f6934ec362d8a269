package dev.segmentrelay.origin;

import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.dash.DashStream;
import dev.segmentrelay.origin.hls.HlsStream;
import dev.segmentrelay.origin.ingest.IngestSource;
import dev.segmentrelay.origin.store.SegmentStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Locale;

/**
 * Picks the stream implementation for a pull URL: DASH for {@code .mpd}, HLS otherwise; both are
 * written through to the archive.
 */
final class StreamFactory {
  private StreamFactory() {}

  static PublishedStream pulled(
      OriginConfig.PullStream s,
      IngestSource source,
      SegmentStore store,
      Registry registry,
      OriginConfig config,
      Vertx vertx,
      Clock clock,
      MeterRegistry meters,
      Archive archive) {
    String path = s.url().getPath() == null ? "" : s.url().getPath().toLowerCase(Locale.ROOT);
    if (path.endsWith(".mpd")) {
      return new DashStream(
          s.name(),
          s.url(),
          source,
          store,
          registry.segments(),
          registry.streams(),
          config,
          vertx,
          clock,
          meters,
          archive);
    }
    return HlsStream.pulled(
        s.name(),
        s.url(),
        source,
        store,
        registry.segments(),
        registry.streams(),
        config,
        vertx,
        clock,
        meters,
        archive);
  }
}
