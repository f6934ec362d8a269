package dev.segmentrelay.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one kind of setting is read from each source and written back for help texts and docs. Parse
 * methods throw {@link IllegalArgumentException} whose message is the problem as a predicate ("is
 * not a number"); the loader puts the key, the value and its source in front.
 *
 * <p>Scalars read the same text from every source. {@linkplain #pairs Pairs} ({@code NAME=VALUE})
 * and {@linkplain #list lists} also accept a YAML mapping or sequence, a comma-separated
 * environment variable and a repeated flag.
 */
public interface SettingType<T> {

  /** Placeholder for the value in help, e.g. {@code N}, {@code SIZE}. */
  String label();

  /** Parses the text of an environment variable or a YAML scalar. */
  T fromText(String text);

  /** Parses the values of the flag, in command-line order; non-repeatable flags have one. */
  default T fromFlags(List<String> values) {
    return fromText(values.get(values.size() - 1));
  }

  /** Parses a YAML node; {@code null} nodes never reach here (they mean "not set"). */
  default T fromYaml(JsonNode node) {
    if (!node.isValueNode()) {
      throw new IllegalArgumentException("is a YAML " + describe(node) + ", not a single value");
    }
    return fromText(node.asText());
  }

  /** Writes a value the way {@link #fromText} reads it. */
  String format(T value);

  /** Whether the flag may be given several times. */
  default boolean repeatable() {
    return false;
  }

  /** Any text. */
  static SettingType<String> string(String label) {
    return scalar(label, text -> text, value -> value);
  }

  /** A whole number in {@code [min, max]}. */
  static SettingType<Integer> integer(String label, int min, int max) {
    return scalar(
        label,
        text -> {
          int value;
          try {
            value = Integer.parseInt(text.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a number", e);
          }
          if (value < min || value > max) {
            throw new IllegalArgumentException("is not in " + min + "-" + max);
          }
          return value;
        },
        String::valueOf);
  }

  /** A TCP port, 0 meaning "any free port". */
  static SettingType<Integer> port() {
    return integer("PORT", 0, 65535);
  }

  /** A size in bytes, see {@link Units#parseSize}. */
  static SettingType<Long> size() {
    return scalar("SIZE", Units::parseSize, Units::formatSize);
  }

  /** A positive duration, see {@link Units#parseDuration}. */
  static SettingType<Duration> duration() {
    return scalar("DURATION", Units::parseDuration, Units::formatDuration);
  }

  /** An absolute {@code http://} or {@code https://} URL. */
  static SettingType<URI> httpUrl() {
    return scalar("URL", SettingType::parseHttpUrl, URI::toString);
  }

  /**
   * Named values, in the order given: {@code NAME=VALUE}. With {@code valueRequired} false, a bare
   * {@code NAME} maps to the empty string (and so does a YAML {@code NAME:} with no value).
   */
  static SettingType<Map<String, String>> pairs(String label, boolean valueRequired) {
    return new PairsType(label, valueRequired);
  }

  /** A list of words: YAML sequence, or comma-separated text; a repeated flag appends. */
  static SettingType<List<String>> list(String label) {
    return new ListType(label);
  }

  /** {@code true}/{@code false} (also {@code yes}/{@code no}, {@code on}/{@code off}). */
  static SettingType<Boolean> bool() {
    return scalar(
        "true|false",
        text -> {
          String t = text.trim().toLowerCase(java.util.Locale.ROOT);
          if (t.equals("true") || t.equals("yes") || t.equals("on")) {
            return true;
          }
          if (t.equals("false") || t.equals("no") || t.equals("off")) {
            return false;
          }
          throw new IllegalArgumentException("is not true or false");
        },
        String::valueOf);
  }

  /** A single-value type from a parser and a formatter. */
  static <T> SettingType<T> scalar(
      String label,
      java.util.function.Function<String, T> parser,
      java.util.function.Function<T, String> formatter) {
    return new SettingType<>() {
      @Override
      public String label() {
        return label;
      }

      @Override
      public T fromText(String text) {
        return parser.apply(text);
      }

      @Override
      public String format(T value) {
        return formatter.apply(value);
      }
    };
  }

  private static URI parseHttpUrl(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a URL: " + e.getReason(), e);
    }
    String scheme = uri.getScheme();
    if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null) {
      throw new IllegalArgumentException("is not an http:// or https:// URL with a host");
    }
    return uri;
  }

  private static String describe(JsonNode node) {
    if (node.isObject()) {
      return "mapping";
    }
    return node.isArray()
        ? "sequence"
        : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  /** {@code NAME=VALUE} pairs; see {@link SettingType#pairs}. */
  final class PairsType implements SettingType<Map<String, String>> {
    private final String label;
    private final boolean valueRequired;

    private PairsType(String label, boolean valueRequired) {
      this.label = label;
      this.valueRequired = valueRequired;
    }

    @Override
    public String label() {
      return label;
    }

    @Override
    public boolean repeatable() {
      return true;
    }

    @Override
    public Map<String, String> fromText(String text) {
      List<String> items = new ArrayList<>();
      for (String item : text.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return fromFlags(items);
    }

    @Override
    public Map<String, String> fromFlags(List<String> values) {
      Map<String, String> pairs = new LinkedHashMap<>();
      for (String item : values) {
        int eq = item.indexOf('=');
        String name = (eq < 0 ? item : item.substring(0, eq)).trim();
        String value = eq < 0 ? "" : item.substring(eq + 1).trim();
        put(pairs, name, value);
      }
      return Collections.unmodifiableMap(pairs);
    }

    @Override
    public Map<String, String> fromYaml(JsonNode node) {
      if (!node.isObject()) {
        throw new IllegalArgumentException(
            "is not a YAML mapping (write it as 'name: value' lines under the key)");
      }
      Map<String, String> pairs = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        JsonNode value = entry.getValue();
        if (!value.isNull() && !value.isValueNode()) {
          throw new IllegalArgumentException(
              "has a nested structure under '" + entry.getKey() + "', expected a single value");
        }
        put(pairs, entry.getKey(), value.isNull() ? "" : value.asText().trim());
      }
      return Collections.unmodifiableMap(pairs);
    }

    private void put(Map<String, String> pairs, String name, String value) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("has an empty name, expected " + label);
      }
      if (valueRequired && value.isEmpty()) {
        throw new IllegalArgumentException("has no value for '" + name + "', expected " + label);
      }
      if (pairs.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException("names '" + name + "' twice");
      }
    }

    @Override
    public String format(Map<String, String> value) {
      StringBuilder text = new StringBuilder();
      value.forEach(
          (name, v) -> {
            if (text.length() > 0) {
              text.append(',');
            }
            text.append(name);
            if (!v.isEmpty()) {
              text.append('=').append(v);
            }
          });
      return text.toString();
    }
  }

  /** Comma-separated words; see {@link SettingType#list}. */
  final class ListType implements SettingType<List<String>> {
    private final String label;

    private ListType(String label) {
      this.label = label;
    }

    @Override
    public String label() {
      return label;
    }

    @Override
    public boolean repeatable() {
      return true;
    }

    @Override
    public List<String> fromText(String text) {
      List<String> items = new ArrayList<>();
      for (String item : text.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return List.copyOf(items);
    }

    @Override
    public List<String> fromFlags(List<String> values) {
      List<String> items = new ArrayList<>();
      values.forEach(v -> items.addAll(fromText(v)));
      return List.copyOf(items);
    }

    @Override
    public List<String> fromYaml(JsonNode node) {
      if (node.isValueNode()) {
        return fromText(node.asText());
      }
      if (!node.isArray()) {
        throw new IllegalArgumentException("is not a YAML sequence or comma-separated text");
      }
      List<String> items = new ArrayList<>();
      for (JsonNode item : node) {
        if (!item.isValueNode()) {
          throw new IllegalArgumentException("has a nested structure, expected single values");
        }
        items.add(item.asText().trim());
      }
      return List.copyOf(items);
    }

    @Override
    public String format(List<String> value) {
      return String.join(",", value);
    }
  }
}
