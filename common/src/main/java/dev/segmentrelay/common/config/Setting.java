package dev.segmentrelay.common.config;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One configurable value of a role: its YAML key (also the base of its environment variable), its
 * command-line flag, its type, its default and a one-line description for help and docs.
 *
 * @param key YAML key, lower-case words joined by dashes, e.g. {@code admin-port}
 * @param flag command-line flag, {@code --key} unless the singular reads better ({@code --stream})
 * @param paramLabel placeholder for the value in help, e.g. {@code NAME=URL}
 * @param type how the value is parsed and formatted
 * @param defaultValue the value when no source sets one; empty for settings that are optional
 * @param description one sentence for help texts
 */
public record Setting<T>(
    String key,
    String flag,
    String paramLabel,
    SettingType<T> type,
    Optional<T> defaultValue,
    String description) {
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  public Setting {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(description, "description");
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("setting key '" + key + "' is not dash-case");
    }
    if (flag == null || !flag.startsWith("--")) {
      throw new IllegalArgumentException("flag of '" + key + "' must start with --");
    }
  }

  /** A setting with a default, flag {@code --key}. */
  public static <T> Setting<T> of(
      String key, SettingType<T> type, T defaultValue, String description) {
    return new Setting<>(
        key, "--" + key, type.label(), type, Optional.of(defaultValue), description);
  }

  /** A setting that may stay unset, flag {@code --key}. */
  public static <T> Setting<T> optional(String key, SettingType<T> type, String description) {
    return new Setting<>(key, "--" + key, type.label(), type, Optional.empty(), description);
  }

  /** The same setting under another flag name and value placeholder. */
  public Setting<T> withFlag(String newFlag, String newParamLabel) {
    return new Setting<>(key, newFlag, newParamLabel, type, defaultValue, description);
  }

  /**
   * The default as it would be written in YAML or on the command line; {@code (none)} for unset
   * settings and empty lists and maps.
   */
  public String defaultText() {
    return defaultValue.map(type::format).filter(text -> !text.isEmpty()).orElse("(none)");
  }
}
