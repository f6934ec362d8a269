package dev.segmentrelay.common.media.dash;

/**
 * An MPD that cannot be used: not XML, not an MPD, a required attribute missing, or a value that
 * does not parse. The message names the element, the attribute and the offending value, so it can
 * go into a log line as is.
 */
public final class MpdParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MpdParseException(String message) {
    super(message);
  }

  public MpdParseException(String message, Throwable cause) {
    super(message, cause);
  }
}
