package dev.segmentrelay.common.config;

/** Where a setting's value came from, lowest precedence first: a later source overrides. */
public enum ConfigSource {
  DEFAULT,
  FILE,
  ENVIRONMENT,
  FLAG
}
