package dev.segmentrelay.dist.cli;

import dev.segmentrelay.common.config.ConfigLoader;
import dev.segmentrelay.common.config.ConfigSchema;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Turns a role's {@link ConfigSchema} into picocli options, one per setting plus {@code --config
 * FILE}, each documented with its default and environment variable, and reads them back for the
 * {@link ConfigLoader}. Options carry raw text: parsing and validation happen once, in the loader,
 * so that a flag, a variable and a YAML key give the same error for the same bad value.
 */
public final class SchemaOptions {
  private static final String CONFIG_FLAG = "--config";

  private SchemaOptions() {}

  /** Adds {@code --config} and one option per setting to {@code command}. */
  public static void addTo(CommandSpec command, ConfigSchema schema) {
    command.addOption(
        OptionSpec.builder(CONFIG_FLAG)
            .paramLabel("FILE")
            .type(String.class)
            .description(
                "YAML file with any of the settings below (keys without the leading --);"
                    + " flags and environment variables override it.",
                "Env: " + schema.configFileVariable() + ".")
            .build());
    for (Setting<?> setting : schema.settings()) {
      OptionSpec.Builder option =
          OptionSpec.builder(setting.flag())
              .paramLabel(setting.paramLabel())
              .arity("1")
              .description(setting.description(), details(schema, setting));
      if (setting.type().repeatable()) {
        option.type(List.class).auxiliaryTypes(String.class);
      } else {
        option.type(String.class);
      }
      command.addOption(option.build());
    }
  }

  /**
   * Layers defaults, the config file, {@code environment} and the parsed flags.
   *
   * @throws dev.segmentrelay.common.config.ConfigException for any unusable value
   */
  public static ResolvedConfig load(
      ParseResult parsed, ConfigSchema schema, Map<String, String> environment) {
    Optional<Path> configFile =
        Optional.ofNullable(parsed.matchedOption(CONFIG_FLAG))
            .map(option -> Path.of(option.stringValues().get(0)));
    Map<String, List<String>> flags = new LinkedHashMap<>();
    for (Setting<?> setting : schema.settings()) {
      OptionSpec matched = parsed.matchedOption(setting.flag());
      if (matched != null) {
        flags.put(setting.key(), List.copyOf(matched.stringValues()));
      }
    }
    return new ConfigLoader(schema).load(configFile, environment, flags);
  }

  private static String details(ConfigSchema schema, Setting<?> setting) {
    StringBuilder text = new StringBuilder("Default: ").append(setting.defaultText());
    text.append(". Env: ").append(schema.environmentVariable(setting));
    if (!setting.flag().equals("--" + setting.key())) {
      text.append(". YAML: ").append(setting.key());
    }
    return text.append('.').toString();
  }
}
