package dev.segmentrelay.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.DashManifest;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An origin started in-process through {@link OriginMain#start} for integration tests, with the
 * checks every ingest IT repeats: readiness, stream status, metrics, and byte-for-byte comparison
 * of published segments with the transcoder's files.
 */
final class OriginHarness implements AutoCloseable {
  /** {@code {epoch}-{msn}-{source file name}} (HLS segments and init segments). */
  static final Pattern HLS_PUBLISHED = Pattern.compile("([a-z0-9]+)-(\\d+)-(.+)");

  /** {@code {epoch}-{source file name}} (DASH). */
  static final Pattern DASH_PUBLISHED = Pattern.compile("([a-z0-9]+)-(.+)");

  private final RunningOrigin origin;
  private final HttpTestClient http = new HttpTestClient();

  private OriginHarness(RunningOrigin origin) {
    this.origin = origin;
  }

  /** Defaults with ports 0, bind 127.0.0.1 and the given poll interval (if any). */
  static OriginConfig testConfig(
      List<OriginConfig.PullStream> pull,
      List<OriginConfig.PushStream> push,
      Optional<Duration> pollInterval) {
    OriginConfig d = OriginConfig.defaults(pull, push);
    return new OriginConfig(
        "127.0.0.1",
        0,
        0,
        d.pullStreams(),
        d.pushStreams(),
        d.playlistWindow(),
        d.storeMaxSegments(),
        d.storeMaxBytes(),
        d.maxObjectBytes(),
        d.fetchTimeout(),
        d.stalledAfter(),
        pollInterval,
        Optional.empty());
  }

  static OriginConfig.PullStream pull(String name, String url) {
    return new OriginConfig.PullStream(name, URI.create(url));
  }

  /** Starts the origin and waits (bounded) until it listens. */
  static OriginHarness start(OriginConfig config) {
    return new OriginHarness(
        Waits.await("origin to start", Duration.ofSeconds(30), OriginMain.start(config)));
  }

  /**
   * Starts an origin with a DASH stream, or aborts the test (reported as skipped) while the origin
   * build refuses DASH sources, so these tests switch on by themselves when DASH ingest lands.
   */
  static OriginHarness startWithDash(OriginConfig config) {
    try {
      return start(config);
    } catch (IllegalArgumentException e) {
      if (String.valueOf(e.getMessage()).contains("not supported")) {
        org.junit.jupiter.api.Assumptions.abort("DASH ingest not in this build: " + e.getMessage());
      }
      throw e;
    }
  }

  int port() {
    return origin.port();
  }

  int adminPort() {
    return origin.adminPort();
  }

  HttpTestClient http() {
    return http;
  }

  /** {@code http://127.0.0.1:PORT/live/{stream}/{path}}. */
  String liveUrl(String stream, String path) {
    return "http://127.0.0.1:" + port() + "/live/" + stream + "/" + path;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Waits until {@code /health/ready} answers 200. */
  void awaitReady(Duration timeout) {
    Waits.until(
        "origin /health/ready to answer 200",
        timeout,
        () -> http.get("http://127.0.0.1:" + adminPort() + "/health/ready").status() == 200);
  }

  /** {@code /api/v1/streams/{name}}. */
  JsonObject stream(String name) {
    HttpTestClient.Response r = http.get(baseUrl() + "/api/v1/streams/" + name);
    assertThat(r.status()).as("status of stream %s: %s", name, r).isEqualTo(200);
    return new JsonObject(r.text());
  }

  JsonArray streams() {
    return new JsonArray(http.get(baseUrl() + "/api/v1/streams").text());
  }

  /** Waits until stream {@code name} reports {@code state} and returns its status. */
  JsonObject awaitState(String name, String state, Duration timeout) {
    return Waits.value(
        "stream " + name + " to be " + state,
        timeout,
        () -> {
          JsonObject s = stream(name);
          return state.equals(s.getString("state")) ? Optional.of(s) : Optional.empty();
        });
  }

  /** The value of a Prometheus gauge or counter on {@code /metrics} (summed over its series). */
  double metric(String name) {
    String text = http.get("http://127.0.0.1:" + adminPort() + "/metrics").text();
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    assertThat(found).as("metric %s on /metrics", name).isTrue();
    return sum;
  }

  /** Fetches a published HLS playlist, asserting 200 and that it parses. */
  HlsPlaylistView playlist(String stream, String path) {
    HttpTestClient.Response r = http.get(liveUrl(stream, path));
    assertThat(r.status()).as("GET %s: %s", liveUrl(stream, path), r).isEqualTo(200);
    return HlsPlaylistView.parse(r.text());
  }

  /** Waits until the published media playlist at {@code path} names at least {@code n} segments. */
  HlsPlaylistView awaitSegments(String stream, String path, int n, Duration timeout) {
    return Waits.value(
        stream + "/" + path + " to name " + n + " segments",
        timeout,
        () -> {
          HttpTestClient.Response r = http.get(liveUrl(stream, path));
          if (r.status() != 200) {
            return Optional.empty();
          }
          HlsPlaylistView p = HlsPlaylistView.parse(r.text());
          return p.segments().size() >= n ? Optional.of(p) : Optional.empty();
        });
  }

  /**
   * One published object compared with the transcoder's file.
   *
   * @param published its path under {@code /live/{stream}/}
   * @param source the transcoder's file it should equal
   * @param identical true if the bytes match
   */
  record Comparison(String published, Path source, boolean identical, int bytes) {}

  /**
   * Compares every segment (and init segment) named by the published HLS media playlist {@code
   * playlistPath} with the transcoder's file in {@code sourceDir}, found by the source file name
   * embedded in the published name. Segments the transcoder already deleted are skipped.
   */
  List<Comparison> compareHls(String stream, String playlistPath, Path sourceDir) {
    HlsPlaylistView playlist = playlist(stream, playlistPath);
    String dir = playlistPath.substring(0, playlistPath.lastIndexOf('/') + 1);
    List<String> names = new ArrayList<>();
    playlist.segments().forEach(s -> s.map().ifPresent(m -> names.add(m)));
    playlist.segments().forEach(s -> names.add(s.uri()));
    List<Comparison> out = new ArrayList<>();
    for (String name : names.stream().distinct().toList()) {
      String file = name.substring(name.lastIndexOf('/') + 1);
      Matcher m = HLS_PUBLISHED.matcher(file);
      assertThat(m.matches()).as("published name %s is {epoch}-{msn}-{source name}", name).isTrue();
      String published = dir + name;
      Path source = sourceDir.resolve(m.group(3));
      compare(stream, published, source).ifPresent(out::add);
    }
    return out;
  }

  /** Fetches and reads a published MPD, asserting 200. */
  DashManifest manifest(String stream, String path) {
    HttpTestClient.Response r = http.get(liveUrl(stream, path));
    assertThat(r.status()).as("GET %s: %s", liveUrl(stream, path), r).isEqualTo(200);
    return DashManifest.parse(r.text(), URI.create(liveUrl(stream, path)));
  }

  /** Waits until every representation of the published MPD names at least {@code n} segments. */
  DashManifest awaitDashSegments(String stream, String path, int n, Duration timeout) {
    return Waits.value(
        stream + "/" + path + " to name " + n + " segments per representation",
        timeout,
        () -> {
          DashManifest m = manifest(stream, path);
          boolean enough =
              !m.periods().isEmpty()
                  && m.periods().get(m.periods().size() - 1).representations().stream()
                      .allMatch(r -> r.media().size() >= n)
                  && !m.periods().get(m.periods().size() - 1).representations().isEmpty();
          return enough ? Optional.of(m) : Optional.empty();
        });
  }

  /**
   * Compares every init and media segment named by the published MPD with the transcoder's file in
   * {@code sourceDir}, found by the source file name after the {@code {epoch}-} prefix.
   */
  List<Comparison> compareDash(String stream, String mpdPath, Path sourceDir) {
    DashManifest m = manifest(stream, mpdPath);
    String base = "/live/" + stream + "/";
    List<Comparison> out = new ArrayList<>();
    List<URI> all = new ArrayList<>(m.allInits());
    all.addAll(m.allMedia());
    for (URI uri : all) {
      String path = uri.getPath();
      assertThat(path).as("MPD names %s under %s", uri, base).startsWith(base);
      String published = path.substring(base.length());
      String file = published.substring(published.lastIndexOf('/') + 1);
      Matcher matcher = DASH_PUBLISHED.matcher(file);
      assertThat(matcher.matches()).as("published name %s is {epoch}-{source name}", file).isTrue();
      compare(stream, published, sourceDir.resolve(matcher.group(2))).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Compares the published object with {@code source} if the transcoder still has it (read before
   * and after fetching, so a file replaced meanwhile is not counted).
   */
  Optional<Comparison> compare(String stream, String published, Path source) {
    try {
      if (!Files.exists(source)) {
        return Optional.empty();
      }
      byte[] expected = Files.readAllBytes(source);
      HttpTestClient.Response r = http.get(liveUrl(stream, published));
      assertThat(r.status()).as("GET published %s: %s", published, r).isEqualTo(200);
      if (!Files.exists(source)) {
        return Optional.empty();
      }
      return Optional.of(
          new Comparison(
              published, source, java.util.Arrays.equals(expected, r.body()), r.body().length));
    } catch (IOException e) {
      // Deleted by the transcoder between exists() and read: nothing to compare.
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    Waits.await("origin to close", Duration.ofSeconds(30), origin.close());
  }
}
