package dev.segmentrelay.common.media;

import java.util.Locale;
import java.util.Optional;

/**
 * What a path under {@code /live/{stream}/} names, decided by its extension. The kind decides the
 * cache rules (DESIGN.md): playlists and manifests are live and short-lived, segments and init
 * segments are immutable.
 */
public enum ObjectKind {
  /** HLS playlist (master or media). */
  PLAYLIST("application/vnd.apple.mpegurl"),
  /** DASH media presentation description. */
  MANIFEST("application/dash+xml"),
  /** Initialisation segment (EXT-X-MAP target or DASH initialization). */
  INIT("video/mp4"),
  /** Media segment. */
  SEGMENT("application/octet-stream");

  private final String defaultContentType;

  ObjectKind(String defaultContentType) {
    this.defaultContentType = defaultContentType;
  }

  public boolean isLive() {
    return this == PLAYLIST || this == MANIFEST;
  }

  /** Content type for a file name of this kind. */
  public static String contentType(String fileName) {
    String ext = extension(fileName);
    return switch (ext) {
      case "m3u8" -> "application/vnd.apple.mpegurl";
      case "mpd" -> "application/dash+xml";
      case "ts" -> "video/mp2t";
      case "aac" -> "audio/aac";
      case "vtt" -> "text/vtt";
      case "m4a", "cmfa" -> "audio/mp4";
      case "mp4", "m4s", "m4v", "cmfv" -> "video/mp4";
      default -> "application/octet-stream";
    };
  }

  /**
   * The kind of a media file name, or empty when its extension is not one the relay carries. A name
   * containing "init" with an fMP4 extension is an init segment.
   */
  public static Optional<ObjectKind> of(String fileName) {
    String ext = extension(fileName);
    switch (ext) {
      case "m3u8":
        return Optional.of(PLAYLIST);
      case "mpd":
        return Optional.of(MANIFEST);
      case "ts", "aac", "vtt":
        return Optional.of(SEGMENT);
      case "mp4", "m4s", "m4a", "m4v", "cmfv", "cmfa":
        String base = fileName.substring(fileName.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return Optional.of(base.contains("init") ? INIT : SEGMENT);
      default:
        return Optional.empty();
    }
  }

  static String extension(String fileName) {
    int slash = fileName.lastIndexOf('/');
    int dot = fileName.lastIndexOf('.');
    if (dot <= slash + 0 || dot == fileName.length() - 1) {
      return "";
    }
    return fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
