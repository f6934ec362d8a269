package dev.segmentrelay.origin.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.hls.HlsSegment;
import dev.segmentrelay.common.media.hls.MediaPlaylist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HlsWindowTest {
  private static List<PublishedSegment> segments(int n, int discontinuityAt) {
    List<PublishedSegment> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(
          new PublishedSegment(
              100 + i,
              "hi/e1-" + (100 + i) + "-s" + i + ".ts",
              2.0,
              i == discontinuityAt,
              Optional.empty(),
              Optional.empty(),
              10));
    }
    return all;
  }

  @Test
  void liveWindowReachesBackOverTheDvrWindowButAtLeastThePlaylistWindow() {
    List<PublishedSegment> all = segments(100, -1);
    assertThat(HlsWindow.desiredStart(all, 6, Duration.ofSeconds(20), false)).isEqualTo(90);
    assertThat(HlsWindow.desiredStart(all, 6, Duration.ZERO, false)).isEqualTo(94);
    assertThat(HlsWindow.desiredStart(all, 6, Duration.ofHours(1), false)).isZero();
    assertThat(HlsWindow.desiredStart(all, 6, Duration.ZERO, true)).isZero();
  }

  @Test
  void windowStopsAtTheNewestSegmentThatIsNeitherInMemoryNorArchived() {
    List<PublishedSegment> all = segments(10, -1);
    Set<String> missing = Set.of(all.get(4).path());
    int start = HlsWindow.availableStart(all, 0, p -> !missing.contains(p));
    assertThat(start).isEqualTo(5);
    assertThat(HlsWindow.availableStart(all, 0, p -> true)).isZero();
  }

  @Test
  void endedStreamIsRenderedAsVodFromTheFirstSegment() {
    List<PublishedSegment> all = segments(5, 3);
    MediaPlaylist vod = HlsWindow.render(all, 0, "hi/", 2, 3, true);
    String text = vod.render();
    assertThat(text).contains("#EXT-X-PLAYLIST-TYPE:VOD\n").endsWith("#EXT-X-ENDLIST\n");
    assertThat(vod.mediaSequence()).isEqualTo(100);
    assertThat(vod.segments()).extracting(HlsSegment::uri).first().isEqualTo("e1-100-s0.ts");
    assertThat(vod.segments()).hasSize(5);
    assertThat(vod.segments().get(3).discontinuity()).isTrue();
    assertThat(vod.discontinuitySequence()).isZero();
  }

  @Test
  void windowStartingAfterADiscontinuityCountsItInTheDiscontinuitySequence() {
    List<PublishedSegment> all = segments(8, 3);
    MediaPlaylist live = HlsWindow.render(all, 3, "hi/", 2, 3, false);
    assertThat(live.discontinuitySequence()).isEqualTo(1);
    assertThat(live.segments().get(0).discontinuity()).isFalse();
    assertThat(live.playlistType()).isEmpty();
    assertThat(live.endList()).isFalse();
    MediaPlaylist endedPartial = HlsWindow.render(all, 4, "hi/", 2, 3, true);
    assertThat(endedPartial.playlistType()).as("not the whole stream: no VOD type").isEmpty();
    assertThat(endedPartial.endList()).isTrue();
  }
}
