package dev.segmentrelay.common.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Layers a role's configuration: defaults, then the YAML file, then environment variables, then
 * command-line flags; the last source that sets a key wins, for lists and maps too (the value is
 * replaced, not merged). Every value is parsed once, here, and every problem is a {@link
 * ConfigException} naming the key, the source and what was expected. Unknown YAML keys and unknown
 * {@code RELAY_<ROLE>_*} variables are errors: a typo must never be silently ignored.
 *
 * <p>Empty environment variables count as unset (service managers often write {@code NAME=}), as do
 * YAML keys with no value ({@code poll-interval:}).
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final ConfigSchema schema;

  public ConfigLoader(ConfigSchema schema) {
    this.schema = schema;
  }

  /**
   * Resolves every setting.
   *
   * @param configFlag the {@code --config} flag, if given; else {@code RELAY_<ROLE>_CONFIG} is used
   * @param environment the process environment (or a test's)
   * @param flags values of the flags that were given, by setting key, in command-line order
   * @throws ConfigException if any value is unusable
   */
  public ResolvedConfig load(
      Optional<Path> configFlag, Map<String, String> environment, Map<String, List<String>> flags) {
    Map<String, ResolvedConfig.Entry> entries = new HashMap<>();
    for (Setting<?> setting : schema.settings()) {
      setting
          .defaultValue()
          .ifPresent(
              value ->
                  entries.put(
                      setting.key(),
                      new ResolvedConfig.Entry(value, ConfigSource.DEFAULT, "default")));
    }
    Optional<Path> file =
        configFlag.or(() -> nonEmpty(environment.get(schema.configFileVariable())).map(Path::of));
    file.ifPresent(path -> readFile(path, entries));
    readEnvironment(environment, entries);
    readFlags(flags, entries);
    return new ResolvedConfig(schema, entries);
  }

  private void readFile(Path path, Map<String, ResolvedConfig.Entry> entries) {
    String origin = path.toString();
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(path));
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + origin + " does not exist", e);
    } catch (JacksonException e) {
      throw new ConfigException(
          "config file " + origin + " is not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException("config file " + origin + " cannot be read: " + e, e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException(
          "config file " + origin + " must be a YAML mapping of keys to values");
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      Setting<?> setting =
          schema
              .setting(field.getKey())
              .orElseThrow(() -> unknownKey(field.getKey(), "in " + origin));
      JsonNode node = field.getValue();
      if (node.isNull()) {
        continue;
      }
      String text = node.isValueNode() ? node.asText() : node.toString();
      Object value = parse(setting, text, origin, () -> setting.type().fromYaml(node));
      entries.put(setting.key(), new ResolvedConfig.Entry(value, ConfigSource.FILE, origin));
    }
  }

  private void readEnvironment(
      Map<String, String> environment, Map<String, ResolvedConfig.Entry> entries) {
    Map<String, Setting<?>> byVariable = new HashMap<>();
    schema.settings().forEach(s -> byVariable.put(schema.environmentVariable(s), s));
    for (String variable : new TreeSet<>(environment.keySet())) {
      if (!variable.startsWith(schema.environmentPrefix())
          || variable.equals(schema.configFileVariable())) {
        continue;
      }
      Setting<?> setting = byVariable.get(variable);
      if (setting == null) {
        throw unknownVariable(variable);
      }
      Optional<String> text = nonEmpty(environment.get(variable));
      if (text.isPresent()) {
        Object value =
            parse(setting, text.get(), variable, () -> setting.type().fromText(text.get()));
        entries.put(
            setting.key(), new ResolvedConfig.Entry(value, ConfigSource.ENVIRONMENT, variable));
      }
    }
  }

  private void readFlags(
      Map<String, List<String>> flags, Map<String, ResolvedConfig.Entry> entries) {
    for (Map.Entry<String, List<String>> flag : flags.entrySet()) {
      Setting<?> setting =
          schema
              .setting(flag.getKey())
              .orElseThrow(
                  () -> new IllegalArgumentException("no setting '" + flag.getKey() + "'"));
      List<String> values = List.copyOf(flag.getValue());
      if (values.isEmpty()) {
        continue;
      }
      String text = String.join(" ", values);
      Object value = parse(setting, text, setting.flag(), () -> setting.type().fromFlags(values));
      entries.put(
          setting.key(), new ResolvedConfig.Entry(value, ConfigSource.FLAG, setting.flag()));
    }
  }

  private static Object parse(
      Setting<?> setting, String text, String origin, java.util.function.Supplier<?> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          ConfigException.message(setting.key(), text, origin, e.getMessage()), e);
    }
  }

  private ConfigException unknownKey(String key, String where) {
    return new ConfigException(
        "unknown key '"
            + key
            + "' "
            + where
            + closest(key, schema.settings().stream().map(Setting::key).toList())
            + "; known keys: "
            + String.join(", ", schema.settings().stream().map(Setting::key).toList()));
  }

  private ConfigException unknownVariable(String variable) {
    List<String> known = new ArrayList<>();
    schema.settings().forEach(s -> known.add(schema.environmentVariable(s)));
    known.add(schema.configFileVariable());
    return new ConfigException(
        "unknown environment variable "
            + variable
            + closest(variable, known)
            + "; every "
            + schema.environmentPrefix()
            + "* variable must name a setting");
  }

  /** {@code " (did you mean 'port'?)"} when a known name is within two edits, else empty. */
  private static String closest(String name, List<String> known) {
    return known.stream()
        .filter(k -> editDistance(name, k) <= 2)
        .min(Comparator.comparingInt(k -> editDistance(name, k)))
        .map(k -> " (did you mean '" + k + "'?)")
        .orElse("");
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
