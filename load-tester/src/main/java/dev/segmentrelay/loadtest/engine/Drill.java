package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.common.config.Units;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A failure rehearsed during the run: at {@code at}, {@link Action#DRAIN} the named edge through
 * its admin API, or {@link Action#KILL} it with the configured command. Written {@code
 * at=30s,drain=edge-tyo} or {@code at=30s,kill=edge-tyo}.
 */
public record Drill(Duration at, Action action, String edge) {
  /** What happens to the edge. */
  public enum Action {
    /** {@code POST {adminUrl}/admin/drain}: no new viewers, current ones still served. */
    DRAIN,
    /** The {@code --drill-command} with {@code {edge}} replaced: the edge dies. */
    KILL
  }

  /**
   * Parses {@code at=30s,drain=edge-tyo}.
   *
   * @throws IllegalArgumentException with the problem as a predicate
   */
  public static Drill parse(String text) {
    Map<String, String> parts = new LinkedHashMap<>();
    for (String item : text.split(",")) {
      int eq = item.indexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        throw new IllegalArgumentException(
            "'" + text + "' is not at=DURATION,drain=EDGE or at=DURATION,kill=EDGE");
      }
      String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (parts.put(key, item.substring(eq + 1).trim()) != null) {
        throw new IllegalArgumentException("'" + text + "' names " + key + " twice");
      }
    }
    String at = parts.remove("at");
    if (at == null) {
      throw new IllegalArgumentException("'" + text + "' has no at=DURATION, e.g. at=30s");
    }
    Duration when = Units.parseDuration(at);
    if (parts.size() != 1) {
      throw new IllegalArgumentException(
          "'" + text + "' needs exactly one of drain=EDGE or kill=EDGE");
    }
    Map.Entry<String, String> only = parts.entrySet().iterator().next();
    Action action;
    switch (only.getKey()) {
      case "drain" -> action = Action.DRAIN;
      case "kill" -> action = Action.KILL;
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' has '" + only.getKey() + "', expected drain=EDGE or kill=EDGE");
    }
    if (!only.getValue().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "'" + text + "' names edge '" + only.getValue() + "', not an edge id");
    }
    return new Drill(when, action, only.getValue());
  }

  @Override
  public String toString() {
    return "at="
        + Units.formatDuration(at)
        + ","
        + action.name().toLowerCase(Locale.ROOT)
        + "="
        + edge;
  }
}
