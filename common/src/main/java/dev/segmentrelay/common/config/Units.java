package dev.segmentrelay.common.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes ({@code 512m}, {@code 4g}; binary multiples, a bare number is bytes) and durations ({@code
 * 500ms}, {@code 10s}, {@code 2m}, {@code 1h}) as operators write them, both ways.
 */
public final class Units {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(?:i?b)?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final String[] SIZE_SUFFIXES = {"t", "g", "m", "k"};
  private static final long[] SIZE_MULTIPLIERS = {1L << 40, 1L << 30, 1L << 20, 1L << 10};

  private Units() {}

  /**
   * Parses a size in bytes.
   *
   * @throws IllegalArgumentException with a message saying what a size looks like
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("is not a size (use e.g. 65536, 512k, 512m, 4g)");
    }
    long multiplier =
        switch (m.group(2)) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          case "t" -> 1L << 40;
          default -> 1L;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("is too large", e);
    }
  }

  /** The shortest exact form: {@code 268435456} becomes {@code 256m}. */
  public static String formatSize(long bytes) {
    for (int i = 0; i < SIZE_SUFFIXES.length; i++) {
      if (bytes != 0 && bytes % SIZE_MULTIPLIERS[i] == 0) {
        return bytes / SIZE_MULTIPLIERS[i] + SIZE_SUFFIXES[i];
      }
    }
    return Long.toString(bytes);
  }

  /**
   * Parses a duration with a unit.
   *
   * @throws IllegalArgumentException with a message saying what a duration looks like
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("is not a duration (use e.g. 500ms, 10s, 2m, 1h)");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("is too long", e);
    }
  }

  /** The shortest exact form: 10 seconds becomes {@code 10s}, 1.5 seconds {@code 1500ms}. */
  public static String formatDuration(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
