package dev.segmentrelay.common.config;

/**
 * A configuration value that cannot be used. The message names the key, where the value came from
 * and what was expected, e.g. {@code port: 'abc' from RELAY_ORIGIN_PORT is not a number}, so it can
 * be shown to the operator as it is.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code key: 'value' from origin problem}. */
  static String message(String key, String value, String origin, String problem) {
    return key + ": '" + value + "' from " + origin + " " + problem;
  }
}
