package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.common.config.Units;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code N@T/W}: {@code viewers} more viewers join, spread evenly over {@code window}, from {@code
 * at} after the run starts (e.g. {@code 5000@60s/30s}, a keynote). They leave with the others.
 */
public record Spike(int viewers, Duration at, Duration window) {
  private static final Pattern FORM =
      Pattern.compile("\\s*(\\d+)\\s*@\\s*([^/\\s]+)\\s*/\\s*(\\S+)\\s*");

  /**
   * Parses {@code N@T/W}.
   *
   * @throws IllegalArgumentException with the problem as a predicate ("is not N@T/W …")
   */
  public static Spike parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not N@T/W, e.g. 5000@60s/30s (5000 viewers join within 30 s at 60 s)");
    }
    int viewers;
    try {
      viewers = Integer.parseInt(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has too many viewers", e);
    }
    if (viewers < 1) {
      throw new IllegalArgumentException("'" + text + "' adds no viewers");
    }
    return new Spike(viewers, Units.parseDuration(m.group(2)), Units.parseDuration(m.group(3)));
  }

  @Override
  public String toString() {
    return viewers + "@" + Units.formatDuration(at) + "/" + Units.formatDuration(window);
  }
}
