package dev.segmentrelay.origin.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The ingest counters of one stream, the same for HLS and DASH. */
public final class IngestMetrics {
  private final Counter segmentsPublished;
  private final Counter segmentsSkipped;
  private final Counter playlistErrors;
  private final Counter segmentErrors;

  public IngestMetrics(MeterRegistry meters, String stream) {
    segmentsPublished =
        Counter.builder("relay_origin_segments_ingested")
            .description("segments fetched, stored and published")
            .tag("stream", stream)
            .register(meters);
    segmentsSkipped =
        Counter.builder("relay_origin_segments_skipped")
            .description("segments given up after retries (published as a gap or discontinuity)")
            .tag("stream", stream)
            .register(meters);
    playlistErrors = errors(meters, stream, "playlist");
    segmentErrors = errors(meters, stream, "segment");
  }

  private static Counter errors(MeterRegistry meters, String stream, String cause) {
    return Counter.builder("relay_origin_ingest_errors")
        .description("failed source fetches and unusable playlists or MPDs")
        .tag("stream", stream)
        .tag("cause", cause)
        .register(meters);
  }

  public void segmentPublished() {
    segmentsPublished.increment();
  }

  public void segmentSkipped() {
    segmentsSkipped.increment();
  }

  /** A playlist or MPD that could not be fetched or used. */
  public void playlistError() {
    playlistErrors.increment();
  }

  /** One failed attempt to fetch a segment. */
  public void segmentError() {
    segmentErrors.increment();
  }
}
