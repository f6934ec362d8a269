package dev.segmentrelay.common.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The value of every setting of a role after layering, with the source each one came from, so a
 * later check (a role's typed config record) can still say where a bad value was set.
 */
public final class ResolvedConfig {
  /** One setting's value and where it was written. */
  record Entry(Object value, ConfigSource source, String origin) {}

  private final ConfigSchema schema;
  private final Map<String, Entry> entries;

  ResolvedConfig(ConfigSchema schema, Map<String, Entry> entries) {
    this.schema = schema;
    this.entries = Map.copyOf(entries);
  }

  public ConfigSchema schema() {
    return schema;
  }

  /**
   * The value of a setting that has a default (or was set).
   *
   * @throws IllegalStateException if the setting is optional and unset: use {@link #find}
   */
  public <T> T get(Setting<T> setting) {
    return find(setting)
        .orElseThrow(
            () -> new IllegalStateException("setting '" + setting.key() + "' has no value"));
  }

  /** The value of a setting, empty if it is optional and no source set it. */
  public <T> Optional<T> find(Setting<T> setting) {
    Entry entry = entries.get(checkKnown(setting).key());
    if (entry == null) {
      return Optional.empty();
    }
    // The loader stored a value parsed by this setting's own type.
    @SuppressWarnings("unchecked")
    T value = (T) entry.value();
    return Optional.of(value);
  }

  /** Which source set the value ({@link ConfigSource#DEFAULT} when none did). */
  public ConfigSource source(Setting<?> setting) {
    Entry entry = entries.get(checkKnown(setting).key());
    return entry == null ? ConfigSource.DEFAULT : entry.source();
  }

  /**
   * Where the value was written, for messages: {@code --port}, {@code RELAY_ORIGIN_PORT}, {@code
   * origin.yaml} or {@code default}.
   */
  public String origin(Setting<?> setting) {
    Entry entry = entries.get(checkKnown(setting).key());
    return entry == null ? "default" : entry.origin();
  }

  /**
   * An error about a value that parsed but cannot be used, naming key and source: {@code streams:
   * 'Room 1' from --stream is not a valid stream name}.
   */
  public ConfigException invalid(Setting<?> setting, String value, String problem) {
    return new ConfigException(
        ConfigException.message(setting.key(), value, origin(setting), problem));
  }

  /**
   * Where each setting named in {@code message} was set, for a check that spans several keys (a
   * role's config record): {@code " (cache-size from --cache-size, playlist-window from default)"},
   * or {@code ""} when the message names none.
   */
  public String sourcesOfKeysIn(String message) {
    Map<String, String> origins = new LinkedHashMap<>();
    for (Setting<?> setting : schema.settings()) {
      Pattern key = Pattern.compile("(?<![a-z-])" + Pattern.quote(setting.key()) + "(?![a-z-])");
      if (key.matcher(message).find()) {
        origins.put(setting.key(), origin(setting));
      }
    }
    if (origins.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    origins.forEach((key, origin) -> parts.add(key + " from " + origin));
    return " (" + String.join(", ", parts) + ")";
  }

  private Setting<?> checkKnown(Setting<?> setting) {
    if (schema.setting(setting.key()).isEmpty()) {
      throw new IllegalArgumentException(
          "setting '" + setting.key() + "' is not part of the " + schema.role() + " schema");
    }
    return setting;
  }
}
