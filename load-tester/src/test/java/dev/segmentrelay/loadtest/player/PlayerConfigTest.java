package dev.segmentrelay.loadtest.player;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.media.hls.HlsPlaylist;
import java.net.URI;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PlayerConfigTest {
  @Test
  void rejectsBadValuesNamingThem() {
    assertThatThrownBy(
            () ->
                new PlayerConfig(
                    OptionalInt.empty(), 0, 1.5, 2, 2, 30, 3, 3, 8, 2, 10, 500, 4000, 300_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ABR safety factor")
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> PlayerConfig.defaults().withFixedRendition(-1))
        .hasMessageContaining("fixed rendition")
        .hasMessageContaining("-1");
    assertThatThrownBy(
            () ->
                new PlayerConfig(
                    OptionalInt.empty(), 0, 0.8, 2, 2, 1, 3, 3, 8, 2, 10, 500, 4000, 300_000))
        .hasMessageContaining("max buffer");
  }

  @Test
  void backOffDoublesUpToTheCap() {
    PlayerConfig c = PlayerConfig.defaults();
    assertThat(c.retryDelay(1)).isEqualTo(500);
    assertThat(c.retryDelay(2)).isEqualTo(1000);
    assertThat(c.retryDelay(4)).isEqualTo(4000);
    assertThat(c.retryDelay(40)).isEqualTo(4000);
  }

  @Test
  void cachingParserSharesIdenticalBodies() {
    ManifestParser parser = ManifestParser.caching(4);
    String body = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\na.ts\n";
    HlsPlaylist first = parser.parseHls(body);
    assertThat(parser.parseHls(new String(body))).isSameAs(first);
    assertThat(ManifestParser.direct().parseHls(body)).isNotSameAs(first).isEqualTo(first);
    String mpd = PlayerDashTest.fixture("ffmpeg-number-live.mpd");
    URI at = URI.create("http://edge.test/live/s/manifest.mpd");
    assertThat(parser.parseDash(mpd, at)).isSameAs(parser.parseDash(mpd, at));
  }
}
