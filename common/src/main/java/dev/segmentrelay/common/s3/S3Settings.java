package dev.segmentrelay.common.s3;

import dev.segmentrelay.common.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the S3 tier lives and how to reach it: endpoint ({@code http} or {@code https}), bucket,
 * region, path-style addressing, an optional key prefix under which every key of this relay is
 * stored (e.g. {@code relay/}), credentials and the timeouts of one call. Built once and validated
 * at the boundary ({@link #resolve}); every error names the bad value and what to do.
 *
 * @param keyPrefix empty, or a prefix ending in {@code /} that {@link S3Store} puts before every
 *     key and strips from listed keys
 * @param connectTimeout bound on opening a connection to the endpoint
 * @param callTimeout bound on one whole call, retries included
 */
public record S3Settings(
    URI endpoint,
    String bucket,
    String region,
    boolean pathStyle,
    String keyPrefix,
    S3Credentials credentials,
    Duration connectTimeout,
    Duration callTimeout) {
  public static final String DEFAULT_REGION = "us-east-1";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");

  public S3Settings {
    requireArgument(endpoint != null, "--s3-endpoint is required (e.g. http://127.0.0.1:9000)");
    String scheme = endpoint.getScheme();
    requireArgument(
        ("http".equals(scheme) || "https".equals(scheme)) && endpoint.getHost() != null,
        "--s3-endpoint '"
            + endpoint
            + "' must be an http or https URL with a host (e.g. http://127.0.0.1:9000)");
    requireArgument(
        bucket != null && BUCKET.matcher(bucket).matches() && !bucket.contains(".."),
        "--s3-bucket '"
            + bucket
            + "' is not a valid bucket name: 3 to 63 lowercase letters, digits, '.' or '-',"
            + " starting and ending with a letter or digit");
    requireArgument(
        region != null && REGION.matcher(region).matches(),
        "--s3-region '" + region + "' is not a region name (e.g. " + DEFAULT_REGION + ")");
    keyPrefix = normalisePrefix(keyPrefix);
    requireArgument(credentials != null, "S3 credentials are required");
    requireArgument(
        connectTimeout != null && connectTimeout.toMillis() > 0,
        "S3 connect timeout must be positive, was " + connectTimeout);
    requireArgument(
        callTimeout != null && callTimeout.toMillis() > 0,
        "S3 call timeout must be positive, was " + callTimeout);
  }

  /**
   * Settings with the defaults: region {@value #DEFAULT_REGION}, path-style, no key prefix, {@link
   * #DEFAULT_CONNECT_TIMEOUT} and {@link #DEFAULT_CALL_TIMEOUT}.
   */
  public static S3Settings of(URI endpoint, String bucket, S3Credentials credentials) {
    return new S3Settings(
        endpoint,
        bucket,
        DEFAULT_REGION,
        true,
        "",
        credentials,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Settings from the operator's values: {@code endpoint} and {@code bucket} as given on the
   * command line or in the config file, credentials from {@code credentialsFile} (its {@code
   * profile}, else {@code AWS_PROFILE}, else {@code default}) when given, otherwise from {@code
   * env} ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}).
   *
   * @throws ConfigException naming the missing or bad value and what to do
   */
  public static S3Settings resolve(
      String endpoint,
      String bucket,
      Optional<String> region,
      Optional<String> keyPrefix,
      Map<String, String> env,
      Optional<Path> credentialsFile,
      Optional<String> profile) {
    return new S3Settings(
        parseEndpoint(endpoint),
        bucket,
        region.filter(r -> !r.isBlank()).orElse(DEFAULT_REGION),
        true,
        keyPrefix.orElse(""),
        S3Credentials.resolve(env, credentialsFile, profile),
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_CALL_TIMEOUT);
  }

  static URI parseEndpoint(String endpoint) {
    requireArgument(
        endpoint != null && !endpoint.isBlank(),
        "--s3-endpoint is required (e.g. http://127.0.0.1:9000)");
    try {
      return new URI(endpoint.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException(
          "--s3-endpoint '" + endpoint + "' is not a URL (e.g. http://127.0.0.1:9000)", e);
    }
  }

  public S3Settings withPathStyle(boolean pathStyle) {
    return new S3Settings(
        endpoint, bucket, region, pathStyle, keyPrefix, credentials, connectTimeout, callTimeout);
  }

  public S3Settings withKeyPrefix(String keyPrefix) {
    return new S3Settings(
        endpoint, bucket, region, pathStyle, keyPrefix, credentials, connectTimeout, callTimeout);
  }

  public S3Settings withBucket(String bucket) {
    return new S3Settings(
        endpoint, bucket, region, pathStyle, keyPrefix, credentials, connectTimeout, callTimeout);
  }

  public S3Settings withCredentials(S3Credentials credentials) {
    return new S3Settings(
        endpoint, bucket, region, pathStyle, keyPrefix, credentials, connectTimeout, callTimeout);
  }

  public S3Settings withTimeouts(Duration connectTimeout, Duration callTimeout) {
    return new S3Settings(
        endpoint, bucket, region, pathStyle, keyPrefix, credentials, connectTimeout, callTimeout);
  }

  /** Endpoint and bucket, as logs and errors name the store. */
  public String describe() {
    return endpoint + " bucket " + bucket;
  }

  static String normalisePrefix(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      return "";
    }
    String p = prefix.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    requireArgument(
        !p.contains("..") && !p.contains("//") && !p.contains("\\"),
        "--s3-key-prefix '"
            + prefix
            + "' must be a plain path such as relay/ (no '..', '//', '\\')");
    if (p.isEmpty()) {
      return "";
    }
    return p.endsWith("/") ? p : p + "/";
  }

  private static void requireArgument(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }
}
