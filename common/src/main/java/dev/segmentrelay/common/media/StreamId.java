package dev.segmentrelay.common.media;

import java.util.regex.Pattern;

/**
 * A stream (room) name as it appears in {@code /live/{stream}/…}: {@code [a-z0-9][a-z0-9_-]{0,63}}.
 */
public record StreamId(String value) {
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  public StreamId {
    if (value == null || !VALID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid stream name '"
              + value
              + "': use 1 to 64 characters of a-z, 0-9, '_' and '-', starting with a letter or"
              + " digit");
    }
  }

  public static boolean isValid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  @Override
  public String toString() {
    return value;
  }
}
