package dev.segmentrelay.common.media.dash;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code xs:duration} as MPDs use it ({@code PT2S}, {@code PT0H0M10.000S}, {@code P1DT2H}). Years
 * and months have no fixed length; they are read as 365 and 30 days, which no live MPD is precise
 * enough to notice. Negative durations are refused.
 */
public final class XsDuration {
  private static final Pattern FORMAT =
      Pattern.compile(
          "P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)D)?"
              + "(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d*)?|\\.\\d+)S)?)?");

  private XsDuration() {}

  /**
   * Parses a non-negative {@code xs:duration}.
   *
   * @throws IllegalArgumentException saying why the text is not one
   */
  public static Duration parse(String text) {
    String s = text.strip();
    if (s.startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' is a negative duration");
    }
    Matcher m = FORMAT.matcher(s);
    if (!m.matches() || s.equals("P") || s.endsWith("T")) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an xs:duration such as PT2S or PT1M30.5S");
    }
    Duration d = Duration.ZERO;
    d = d.plusDays(365 * number(m.group(1)) + 30 * number(m.group(2)) + number(m.group(3)));
    d = d.plusHours(number(m.group(4))).plusMinutes(number(m.group(5)));
    if (m.group(6) != null) {
      BigDecimal seconds = new BigDecimal(m.group(6).endsWith(".") ? m.group(6) + "0" : m.group(6));
      BigDecimal nanos = seconds.movePointRight(9);
      d = d.plusNanos(nanos.longValue());
    }
    return d;
  }

  /** Formats a duration as the shortest {@code PT…S} form with at most millisecond precision. */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("negative duration " + duration);
    }
    BigDecimal seconds = BigDecimal.valueOf(duration.toMillis()).movePointLeft(3);
    return "PT" + seconds.stripTrailingZeros().toPlainString() + "S";
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }
}
