package dev.segmentrelay.common.media.dash;

import java.net.URI;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One Representation of an AdaptationSet, with what ingest needs already resolved.
 *
 * @param id {@code @id}
 * @param bandwidth {@code @bandwidth} in bits per second
 * @param codecs {@code @codecs} (inherited from the AdaptationSet when absent)
 * @param mimeType {@code @mimeType} (inherited from the AdaptationSet when absent)
 * @param width {@code @width}, for video
 * @param height {@code @height}, for video
 * @param baseUrl the absolute URL segment templates resolve against (MPD location and every BaseURL
 *     on the way down)
 * @param template the SegmentTemplate in force
 * @param periodIndex position of its Period in the MPD
 * @param adaptationSetIndex position of its AdaptationSet in the Period
 */
public record Representation(
    String id,
    long bandwidth,
    Optional<String> codecs,
    Optional<String> mimeType,
    OptionalInt width,
    OptionalInt height,
    URI baseUrl,
    SegmentTemplate template,
    int periodIndex,
    int adaptationSetIndex) {

  /** The absolute URL of the init segment, when the representation has one. */
  public Optional<URI> initializationUrl() {
    return template
        .initialization()
        .map(t -> baseUrl.resolve(SegmentUrlTemplate.expand(t, id, bandwidth, 0, 0)));
  }

  /** The absolute URL of the media segment with the given number and time. */
  public URI mediaUrl(long number, long time) {
    return baseUrl.resolve(
        SegmentUrlTemplate.expand(template.media(), id, bandwidth, number, time));
  }
}
