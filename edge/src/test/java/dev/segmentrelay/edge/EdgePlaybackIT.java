package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.EdgeHarness.CACHE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.DashManifest;
import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HlsPlaylistView;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.OriginMain;
import dev.segmentrelay.origin.RunningOrigin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole viewer path with real peers: ffmpeg transcoders (HLS with a two-rendition master, and
 * DASH) → our origin pulling them → the edge. A real ffmpeg player plays each stream through the
 * edge for 20 s without a decode error, every segment the edge serves is byte-identical to the
 * origin's copy and to the transcoder's file, and asking the edge again for a segment is a HIT.
 *
 * <p>ffmpeg's DASH demuxer prints {@code non monotonically increasing dts to muxer} when it plays
 * any live SegmentTimeline MPD (the transcoder's own too), so the DASH player must exit 0 with no
 * other error line.
 */
class EdgePlaybackIT {
  private static final int PLAY_SECONDS = 20;
  private static final String DASHDEC_TIMESTAMP_NOISE = "non monotonically increasing dts to muxer";

  /** Published HLS names: {@code {epoch}-{msn}-{source file name}}. */
  private static final Pattern HLS_PUBLISHED = Pattern.compile("[a-z0-9]+-\\d+-(.+)");

  /** Published DASH names: {@code {epoch}-{source file name}}. */
  private static final Pattern DASH_PUBLISHED = Pattern.compile("[a-z0-9]+-(.+)");

  /**
   * One object seen through the edge, at the origin and in the transcoder's folder.
   *
   * @param path relative path under {@code /live/{stream}/}
   * @param source the transcoder's file
   * @param edgeMatchesOrigin edge bytes equal the origin's
   * @param edgeMatchesSource edge bytes equal the file's
   * @param secondCache {@code X-Relay-Cache} of a second request through the edge
   */
  private record Compared(
      String path,
      Path source,
      boolean edgeMatchesOrigin,
      boolean edgeMatchesSource,
      String secondCache) {}

  @Test
  @Timeout(150)
  void hlsAndDashPlayThroughTheEdgeWithTheTranscodersBytes() throws Exception {
    Path work = ItWorkDirs.freshDirectory(EdgePlaybackIT.class);
    Path src = work.resolve("src");
    try (FfmpegLive abr =
            FfmpegLive.toDirectory(FfmpegLive.Output.HLS_ABR, src.resolve("abr")).start();
        FfmpegLive dash =
            FfmpegLive.toDirectory(FfmpegLive.Output.DASH, src.resolve("dash")).start();
        StaticHttpServer source = StaticHttpServer.start(src)) {
      ItWorkDirs.awaitFile(src.resolve("abr/master.m3u8"), abr);
      ItWorkDirs.awaitFile(src.resolve("dash/index.mpd"), dash);

      RunningOrigin origin =
          Waits.await(
              "origin to start",
              Duration.ofSeconds(30),
              OriginMain.start(
                  ItWork.originConfig(
                      List.of(
                          new OriginConfig.PullStream(
                              "abr", URI.create(source.url("abr/master.m3u8"))),
                          new OriginConfig.PullStream(
                              "dash", URI.create(source.url("dash/index.mpd")))))));
      try (EdgeHarness edge =
          EdgeHarness.start(EdgeHarness.config("http://127.0.0.1:" + origin.port()).build())) {
        String originBase = "http://127.0.0.1:" + origin.port();
        HttpTestClient http = edge.http();
        awaitHlsSegments(edge, "abr", "stream_0/index.m3u8", 3);
        awaitHlsSegments(edge, "abr", "stream_1/index.m3u8", 3);
        awaitDashSegments(edge, "dash", 3);

        HlsPlaylistView master =
            HlsPlaylistView.parse(http.get(edge.liveUrl("abr", "master.m3u8")).text());
        assertThat(master.variants())
            .as("master playlist through the edge")
            .containsExactly("stream_0/index.m3u8", "stream_1/index.m3u8");

        Path logs = work.resolve("players");
        try (FfmpegPlayer.Playing hlsPlayer =
                FfmpegPlayer.start(edge.liveUrl("abr", "master.m3u8"), PLAY_SECONDS, logs);
            FfmpegPlayer.Playing dashPlayer =
                FfmpegPlayer.start(edge.liveUrl("dash", "index.mpd"), PLAY_SECONDS, logs)) {
          List<Compared> compared = new ArrayList<>();
          for (int round = 0; round < 3; round++) {
            Waits.sleep(Duration.ofSeconds(5));
            for (String rendition : List.of("stream_0", "stream_1")) {
              compared.addAll(
                  compareHls(
                      edge,
                      originBase,
                      "abr",
                      rendition + "/index.m3u8",
                      src.resolve("abr/" + rendition)));
            }
            compared.addAll(compareDash(edge, originBase, "dash", src.resolve("dash")));
          }
          FfmpegPlayer.Result hls = hlsPlayer.await();
          FfmpegPlayer.Result dashResult = dashPlayer.await();

          SoftAssertions soft = new SoftAssertions();
          soft.assertThat(hls.clean())
              .as("HLS player through the edge: %s (%s)", hls, hls.stderr())
              .isTrue();
          soft.assertThat(dashResult.exitCode() == 0 && !dashResult.timedOut())
              .as("DASH player through the edge: %s (%s)", dashResult, dashResult.stderr())
              .isTrue();
          soft.assertThat(
                  dashResult.errorLines().stream()
                      .filter(l -> !l.contains(DASHDEC_TIMESTAMP_NOISE))
                      .toList())
              .as("DASH player error lines besides dashdec timestamp noise")
              .isEmpty();
          for (Path dir :
              List.of(
                  src.resolve("abr/stream_0"), src.resolve("abr/stream_1"), src.resolve("dash"))) {
            List<Compared> mine =
                compared.stream().filter(c -> c.source().getParent().equals(dir)).toList();
            soft.assertThat(mine.stream().map(Compared::path).distinct().count())
                .as("distinct objects compared from %s", dir)
                .isGreaterThanOrEqualTo(3);
            soft.assertThat(mine.stream().filter(c -> !c.edgeMatchesOrigin()).toList())
                .as("objects from %s whose edge bytes differ from the origin's", dir)
                .isEmpty();
            soft.assertThat(mine.stream().filter(c -> !c.edgeMatchesSource()).toList())
                .as("objects from %s whose edge bytes differ from the transcoder's", dir)
                .isEmpty();
          }
          soft.assertThat(compared.stream().filter(c -> !"HIT".equals(c.secondCache())).toList())
              .as("segments whose second request through the edge was not a HIT")
              .isEmpty();
          soft.assertThat(compared)
              .as("DASH init segments compared")
              .anyMatch(c -> c.source().getFileName().toString().startsWith("init"));
          soft.assertAll();
        }
      } finally {
        Waits.await("origin to close", Duration.ofSeconds(30), origin.close());
      }
    }
  }

  private static void awaitHlsSegments(EdgeHarness edge, String stream, String path, int n) {
    Waits.until(
        stream + "/" + path + " through the edge to name " + n + " segments",
        Duration.ofSeconds(45),
        () -> {
          HttpTestClient.Response r = edge.http().get(edge.liveUrl(stream, path));
          return r.status() == 200 && HlsPlaylistView.parse(r.text()).segments().size() >= n;
        });
  }

  private static void awaitDashSegments(EdgeHarness edge, String stream, int n) {
    Waits.until(
        stream + "/index.mpd through the edge to name " + n + " segments per representation",
        Duration.ofSeconds(45),
        () -> {
          HttpTestClient.Response r = edge.http().get(edge.liveUrl(stream, "index.mpd"));
          if (r.status() != 200) {
            return false;
          }
          DashManifest m =
              DashManifest.parse(r.text(), URI.create(edge.liveUrl(stream, "index.mpd")));
          return !m.periods().isEmpty()
              && !m.periods().get(m.periods().size() - 1).representations().isEmpty()
              && m.periods().get(m.periods().size() - 1).representations().stream()
                  .allMatch(rep -> rep.media().size() >= n);
        });
  }

  /** Every segment named by the edge's copy of an HLS media playlist, compared three ways. */
  private static List<Compared> compareHls(
      EdgeHarness edge, String originBase, String stream, String playlistPath, Path sourceDir) {
    HttpTestClient.Response r = edge.http().get(edge.liveUrl(stream, playlistPath));
    assertThat(r.status()).as("%s through the edge: %s", playlistPath, r).isEqualTo(200);
    String dir = playlistPath.substring(0, playlistPath.lastIndexOf('/') + 1);
    List<Compared> out = new ArrayList<>();
    for (HlsPlaylistView.Segment segment : HlsPlaylistView.parse(r.text()).segments()) {
      String name = segment.uri().substring(segment.uri().lastIndexOf('/') + 1);
      Matcher m = HLS_PUBLISHED.matcher(name);
      assertThat(m.matches()).as("published name %s", name).isTrue();
      compare(edge, originBase, stream, dir + segment.uri(), sourceDir.resolve(m.group(1)))
          .ifPresent(out::add);
    }
    return out;
  }

  /** Every init and media segment named by the edge's copy of the MPD, compared three ways. */
  private static List<Compared> compareDash(
      EdgeHarness edge, String originBase, String stream, Path sourceDir) {
    String mpdUrl = edge.liveUrl(stream, "index.mpd");
    HttpTestClient.Response r = edge.http().get(mpdUrl);
    assertThat(r.status()).as("MPD through the edge: %s", r).isEqualTo(200);
    DashManifest manifest = DashManifest.parse(r.text(), URI.create(mpdUrl));
    String base = "/live/" + stream + "/";
    List<URI> all = new ArrayList<>(manifest.allInits());
    all.addAll(manifest.allMedia());
    List<Compared> out = new ArrayList<>();
    for (URI uri : all) {
      assertThat(uri.getPath()).as("MPD names %s under %s", uri, base).startsWith(base);
      String path = uri.getPath().substring(base.length());
      String name = path.substring(path.lastIndexOf('/') + 1);
      Matcher m = DASH_PUBLISHED.matcher(name);
      assertThat(m.matches()).as("published name %s", name).isTrue();
      compare(edge, originBase, stream, path, sourceDir.resolve(m.group(1))).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Fetches {@code path} through the edge (twice) and from the origin and compares both with the
   * transcoder's file, if the transcoder still has it (checked before and after, so a file deleted
   * meanwhile is not counted).
   */
  private static Optional<Compared> compare(
      EdgeHarness edge, String originBase, String stream, String path, Path source) {
    try {
      if (!Files.exists(source)) {
        return Optional.empty();
      }
      byte[] expected = Files.readAllBytes(source);
      HttpTestClient.Response viaEdge = edge.http().get(edge.liveUrl(stream, path));
      assertThat(viaEdge.status()).as("%s through the edge: %s", path, viaEdge).isEqualTo(200);
      HttpTestClient.Response atOrigin =
          edge.http().get(originBase + "/live/" + stream + "/" + path);
      assertThat(atOrigin.status()).as("%s at the origin: %s", path, atOrigin).isEqualTo(200);
      HttpTestClient.Response again = edge.http().get(edge.liveUrl(stream, path));
      if (!Files.exists(source)) {
        return Optional.empty();
      }
      return Optional.of(
          new Compared(
              path,
              source,
              Arrays.equals(viaEdge.body(), atOrigin.body())
                  && Arrays.equals(again.body(), viaEdge.body()),
              Arrays.equals(viaEdge.body(), expected),
              again.header(CACHE_HEADER)));
    } catch (IOException e) {
      // Deleted by the transcoder between exists() and read: nothing to compare.
      return Optional.empty();
    }
  }
}
