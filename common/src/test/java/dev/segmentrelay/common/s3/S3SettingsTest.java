package dev.segmentrelay.common.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3SettingsTest {
  private static final Map<String, String> ENV =
      Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "s3cr3t-value");

  @TempDir Path dir;

  private static S3Settings resolve(
      String endpoint, String bucket, Map<String, String> env, Optional<Path> file) {
    return S3Settings.resolve(
        endpoint, bucket, Optional.empty(), Optional.empty(), env, file, Optional.empty());
  }

  @Test
  void environmentCredentialsAndDefaults() {
    S3Settings s = resolve("http://127.0.0.1:9000", "relay", ENV, Optional.empty());
    assertThat(s.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(s.region()).isEqualTo("us-east-1");
    assertThat(s.pathStyle()).isTrue();
    assertThat(s.keyPrefix()).isEmpty();
    assertThat(s.credentials().accessKeyId()).isEqualTo("AKIDEXAMPLE");
    assertThat(s.credentials().secretAccessKey()).isEqualTo("s3cr3t-value");
    assertThat(s.credentials().sessionToken()).isEmpty();
  }

  @Test
  void sessionTokenFromEnvironment() {
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("AWS_SESSION_TOKEN", "tok3n");
    assertThat(resolve("https://s3.example.org", "relay", env, Optional.empty()).credentials())
        .extracting(c -> c.sessionToken().orElseThrow())
        .isEqualTo("tok3n");
  }

  @Test
  void missingCredentialsSayWhatToSet() {
    assertThatThrownBy(() -> resolve("http://127.0.0.1:9000", "relay", Map.of(), Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or"
                + " --s3-credentials-file FILE");
  }

  @Test
  void halfSetCredentialsNameTheMissingVariable() {
    assertThatThrownBy(
            () ->
                resolve(
                    "http://127.0.0.1:9000",
                    "relay",
                    Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                    Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }

  @Test
  void credentialsFileDefaultProfileWinsOverEnvironment() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(
        file,
        "# comment\n[default]\naws_access_key_id = FILEKEY\naws_secret_access_key=filesecret\n"
            + "\n[other]\naws_access_key_id=OTHER\naws_secret_access_key=othersecret\n");
    S3Credentials c = resolve("http://h:1", "relay", ENV, Optional.of(file)).credentials();
    assertThat(c.accessKeyId()).isEqualTo("FILEKEY");
    assertThat(c.secretAccessKey()).isEqualTo("filesecret");
  }

  @Test
  void credentialsFileNamedProfileFromArgumentOrAwsProfile() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(
        file,
        "[default]\naws_access_key_id=D\naws_secret_access_key=d\n"
            + "[profile relay]\naws_access_key_id=R\naws_secret_access_key=r\naws_session_token=t\n");
    assertThat(S3Credentials.resolve(Map.of(), Optional.of(file), Optional.of("relay")))
        .extracting(S3Credentials::accessKeyId, c -> c.sessionToken().orElseThrow())
        .containsExactly("R", "t");
    assertThat(
            S3Credentials.resolve(
                    Map.of("AWS_PROFILE", "relay"), Optional.of(file), Optional.empty())
                .accessKeyId())
        .isEqualTo("R");
  }

  @Test
  void missingProfileListsTheProfilesFound() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[dev]\naws_access_key_id=D\naws_secret_access_key=d\n");
    assertThatThrownBy(() -> resolve("http://h:1", "relay", Map.of(), Optional.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "--s3-credentials-file " + file + " has no [default] profile (profiles found: dev)");
  }

  @Test
  void profileWithoutSecretNamesTheKey() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[default]\naws_access_key_id=D\n");
    assertThatThrownBy(() -> resolve("http://h:1", "relay", Map.of(), Optional.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("profile [default] has no aws_secret_access_key");
  }

  @Test
  void unreadableFileIsNamed() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> resolve("http://h:1", "relay", ENV, Optional.of(missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--s3-credentials-file " + missing + ": cannot read it");
  }

  @Test
  void toStringNeverShowsTheSecret() {
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("AWS_SESSION_TOKEN", "tok3n-value");
    S3Settings s = resolve("http://127.0.0.1:9000", "relay", env, Optional.empty());
    assertThat(s.toString())
        .contains("AKIDEXAMPLE")
        .doesNotContain("s3cr3t-value")
        .doesNotContain("tok3n-value");
  }

  @Test
  void badEndpointBucketAndRegionAreNamed() {
    assertThatThrownBy(() -> resolve("ftp://h/x", "relay", ENV, Optional.empty()))
        .hasMessageContaining("--s3-endpoint 'ftp://h/x' must be an http or https URL");
    assertThatThrownBy(() -> resolve("http://h :1", "relay", ENV, Optional.empty()))
        .hasMessageContaining("--s3-endpoint 'http://h :1' is not a URL");
    assertThatThrownBy(() -> resolve("", "relay", ENV, Optional.empty()))
        .hasMessageContaining("--s3-endpoint is required");
    assertThatThrownBy(() -> resolve("http://h:1", "My_Bucket", ENV, Optional.empty()))
        .hasMessageContaining("--s3-bucket 'My_Bucket' is not a valid bucket name");
    assertThatThrownBy(
            () ->
                S3Settings.resolve(
                    "http://h:1",
                    "relay",
                    Optional.of("US East"),
                    Optional.empty(),
                    ENV,
                    Optional.empty(),
                    Optional.empty()))
        .hasMessageContaining("--s3-region 'US East'");
  }

  @Test
  void keyPrefixIsNormalisedToEndInSlash() {
    S3Credentials c = S3Credentials.of("a", "b");
    S3Settings s = S3Settings.of(URI.create("http://h:1"), "relay", c);
    assertThat(s.withKeyPrefix("relay").keyPrefix()).isEqualTo("relay/");
    assertThat(s.withKeyPrefix("/relay/x/").keyPrefix()).isEqualTo("relay/x/");
    assertThat(s.withKeyPrefix(" ").keyPrefix()).isEmpty();
    assertThatThrownBy(() -> s.withKeyPrefix("a/../b"))
        .hasMessageContaining("--s3-key-prefix 'a/../b'");
  }
}
