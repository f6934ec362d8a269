package dev.segmentrelay.common.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaPathTest {
  @Test
  void acceptsNestedMediaPaths() {
    MediaPath p = MediaPath.parse("room1", "stream_0/e1-3-seg%5F3.ts");
    assertThat(p.path()).isEqualTo("stream_0/e1-3-seg_3.ts");
    assertThat(p.kind()).isEqualTo(ObjectKind.SEGMENT);
    assertThat(p.urlPath()).isEqualTo("/live/room1/stream_0/e1-3-seg_3.ts");
    assertThat(MediaPath.parse("room1", "master.m3u8").kind()).isEqualTo(ObjectKind.PLAYLIST);
    assertThat(MediaPath.parse("room1", "index.mpd").kind()).isEqualTo(ObjectKind.MANIFEST);
    assertThat(MediaPath.parse("room1", "v/init.mp4").kind()).isEqualTo(ObjectKind.INIT);
    assertThat(MediaPath.parse("room1", "init.m4v").kind()).isEqualTo(ObjectKind.INIT);
    assertThat(MediaPath.parse("room1", "12023.m4a").kind()).isEqualTo(ObjectKind.SEGMENT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x.ts",
        "a/../../x.ts",
        "%2e%2e/x.ts",
        "%2E%2E%2Fx.ts",
        "a%2f..%2fx.ts",
        "a\\..\\x.ts",
        "a%5c..%5cx.ts",
        "a%00.ts",
        "a//b.ts",
        ".hidden.ts",
        "%252e%252e/x.ts",
        "a/./b.ts",
        "a b.ts",
        "%zz.ts"
      })
  void refusesTraversalAndUnsafePaths(String raw) {
    assertThatThrownBy(() -> MediaPath.parse("room1", raw))
        .isInstanceOfSatisfying(
            MediaPath.InvalidPathException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void unknownExtensionsAndStreamsAre404() {
    assertThatThrownBy(() -> MediaPath.parse("room1", "x.exe"))
        .isInstanceOfSatisfying(
            MediaPath.InvalidPathException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessageContaining("x.exe");
    assertThatThrownBy(() -> MediaPath.parse("Room!", "x.ts"))
        .isInstanceOfSatisfying(
            MediaPath.InvalidPathException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void refusesOverlongPaths() {
    assertThatThrownBy(() -> MediaPath.parse("room1", "a".repeat(600) + ".ts"))
        .hasMessageContaining("longer than 512");
  }

  @Test
  void printableEscapesControlCharacters() {
    assertThat(MediaPath.printable("a\nb\u0000")).isEqualTo("a\\x0ab\\x00");
  }
}
