package dev.segmentrelay.loadtest.player;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The string shortcut for plain segment names gives what {@link URI#resolve} gives. */
class PlayerResolveTest {
  private static final String[] BASES = {
    "http://127.0.0.1:8081/live/room1/v2/index.m3u8",
    "http://127.0.0.1:8081/live/room1/v2/index.m3u8?token=abc/def",
    "http://edge.example/live/room1/master.m3u8#frag",
    "http://edge.example/index.m3u8",
    "http://edge.example/",
    "http://edge.example",
    "https://[::1]:8443/a/b/c.mpd",
    "http://h/a/b/",
  };
  private static final String[] REFS = {
    "seg42.ts",
    "v2/seg42.m4s",
    "seg42.ts?t=1&x=a.b",
    "seg.1.ts",
    "../v1/index.m3u8",
    "./seg.ts",
    "/abs/seg.ts",
    "a/./b.ts",
    "a/../b.ts",
    "a/..",
    "..",
    ".",
    "seg%20x.ts",
    "?only=query",
    "#frag",
    "x:y",
    "//other.host/seg.ts",
    "http://other/seg.ts",
    "a//b.ts",
    "seg.ts.",
  };

  @Test
  void everyReferenceResolvesAsUriDoes() {
    for (String base : BASES) {
      for (String ref : REFS) {
        assertThat(Player.resolve(base, ref))
            .as("%s against %s", ref, base)
            .isEqualTo(URI.create(base).resolve(ref).toString());
      }
    }
  }
}
