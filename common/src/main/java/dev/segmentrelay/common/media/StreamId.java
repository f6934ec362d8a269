package dev.segmentrelay.common.media;

/**
 * A stream (room) name as it appears in {@code /live/{stream}/…}: {@code [a-z0-9][a-z0-9_-]{0,63}}.
 */
public record StreamId(String value) {

  public StreamId {
    if (!isValid(value)) {
      throw new IllegalArgumentException(
          "invalid stream name '"
              + value
              + "': use 1 to 64 characters of a-z, 0-9, '_' and '-', starting with a letter or"
              + " digit");
    }
  }

  /** {@code [a-z0-9][a-z0-9_-]{0,63}}, checked by hand: this runs on every viewer request. */
  public static boolean isValid(String value) {
    if (value == null || value.isEmpty() || value.length() > 64) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return value;
  }
}
