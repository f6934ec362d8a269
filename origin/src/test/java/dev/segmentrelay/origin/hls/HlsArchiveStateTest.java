package dev.segmentrelay.origin.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HlsArchiveStateTest {
  @Test
  void stateSurvivesEncodeAndDecode() {
    HlsArchiveState state =
        new HlsArchiveState(
            "master.m3u8",
            Optional.of("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n"),
            "ezz1",
            List.of(
                new HlsArchiveState.RenditionState(
                    "hi/index.m3u8",
                    "http://transcoder.test/hi/index.m3u8",
                    42,
                    17,
                    "seg17.m4s",
                    2,
                    7,
                    true,
                    List.of(
                        new PublishedSegment(
                            40,
                            "hi/ezz1-40-seg15.m4s",
                            2.002,
                            false,
                            Optional.of("hi/ezz1-40-init.mp4"),
                            Optional.of("2026-11-21T10:00:00.000Z"),
                            1234),
                        new PublishedSegment(
                            41,
                            "hi/ezz1-41-seg16.m4s",
                            1.5,
                            true,
                            Optional.empty(),
                            Optional.empty(),
                            99)))));
    assertThat(HlsArchiveState.decode(state.encode())).isEqualTo(state);
  }

  @Test
  void foreignOrDamagedStateIsRefusedWithTheReason() {
    assertThatThrownBy(
            () -> HlsArchiveState.decode("{\"format\":9}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 9");
    assertThatThrownBy(() -> HlsArchiveState.decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not parse");
  }
}
