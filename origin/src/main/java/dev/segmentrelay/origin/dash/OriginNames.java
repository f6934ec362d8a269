package dev.segmentrelay.origin.dash;

import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.common.media.dash.SegmentUrlTemplate;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * How a source template becomes an origin name: the directories between the source MPD and the
 * object are kept, and the file name gets the epoch tag in front ({@code
 * chunk-stream$RepresentationID$-$Number%05d$.m4s} becomes {@code
 * e1a2b3c-chunk-stream$RepresentationID$-$Number%05d$.m4s}). An object outside the MPD's directory
 * (another host, an absolute path) keeps only its file name.
 */
final class OriginNames {
  private static final Pattern HAS_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  private OriginNames() {}

  /**
   * The origin template for a source template.
   *
   * @param sourceTemplate {@code @media} or {@code @initialization} as the source wrote it
   * @param base the representation's resolved base URL
   * @param mpdUrl where the source MPD lives
   */
  static String prefixed(String sourceTemplate, URI base, URI mpdUrl, String epochTag) {
    String template = sourceTemplate;
    int query = template.indexOf('?');
    if (query >= 0) {
      template = template.substring(0, query);
    }
    int slash = template.lastIndexOf('/');
    String file = template.substring(slash + 1);
    String directory;
    if (HAS_SCHEME.matcher(template).matches() || template.startsWith("/")) {
      directory = "";
    } else {
      directory = directoryBelow(base, mpdUrl) + template.substring(0, slash + 1);
    }
    return directory + epochTag + "-" + file;
  }

  /**
   * Checks that every name {@code template} can produce is a safe relative media path, by expanding
   * it with the representation's values.
   *
   * @throws IllegalArgumentException naming the problem
   */
  static void requireSafe(String template, String representationId, long bandwidth) {
    String sample = SegmentUrlTemplate.expand(template, representationId, bandwidth, 1, 0);
    try {
      MediaPath.validRelativePath(sample);
    } catch (MediaPath.InvalidPathException e) {
      throw new IllegalArgumentException(
          "origin name '" + MediaPath.printable(sample) + "' is not usable: " + e.getMessage(), e);
    }
    if (ObjectKind.of(sample).isEmpty()) {
      throw new IllegalArgumentException(
          "origin name '"
              + MediaPath.printable(sample)
              + "' has no media extension (.m4s .mp4 .m4v .m4a .cmfv .cmfa …)");
    }
  }

  private static String directoryBelow(URI base, URI mpdUrl) {
    URI mpdDirectory = mpdUrl.resolve(".");
    String basePath = base.getPath() == null ? "" : base.getPath();
    String mpdPath = mpdDirectory.getPath() == null ? "" : mpdDirectory.getPath();
    boolean sameServer =
        String.valueOf(base.getScheme()).equalsIgnoreCase(String.valueOf(mpdUrl.getScheme()))
            && String.valueOf(base.getAuthority())
                .equalsIgnoreCase(String.valueOf(mpdUrl.getAuthority()));
    if (!sameServer || !basePath.startsWith(mpdPath)) {
      return "";
    }
    String below = basePath.substring(mpdPath.length());
    return below.substring(0, below.lastIndexOf('/') + 1);
  }
}
