package dev.segmentrelay.common.media.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HlsParserTest {

  static String fixture(String name) {
    try (InputStream in = HlsParserTest.class.getResourceAsStream("/fixtures/hls/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("fixture " + name, e);
    }
  }

  @Test
  void parsesFfmpegTsPlaylist() {
    MediaPlaylist p = HlsParser.parseMedia(fixture("ffmpeg-ts-ended.m3u8"));
    assertThat(p.version()).isEqualTo(3);
    assertThat(p.targetDuration()).isEqualTo(2);
    assertThat(p.mediaSequence()).isZero();
    assertThat(p.endList()).isTrue();
    assertThat(p.segments()).extracting(HlsSegment::uri).startsWith("index0.ts", "index1.ts");
    assertThat(p.segments()).hasSize(5);
    assertThat(p.segments().get(4).duration()).isEqualTo(0.76);
    assertThat(p.lastSequence()).isEqualTo(4);
  }

  @Test
  void parsesFfmpegFmp4PlaylistWithMap() {
    MediaPlaylist p = HlsParser.parseMedia(fixture("ffmpeg-fmp4-ended.m3u8"));
    assertThat(p.version()).isEqualTo(7);
    assertThat(p.segments())
        .allSatisfy(
            s -> assertThat(s.map()).contains(new InitSection("init.mp4", Optional.empty())));
  }

  @Test
  void parsesProgramDateTimeWrittenBetweenExtinfAndUri() {
    MediaPlaylist p = HlsParser.parseMedia(fixture("ffmpeg-ts-live-pdt.m3u8"));
    assertThat(p.mediaSequence()).isEqualTo(1);
    assertThat(p.endList()).isFalse();
    assertThat(p.segments().get(0).programDateTime()).contains("2026-11-21T12:49:28.274+0000");
    assertThat(p.segments().get(0).uri()).isEqualTo("index1.ts");
  }

  @Test
  void parsesByteRangesWithExplicitOffsets() {
    MediaPlaylist p = HlsParser.parseMedia(fixture("ffmpeg-byterange.m3u8"));
    assertThat(p.segments().get(1).byteRange()).contains(new ByteRange(199656, 181608));
    assertThat(p.segments()).allSatisfy(s -> assertThat(s.uri()).isEqualTo("index.ts"));
  }

  @Test
  void resolvesByteRangeOffsetFromPreviousSegment() {
    MediaPlaylist p =
        HlsParser.parseMedia(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@0\na.ts\n"
                + "#EXTINF:2,\n#EXT-X-BYTERANGE:50\na.ts\n");
    assertThat(p.segments().get(1).byteRange()).contains(new ByteRange(50, 100));
  }

  @Test
  void parsesNginxRtmpPlaylistWithLeadingDiscontinuity() {
    MediaPlaylist p = HlsParser.parseMedia(fixture("nginx-rtmp-live.m3u8"));
    assertThat(p.segments().get(0).discontinuity()).isTrue();
    assertThat(p.segments().get(1).discontinuity()).isFalse();
    assertThat(p.segments()).extracting(HlsSegment::uri).contains("0.ts", "6.ts");
  }

  @Test
  void parsesFfmpegMasterAndRewritesOnlyUris() {
    MasterPlaylist m = (MasterPlaylist) HlsParser.parse(fixture("ffmpeg-abr-master.m3u8"));
    assertThat(m.playlistUris()).containsExactly("stream_0.m3u8", "stream_1.m3u8");
    String out = m.render(u -> "r/" + u, u -> u.equals("stream_1.m3u8"));
    assertThat(out)
        .contains(
            "#EXT-X-STREAM-INF:BANDWIDTH=165000,RESOLUTION=160x90,CODECS=\"avc1.42c00c\"\nr/stream_1.m3u8")
        .doesNotContain("stream_0");
  }

  @Test
  void masterKeepsRenditionGroupsAndRewritesTheirUri() {
    MasterPlaylist m =
        (MasterPlaylist)
            HlsParser.parse(
                "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en, main\",URI=\"audio/en.m3u8\"\n"
                    + "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\nv/1.m3u8\n");
    assertThat(m.playlistUris()).containsExactly("audio/en.m3u8", "v/1.m3u8");
    assertThat(m.render(u -> "x-" + u, u -> true))
        .contains("NAME=\"en, main\",URI=\"x-audio/en.m3u8\"")
        .contains("x-v/1.m3u8");
  }

  @Test
  void renderRoundTripsAMediaPlaylist() {
    MediaPlaylist p = HlsParser.parseMedia(fixture("ffmpeg-fmp4-ended.m3u8"));
    MediaPlaylist again = HlsParser.parseMedia(p.render());
    assertThat(again).isEqualTo(p);
  }

  @Test
  void rendersDiscontinuityAndMapAgainAfterIt() {
    InitSection a = new InitSection("a-init.mp4", Optional.empty());
    InitSection b = new InitSection("b-init.mp4", Optional.empty());
    MediaPlaylist p =
        new MediaPlaylist(
            7,
            2,
            10,
            1,
            false,
            Optional.empty(),
            false,
            java.util.List.of(
                new HlsSegment(
                    "1.m4s", 2, "", Optional.empty(), false, Optional.of(a), Optional.empty()),
                new HlsSegment(
                    "2.m4s", 2, "", Optional.empty(), true, Optional.of(b), Optional.empty())));
    String text = p.render();
    assertThat(text)
        .contains("#EXT-X-DISCONTINUITY-SEQUENCE:1")
        .contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"b-init.mp4\"\n#EXTINF:2.000000,\n2.m4s");
    assertThat(HlsParser.parseMedia(text)).isEqualTo(p);
  }

  @Test
  void rejectsTruncatedPlaylist() {
    String truncated = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg1.ts\n#EXTINF:2.0,\n";
    assertThatThrownBy(() -> HlsParser.parse(truncated))
        .isInstanceOf(PlaylistParseException.class)
        .hasMessageContaining("line 5")
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsAPlaylistCutInsideItsLastUri() {
    String cut = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg1.ts\n#EXTINF:2.0,\nseg";
    assertThatThrownBy(() -> HlsParser.parse(cut))
        .isInstanceOf(PlaylistParseException.class)
        .hasMessageContaining("line 6")
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> HlsParser.parse("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/ind"))
        .hasMessageContaining("truncated");
    // A final tag without a line end is harmless and accepted.
    assertThat(
            HlsParser.parseMedia(cut.substring(0, cut.lastIndexOf("#EXTINF")) + "#EXT-X-ENDLIST")
                .endList())
        .isTrue();
  }

  @Test
  void rejectsMissingHeader() {
    assertThatThrownBy(() -> HlsParser.parse("<html>502 Bad Gateway</html>"))
        .hasMessageContaining("#EXTM3U")
        .hasMessageContaining("<html>");
  }

  @Test
  void rejectsEmptyBody() {
    assertThatThrownBy(() -> HlsParser.parse("")).hasMessageContaining("empty");
  }

  @Test
  void rejectsMissingTargetDuration() {
    assertThatThrownBy(() -> HlsParser.parse("#EXTM3U\n#EXTINF:2,\na.ts\n"))
        .hasMessageContaining("EXT-X-TARGETDURATION");
  }

  @Test
  void rejectsBadNumbers() {
    assertThatThrownBy(() -> HlsParser.parse("#EXTM3U\n#EXT-X-TARGETDURATION:two\n"))
        .hasMessageContaining("line 2")
        .hasMessageContaining("'two'");
    assertThatThrownBy(
            () -> HlsParser.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:abc,\na.ts\n"))
        .hasMessageContaining("EXTINF duration 'abc'");
  }

  @Test
  void rejectsUriWithoutExtinf() {
    assertThatThrownBy(() -> HlsParser.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n"))
        .hasMessageContaining("without a preceding EXTINF");
  }

  @Test
  void rejectsEncryptedMedia() {
    assertThatThrownBy(
            () ->
                HlsParser.parse(
                    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:2,\na.ts\n"))
        .hasMessageContaining("AES-128");
  }

  @Test
  void rejectsMasterWithVariantWithoutUri() {
    assertThatThrownBy(() -> HlsParser.parse("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"))
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsUnterminatedQuotedAttribute() {
    assertThatThrownBy(
            () -> HlsParser.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\n"))
        .hasMessageContaining("unterminated");
  }
}
