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
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java -jar relay.jar demo} as a user runs it, with ffmpeg as the player: the printed
 * playlist URLs of the origin and of an edge must play (the edge saying how it served them), health
 * must be ready, and SIGTERM must stop the whole demo.
 */
class RelayDemoIT {
  private static final java.util.regex.Pattern S3_LINE =
      java.util.regex.Pattern.compile(
          "S3\\s+http://127\\.0\\.0\\.1:\\d+ bucket \\S+ \\(S3Proxy, data in (\\S+)\\)");
  private static final java.util.regex.Pattern ORIGIN_METRICS =
      java.util.regex.Pattern.compile(
          "metrics\\s+(http://127\\.0\\.0\\.1:\\d+/metrics) \\(origin\\)");

  private static final Pattern PLAYLIST =
      Pattern.compile("playlist\\s+(http://127\\.0\\.0\\.1:\\d+/live/demo/index\\.m3u8)");
  private static final Pattern EDGE_PLAYLIST =
      Pattern.compile("edge-tyo\\s+(http://127\\.0\\.0\\.1:\\d+/live/demo/index\\.m3u8)");
  private static final Pattern ROUTED =
      Pattern.compile(
          "X-Forwarded-For: ([0-9.]+)' (http://127\\.0\\.0\\.1:\\d+/live/demo/index\\.m3u8)");
  private static final Pattern ROUTED_TO = Pattern.compile("redirected to (edge-[a-z]+)");
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
    Path s3Data = null;
    try {
      String playlist = null;
      String edgePlaylist = null;
      String health = null;
      java.util.Map<String, String> viewers = new java.util.LinkedHashMap<>();
      String viewerUrl = null;
      String viewer = null;
      StringBuilder output = new StringBuilder();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          output.append(line).append('\n');
          Matcher p = PLAYLIST.matcher(line);
          Matcher e = EDGE_PLAYLIST.matcher(line);
          Matcher h = HEALTH.matcher(line);
          Matcher v = ROUTED.matcher(line);
          Matcher to = ROUTED_TO.matcher(line);
          if (v.find()) {
            viewer = v.group(1);
            viewerUrl = v.group(2);
          } else if (to.find() && viewer != null) {
            viewers.put(viewer, to.group(1));
          } else if (p.find()) {
            playlist = p.group(1);
          } else if (e.find()) {
            edgePlaylist = e.group(1);
          } else if (h.find()) {
            health = h.group(1);
          } else if (line.contains("Ctrl-C stops everything")) {
            break;
          }
        }
        assertThat(playlist).as("playlist URL in:%n%s", output).isNotNull();
        assertThat(edgePlaylist).as("edge-tyo playlist URL in:%n%s", output).isNotNull();
        assertThat(health).as("health URL in:%n%s", output).isNotNull();

        play(playlist);
        play(edgePlaylist);
        assertThat(viewers).as("router instructions in:%n%s", output).hasSize(3);
        assertThat(viewers.values()).containsExactly("edge-fra", "edge-tyo", "edge-bkk");
        for (java.util.Map.Entry<String, String> e : viewers.entrySet()) {
          assertThat(routedEdge(viewerUrl, e.getKey()))
              .as("the router's answer for a viewer at " + e.getKey())
              .isEqualTo(e.getValue());
        }

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> fromEdge =
            client.send(
                HttpRequest.newBuilder(URI.create(edgePlaylist))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fromEdge.statusCode()).as(fromEdge.body()).isEqualTo(200);
        assertThat(fromEdge.headers().firstValue("X-Relay-Cache"))
            .as("how the edge served the playlist")
            .hasValueSatisfying(
                value -> assertThat(value).isIn("HIT", "MISS", "COALESCED", "STALE"));

        HttpResponse<String> ready =
            client.send(
                HttpRequest.newBuilder(URI.create(health)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

        // The demo's S3 store: the origin archives what it publishes there.
        Matcher s3 = S3_LINE.matcher(output);
        assertThat(s3.find()).as("S3 line in:%n%s", output).isTrue();
        s3Data = Path.of(s3.group(1));
        assertThat(s3Data).isDirectory();
        Matcher metrics = ORIGIN_METRICS.matcher(output);
        assertThat(metrics.find()).as("origin metrics URL in:%n%s", output).isTrue();
        String origin =
            client
                .send(
                    HttpRequest.newBuilder(URI.create(metrics.group(1)))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(origin)
            .as("the origin's archive writes")
            .containsPattern(
                "relay_origin_archive_writes_total\\{kind=\"segment\",result=\"ok\"[^}]*\\} [1-9]");
      }
    } finally {
      demo.destroy();
      boolean stopped = demo.waitFor(30, TimeUnit.SECONDS);
      if (!stopped) {
        demo.destroyForcibly();
      }
      assertThat(stopped).as("demo stops on SIGTERM").isTrue();
      if (s3Data != null) {
        assertThat(s3Data).as("the demo's S3 data, removed at stop").doesNotExist();
      }
    }
  }

  /**
   * The edge the demo router sends a viewer at {@code address} to (asking again for up to 20 s
   * while the edges' first probes complete).
   */
  private static String routedEdge(String url, String address) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    HttpResponse<String> r;
    do {
      r =
          client.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("X-Forwarded-For", address)
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 302) {
        return r.headers().firstValue("X-Relay-Edge").orElse("");
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("router answered " + r.statusCode() + ": " + r.body());
  }

  /** Plays eight seconds of {@code playlist} with ffmpeg, which must exit cleanly. */
  private static void play(String playlist) throws Exception {
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
    boolean finished = player.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      player.destroyForcibly();
    }
    assertThat(finished).as("player of " + playlist + " finished").isTrue();
    assertThat(player.exitValue()).as("ffmpeg played " + playlist).isZero();
  }
}
