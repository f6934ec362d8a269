package dev.segmentrelay.common.media.hls;

/** A playlist that cannot be used, with the line and the reason. */
public final class PlaylistParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PlaylistParseException(String message) {
    super(message);
  }

  static PlaylistParseException atLine(int line, String message) {
    return new PlaylistParseException("line " + line + ": " + message);
  }
}
