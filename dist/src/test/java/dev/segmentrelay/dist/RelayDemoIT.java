package dev.segmentrelay.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segmentrelay.dist.demo.FfmpegLiveSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java -jar relay.jar demo} as a user runs it, with ffmpeg as the player: the printed
 * playlist URL must play, health must be ready, and SIGTERM must stop the whole demo.
 */
class RelayDemoIT {
  private static final Pattern PLAYLIST =
      Pattern.compile("playlist\\s+(http://127\\.0\\.0\\.1:\\d+/live/demo/index\\.m3u8)");
  private static final Pattern HEALTH =
      Pattern.compile("health\\s+(http://127\\.0\\.0\\.1:\\d+/health/ready)");

  @ParameterizedTest
  @ValueSource(strings = {"clip", "ffmpeg"})
  void printedPlaylistPlaysAndTheDemoStopsOnSigterm(String source) throws Exception {
    assumeTrue(FfmpegLiveSource.findOnPath().isPresent(), "ffmpeg is the player of this test");
    Path jar = Path.of("target", "relay.jar");
    assertThat(jar).exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process demo =
        new ProcessBuilder(
                java,
                "-jar",
                jar.toString(),
                "demo",
                "--source",
                source,
                "--port",
                "0",
                "--admin-port",
                "0")
            .redirectErrorStream(true)
            .start();
    try {
      String playlist = null;
      String health = null;
      StringBuilder output = new StringBuilder();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          output.append(line).append('\n');
          Matcher p = PLAYLIST.matcher(line);
          Matcher h = HEALTH.matcher(line);
          if (p.find()) {
            playlist = p.group(1);
          } else if (h.find()) {
            health = h.group(1);
          } else if (line.contains("Ctrl-C stops everything")) {
            break;
          }
        }
        assertThat(playlist).as("playlist URL in:%n%s", output).isNotNull();
        assertThat(health).as("health URL in:%n%s", output).isNotNull();

        Process player =
            new ProcessBuilder(
                    "ffmpeg",
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-i",
                    playlist,
                    "-t",
                    "8",
                    "-f",
                    "null",
                    "-")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(player.waitFor(60, TimeUnit.SECONDS)).as("player finished").isTrue();
        assertThat(player.exitValue()).as("ffmpeg played " + playlist).isZero();

        HttpResponse<String> ready =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(health)).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      }
    } finally {
      demo.destroy();
      boolean stopped = demo.waitFor(30, TimeUnit.SECONDS);
      if (!stopped) {
        demo.destroyForcibly();
      }
      assertThat(stopped).as("demo stops on SIGTERM").isTrue();
    }
  }
}
