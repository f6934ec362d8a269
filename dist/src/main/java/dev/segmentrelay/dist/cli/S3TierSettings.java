package dev.segmentrelay.dist.cli;

import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.common.config.SettingType;
import dev.segmentrelay.common.s3.S3Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The S3 settings {@code relay origin} (archive) and {@code relay edge} (overflow tier) share: a
 * role lists {@code S3TierSettings.appendTo(its settings)} in its schema and gets its {@link
 * S3Settings} from {@link #toS3Settings}. Without {@code --s3-endpoint} the role runs without S3.
 *
 * <p>Credentials never come from a flag: {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}
 * (and {@code AWS_SESSION_TOKEN}) from the environment, or an AWS credentials file named by {@code
 * --s3-credentials-file} (which the YAML config may set).
 */
public final class S3TierSettings {
  public static final Setting<String> ENDPOINT =
      Setting.optional(
          "s3-endpoint",
          SettingType.string("URL"),
          "S3-compatible endpoint (MinIO, Garage, AWS, S3Proxy), e.g. http://127.0.0.1:9000;"
              + " unset: no S3 tier. Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or"
              + " --s3-credentials-file.");
  public static final Setting<String> BUCKET =
      Setting.optional(
          "s3-bucket", SettingType.string("NAME"), "Bucket (it must exist; path-style access).");
  public static final Setting<String> REGION =
      Setting.of(
          "s3-region",
          SettingType.string("REGION"),
          S3Settings.DEFAULT_REGION,
          "Region for request signing.");
  public static final Setting<String> PREFIX =
      Setting.optional(
          "s3-prefix",
          SettingType.string("PREFIX"),
          "Key prefix of every object, e.g. fra1/ (a bucket shared by deployments).");
  public static final Setting<String> CREDENTIALS_FILE =
      Setting.optional(
          "s3-credentials-file",
          SettingType.string("FILE"),
          "AWS credentials file (INI: [default] aws_access_key_id=…, aws_secret_access_key=…)"
              + " instead of the AWS_* variables.");
  public static final Setting<String> PROFILE =
      Setting.optional(
          "s3-profile",
          SettingType.string("NAME"),
          "Profile in the credentials file (default: AWS_PROFILE, else default).");
  public static final Setting<Boolean> REQUIRED =
      Setting.of(
          "s3-required",
          SettingType.bool(),
          false,
          "Refuse to start while S3 is unusable (unreachable, 403, missing bucket); false: start"
              + " with the S3 tier off and a warning, and switch it on when S3 answers.");

  /** The shared settings, in help order. */
  public static final List<Setting<?>> SETTINGS =
      List.of(ENDPOINT, BUCKET, REGION, PREFIX, CREDENTIALS_FILE, PROFILE, REQUIRED);

  private S3TierSettings() {}

  /** A role's own settings followed by the S3 settings. */
  public static List<Setting<?>> appendTo(List<Setting<?>> roleSettings) {
    List<Setting<?>> all = new ArrayList<>(roleSettings);
    all.addAll(SETTINGS);
    return List.copyOf(all);
  }

  /**
   * The S3 store to use, or empty without {@code --s3-endpoint}.
   *
   * @param environment where {@code AWS_*} credentials are read
   * @throws ConfigException naming the missing or bad value and what to do
   */
  public static Optional<S3Settings> toS3Settings(
      ResolvedConfig config, Map<String, String> environment) {
    Optional<String> endpoint = config.find(ENDPOINT).filter(e -> !e.isBlank());
    Optional<String> bucket = config.find(BUCKET).filter(b -> !b.isBlank());
    if (endpoint.isEmpty()) {
      if (bucket.isPresent()) {
        throw new ConfigException(
            "--s3-bucket " + bucket.get() + " needs --s3-endpoint URL (the S3 server to use)");
      }
      return Optional.empty();
    }
    if (bucket.isEmpty()) {
      throw new ConfigException(
          "--s3-endpoint " + endpoint.get() + " needs --s3-bucket NAME (the bucket to use)");
    }
    try {
      return Optional.of(
          S3Settings.resolve(
              endpoint.get(),
              bucket.get(),
              config.find(REGION),
              config.find(PREFIX),
              environment,
              config.find(CREDENTIALS_FILE).map(Path::of),
              config.find(PROFILE)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + config.sourcesOfKeysIn(e.getMessage()), e);
    }
  }

  /** Whether the role must refuse to start while S3 is unusable. */
  public static boolean required(ResolvedConfig config) {
    return config.get(REQUIRED);
  }
}
