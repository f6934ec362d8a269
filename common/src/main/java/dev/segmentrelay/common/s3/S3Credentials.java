package dev.segmentrelay.common.s3;

import dev.segmentrelay.common.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An S3 access key pair (and an optional session token). It comes from the environment ({@code
 * AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}) or from an AWS
 * credentials file, never from a command-line value, and {@link #toString()} never prints the
 * secret or the token.
 */
public record S3Credentials(
    String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
  public static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
  public static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
  public static final String SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN";
  public static final String PROFILE_ENV = "AWS_PROFILE";

  /** The flag that names a credentials file, as error messages show it. */
  public static final String FILE_FLAG = "--s3-credentials-file";

  public S3Credentials {
    if (accessKeyId == null || accessKeyId.isBlank()) {
      throw new ConfigException("S3 access key id must not be empty");
    }
    if (secretAccessKey == null || secretAccessKey.isBlank()) {
      throw new ConfigException("S3 secret access key must not be empty");
    }
    sessionToken = sessionToken == null ? Optional.empty() : sessionToken.filter(t -> !t.isBlank());
  }

  public static S3Credentials of(String accessKeyId, String secretAccessKey) {
    return new S3Credentials(accessKeyId, secretAccessKey, Optional.empty());
  }

  /**
   * The credentials of {@code credentialsFile} when given (profile {@code profile}, else {@code
   * AWS_PROFILE}, else {@code default}), otherwise those of the environment.
   *
   * @throws ConfigException naming what is missing or unreadable and what to set instead
   */
  public static S3Credentials resolve(
      Map<String, String> env, Optional<Path> credentialsFile, Optional<String> profile) {
    if (credentialsFile.isPresent()) {
      String name =
          profile
              .filter(p -> !p.isBlank())
              .or(() -> Optional.ofNullable(env.get(PROFILE_ENV)).filter(p -> !p.isBlank()))
              .orElse("default");
      return fromFile(credentialsFile.get(), name);
    }
    String id = blankToNull(env.get(ACCESS_KEY_ENV));
    String secret = blankToNull(env.get(SECRET_KEY_ENV));
    if (id == null && secret == null) {
      throw new ConfigException(
          "S3 credentials missing: set "
              + ACCESS_KEY_ENV
              + " and "
              + SECRET_KEY_ENV
              + " or "
              + FILE_FLAG
              + " FILE");
    }
    if (id == null || secret == null) {
      String set = id == null ? SECRET_KEY_ENV : ACCESS_KEY_ENV;
      String unset = id == null ? ACCESS_KEY_ENV : SECRET_KEY_ENV;
      throw new ConfigException(
          "S3 credentials incomplete: "
              + set
              + " is set but "
              + unset
              + " is not; set both, or use "
              + FILE_FLAG
              + " FILE");
    }
    return new S3Credentials(
        id, secret, Optional.ofNullable(blankToNull(env.get(SESSION_TOKEN_ENV))));
  }

  /**
   * Reads profile {@code profile} of an AWS credentials file (INI: {@code [default]} or {@code
   * [name]} or {@code [profile name]}, keys {@code aws_access_key_id}, {@code
   * aws_secret_access_key}, optional {@code aws_session_token}).
   */
  public static S3Credentials fromFile(Path file, String profile) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          FILE_FLAG
              + " "
              + file
              + ": cannot read it ("
              + e.getClass().getSimpleName()
              + "); give a readable AWS credentials file or set "
              + ACCESS_KEY_ENV
              + " and "
              + SECRET_KEY_ENV,
          e);
    }
    Map<String, Map<String, String>> sections = parseIni(lines);
    Map<String, String> values = sections.get(profile);
    if (values == null) {
      throw new ConfigException(
          FILE_FLAG
              + " "
              + file
              + " has no ["
              + profile
              + "] profile (profiles found: "
              + (sections.isEmpty() ? "none" : String.join(", ", sections.keySet()))
              + ")");
    }
    String id = blankToNull(values.get("aws_access_key_id"));
    String secret = blankToNull(values.get("aws_secret_access_key"));
    for (String[] required :
        new String[][] {{"aws_access_key_id", id}, {"aws_secret_access_key", secret}}) {
      if (required[1] == null) {
        throw new ConfigException(
            FILE_FLAG
                + " "
                + file
                + ": profile ["
                + profile
                + "] has no "
                + required[0]
                + "; add it as '"
                + required[0]
                + " = ...'");
      }
    }
    return new S3Credentials(
        id, secret, Optional.ofNullable(blankToNull(values.get("aws_session_token"))));
  }

  /** Sections by profile name ({@code [profile x]} counts as {@code x}); keys lower-cased. */
  static Map<String, Map<String, String>> parseIni(List<String> lines) {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        String name = line.substring(1, line.length() - 1).strip();
        if (name.startsWith("profile ")) {
          name = name.substring("profile ".length()).strip();
        }
        current = sections.computeIfAbsent(name, n -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      if (current != null && eq > 0) {
        current.put(
            line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT),
            line.substring(eq + 1).strip());
      }
    }
    return sections;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** The access key id and whether a token is present; never the secret or the token. */
  @Override
  public String toString() {
    return "S3Credentials[accessKeyId="
        + accessKeyId
        + ", secretAccessKey=****"
        + (sessionToken.isPresent() ? ", sessionToken=****" : "")
        + "]";
  }
}
