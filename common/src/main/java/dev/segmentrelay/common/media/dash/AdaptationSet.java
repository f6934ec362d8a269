package dev.segmentrelay.common.media.dash;

import java.util.List;
import java.util.Optional;

/**
 * An AdaptationSet: interchangeable encodings of one content component.
 *
 * @param index position in its Period
 * @param id {@code @id}, when given
 * @param contentType {@code @contentType}, when given
 * @param mimeType {@code @mimeType}, when given
 * @param representations its Representations, in document order
 */
public record AdaptationSet(
    int index,
    Optional<String> id,
    Optional<String> contentType,
    Optional<String> mimeType,
    List<Representation> representations) {
  public AdaptationSet {
    representations = List.copyOf(representations);
  }
}
