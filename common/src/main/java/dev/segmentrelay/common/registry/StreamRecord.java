package dev.segmentrelay.common.registry;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * A stream catalog entry, as the registry's {@code streams} map holds it.
 *
 * @param id stream name
 * @param title human title (defaults to the id)
 * @param protocol {@code hls} or {@code dash}
 * @param renditions relative paths of the rendition playlists or representation ids
 * @param state {@code starting}, {@code live}, {@code stalled} or {@code ended}
 * @param startedAt when ingest of this stream began
 */
public record StreamRecord(
    String id,
    String title,
    String protocol,
    List<String> renditions,
    String state,
    Instant startedAt)
    implements Serializable {
  public StreamRecord {
    renditions = List.copyOf(renditions);
  }
}
