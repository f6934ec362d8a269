package dev.segmentrelay.origin.hls;

import dev.segmentrelay.common.media.MediaPath;
import java.net.URI;

/** Maps source URIs to published paths that keep the source layout where it is safe. */
final class RenditionPaths {
  private RenditionPaths() {}

  /**
   * The path of {@code target} relative to the directory of {@code base}, when {@code target} is on
   * the same server below that directory and is a safe media path; otherwise {@code fallback}.
   */
  static String relativeOrElse(URI base, URI target, String fallback) {
    URI dir = base.resolve(".");
    URI rel = dir.relativize(target);
    if (rel.isAbsolute() || rel.getRawQuery() != null || rel.getRawPath() == null) {
      return fallback;
    }
    try {
      return MediaPath.validRelativePath(rel.getRawPath());
    } catch (MediaPath.InvalidPathException e) {
      return fallback;
    }
  }

  /** The last path segment of a URI, made safe for a published name. */
  static String safeFileName(URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    String safe = name.replaceAll("[^A-Za-z0-9_.~-]", "_");
    while (safe.startsWith(".")) {
      safe = safe.substring(1);
    }
    return safe.isEmpty() ? "segment" : safe;
  }

  /** Directory part of a relative path, with its trailing slash ("" for the stream root). */
  static String directoryOf(String path) {
    return path.substring(0, path.lastIndexOf('/') + 1);
  }
}
