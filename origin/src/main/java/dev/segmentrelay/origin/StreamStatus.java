package dev.segmentrelay.origin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code /api/v1/streams} reports for one stream.
 *
 * @param name stream name
 * @param protocol {@code hls} or {@code dash}
 * @param mode {@code pull} or {@code push}
 * @param state {@code starting} (nothing published yet), {@code live}, {@code stalled} (no new
 *     segment for the configured time) or {@code ended} (the source ended the presentation)
 * @param entry relative path of the stream's entry document (master playlist or MPD)
 * @param renditions relative paths of rendition playlists, or DASH representation ids
 * @param newestSegmentAge age of the newest published segment, if any
 * @param segmentsPublished count since start
 * @param epoch current ingest epoch tag (changes when the transcoder restarts)
 * @param startedAt when ingest started
 * @param lastError the most recent ingest problem, if any, as a sentence
 */
public record StreamStatus(
    String name,
    String protocol,
    String mode,
    String state,
    String entry,
    List<String> renditions,
    Optional<Duration> newestSegmentAge,
    long segmentsPublished,
    String epoch,
    Instant startedAt,
    Optional<String> lastError) {
  public StreamStatus {
    renditions = List.copyOf(renditions);
  }
}
