package dev.segmentrelay.common.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of one role ({@code origin}, {@code edge}, {@code router}, …) and how they are named
 * in each source: YAML key {@code admin-port}, environment variable {@code
 * RELAY_ORIGIN_ADMIN_PORT}, flag {@code --admin-port}. The config file itself is {@code --config
 * FILE} or {@code RELAY_ORIGIN_CONFIG}.
 */
public final class ConfigSchema {
  /** Key of the config file setting; not a YAML key. */
  public static final String CONFIG_KEY = "config";

  private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9]*");

  private final String role;
  private final Map<String, Setting<?>> settings = new LinkedHashMap<>();

  public ConfigSchema(String role, List<Setting<?>> settings) {
    if (role == null || !ROLE.matcher(role).matches()) {
      throw new IllegalArgumentException("role '" + role + "' must be a lower-case word");
    }
    this.role = role;
    for (Setting<?> setting : settings) {
      if (CONFIG_KEY.equals(setting.key())) {
        throw new IllegalArgumentException("'config' is reserved for the config file");
      }
      if (this.settings.putIfAbsent(setting.key(), setting) != null) {
        throw new IllegalArgumentException("setting '" + setting.key() + "' is defined twice");
      }
    }
  }

  public String role() {
    return role;
  }

  /** In declaration order. */
  public List<Setting<?>> settings() {
    return List.copyOf(settings.values());
  }

  public Optional<Setting<?>> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  /** {@code RELAY_ORIGIN_}: every variable of this role starts with it. */
  public String environmentPrefix() {
    return "RELAY_" + role.toUpperCase(Locale.ROOT) + "_";
  }

  /** {@code RELAY_ORIGIN_ADMIN_PORT} for {@code admin-port}. */
  public String environmentVariable(Setting<?> setting) {
    return environmentVariable(setting.key());
  }

  /** {@code RELAY_ORIGIN_CONFIG}: the config file when no {@code --config} flag is given. */
  public String configFileVariable() {
    return environmentVariable(CONFIG_KEY);
  }

  private String environmentVariable(String key) {
    return environmentPrefix() + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
