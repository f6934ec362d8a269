package dev.segmentrelay.edge.overflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.edge.overflow.LiveWindow.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveWindowTest {
  private final AtomicLong nanos = new AtomicLong();
  private final LiveWindow window = new LiveWindow(nanos::get);

  private static byte[] playlist(long first, int count, String prefix) {
    StringBuilder b =
        new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:")
            .append(first)
            .append('\n');
    for (long i = first; i < first + count; i++) {
      b.append("#EXTINF:2.0,\n").append(prefix).append(i).append(".ts\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void listedAndNewerSegmentsAreLiveOlderOnesAreOld() {
    window.update("/live/room1/v0/index.m3u8", ObjectKind.PLAYLIST, playlist(20, 3, "seg_"));
    assertThat(window.position("/live/room1/v0/seg_22.ts")).isEqualTo(Position.LIVE);
    assertThat(window.position("/live/room1/v0/seg_20.ts")).isEqualTo(Position.LIVE);
    assertThat(window.position("/live/room1/v0/seg_23.ts"))
        .as("newer than the playlist we have: not published when we looked, so fresh")
        .isEqualTo(Position.LIVE);
    assertThat(window.position("/live/room1/v0/seg_19.ts")).isEqualTo(Position.OLD);
    assertThat(window.position("/live/room1/v0/seg_3.ts")).isEqualTo(Position.OLD);
  }

  @Test
  void otherDirectoriesAndNewStemsAreUnknown() {
    window.update("/live/room1/v0/index.m3u8", ObjectKind.PLAYLIST, playlist(20, 3, "e1_seg_"));
    assertThat(window.position("/live/room1/v1/e1_seg_3.ts")).isEqualTo(Position.UNKNOWN);
    assertThat(window.position("/live/room2/v0/e1_seg_3.ts")).isEqualTo(Position.UNKNOWN);
    assertThat(window.position("/live/room1/v0/e2_seg_1.ts"))
        .as("a new ingest epoch restarts numbers under a new stem")
        .isEqualTo(Position.UNKNOWN);
    assertThat(window.position("/live/room1/v0/init.mp4")).isEqualTo(Position.UNKNOWN);
  }

  @Test
  void theNewestPlaylistMovesTheWindow() {
    window.update("/live/room1/index.m3u8", ObjectKind.PLAYLIST, playlist(20, 3, "seg_"));
    window.update("/live/room1/index.m3u8", ObjectKind.PLAYLIST, playlist(25, 3, "seg_"));
    assertThat(window.position("/live/room1/seg_22.ts")).isEqualTo(Position.OLD);
    assertThat(window.position("/live/room1/seg_26.ts")).isEqualTo(Position.LIVE);
  }

  @Test
  void relativeUrisResolveAgainstThePlaylistAndMasterPlaylistsAreIgnored() {
    String media = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:5\n#EXTINF:2,\n../seg/a_5.ts\n";
    window.update(
        "/live/room1/v0/index.m3u8", ObjectKind.PLAYLIST, media.getBytes(StandardCharsets.UTF_8));
    assertThat(window.position("/live/room1/seg/a_5.ts")).isEqualTo(Position.LIVE);
    assertThat(window.position("/live/room1/seg/a_4.ts")).isEqualTo(Position.OLD);
    String master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0/index.m3u8\n";
    window.update(
        "/live/room2/master.m3u8", ObjectKind.PLAYLIST, master.getBytes(StandardCharsets.UTF_8));
    assertThat(window.position("/live/room2/v0/a_1.ts")).isEqualTo(Position.UNKNOWN);
  }

  @Test
  void dashNumberTemplatesStartTheWindowAtStartNumber() {
    String mpd =
        "<MPD><Period><AdaptationSet><SegmentTemplate timescale=\"1\" duration=\"2\""
            + " startNumber=\"40\" media=\"chunk-v-$Number$.m4s\" initialization=\"init-v.m4s\"/>"
            + "</AdaptationSet></Period></MPD>";
    window.update(
        "/live/room1/index.mpd", ObjectKind.MANIFEST, mpd.getBytes(StandardCharsets.UTF_8));
    assertThat(window.position("/live/room1/chunk-v-39.m4s")).isEqualTo(Position.OLD);
    assertThat(window.position("/live/room1/chunk-v-41.m4s")).isEqualTo(Position.LIVE);
  }

  @Test
  void windowsAreForgottenAfterTheirStreamStopsUpdating() {
    window.update("/live/room1/index.m3u8", ObjectKind.PLAYLIST, playlist(20, 3, "seg_"));
    nanos.addAndGet(LiveWindow.FORGET_AFTER.plus(Duration.ofSeconds(1)).toNanos());
    assertThat(window.position("/live/room1/seg_3.ts")).isEqualTo(Position.UNKNOWN);
  }
}
