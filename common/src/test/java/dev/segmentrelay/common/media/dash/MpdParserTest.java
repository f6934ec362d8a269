package dev.segmentrelay.common.media.dash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MpdParserTest {
  private static final URI FFMPEG = URI.create("http://127.0.0.1:8000/live/out.mpd");
  private static final URI NGINX = URI.create("http://127.0.0.1:8080/dash/room1/index.mpd");

  static byte[] fixture(String name) {
    try (InputStream in = MpdParserTest.class.getResourceAsStream("/fixtures/dash/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private static List<Long> numbers(List<DashSegment> segments) {
    return segments.stream().map(DashSegment::number).toList();
  }

  private static List<Long> times(List<DashSegment> segments) {
    return segments.stream().map(DashSegment::time).toList();
  }

  @Test
  void parsesFfmpegTimelineMpd() {
    Mpd mpd = MpdParser.parse(fixture("ffmpeg-timeline-live.mpd"), FFMPEG);

    assertThat(mpd.type()).isEqualTo(Mpd.Type.DYNAMIC);
    assertThat(mpd.availabilityStartTime()).contains(Instant.parse("2026-11-21T12:51:02.060Z"));
    assertThat(mpd.publishTime()).contains(Instant.parse("2026-11-21T12:51:14.052Z"));
    assertThat(mpd.minimumUpdatePeriod()).contains(Duration.ofSeconds(2));
    assertThat(mpd.timeShiftBufferDepth()).contains(Duration.ofSeconds(10));
    assertThat(mpd.suggestedPresentationDelay()).contains(Duration.ofSeconds(2));
    assertThat(mpd.maxSegmentDuration()).contains(Duration.ofSeconds(2));
    assertThat(mpd.periods()).hasSize(1);
    Period period = mpd.lastPeriod();
    assertThat(period.id()).contains("0");
    assertThat(period.start()).isZero();
    assertThat(period.adaptationSets()).hasSize(2);

    Representation video = period.adaptationSets().get(0).representations().get(0);
    assertThat(video.id()).isEqualTo("0");
    assertThat(video.bandwidth()).isEqualTo(1742908);
    assertThat(video.codecs()).contains("avc1.42c01e");
    assertThat(video.width()).hasValue(640);
    assertThat(video.height()).hasValue(360);
    assertThat(video.template().timescale()).isEqualTo(12800);
    assertThat(video.template().startNumber()).isEqualTo(2);
    assertThat(video.initializationUrl())
        .contains(URI.create("http://127.0.0.1:8000/live/init-stream0.m4s"));

    List<DashSegment> segments = mpd.segments(video, at(Instant.EPOCH), 100);
    assertThat(numbers(segments)).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(times(segments)).containsExactly(25600L, 51200L, 76800L, 102400L, 128000L);
    assertThat(segments.get(0).url())
        .isEqualTo(URI.create("http://127.0.0.1:8000/live/chunk-stream0-00002.m4s"));
    assertThat(segments.get(0).presentationStart()).isEqualTo(Duration.ofSeconds(2));
    assertThat(segments.get(0).durationSeconds()).isEqualTo(2.0);

    Representation audio = period.adaptationSets().get(1).representations().get(0);
    List<DashSegment> audioSegments = mpd.segments(audio, at(Instant.EPOCH), 100);
    assertThat(times(audioSegments)).containsExactly(88064L, 177152L, 265216L, 353280L, 441344L);
    assertThat(audioSegments.get(0).duration()).isEqualTo(89088);
    assertThat(audioSegments.get(4).url().getPath()).endsWith("/chunk-stream1-00006.m4s");
  }

  @Test
  void parsesFfmpegEndedMpdAsStatic() {
    Mpd mpd = MpdParser.parse(fixture("ffmpeg-timeline-ended.mpd"), FFMPEG);

    assertThat(mpd.type()).isEqualTo(Mpd.Type.STATIC);
    assertThat(mpd.availabilityStartTime()).isEmpty();
    assertThat(mpd.mediaPresentationDuration()).contains(Duration.ofMillis(16600));
    assertThat(mpd.lastPeriod().duration()).contains(Duration.ofMillis(16600));
  }

  @Test
  void parsesAbrMpdWithTwoVideoRepresentations() {
    Mpd mpd = MpdParser.parse(fixture("ffmpeg-abr-live.mpd"), FFMPEG);

    List<Representation> video = mpd.lastPeriod().adaptationSets().get(0).representations();
    assertThat(video).extracting(Representation::id).containsExactly("0", "1");
    assertThat(video)
        .extracting(Representation::width)
        .containsExactly(java.util.OptionalInt.of(640), java.util.OptionalInt.of(320));
    assertThat(mpd.lastPeriod().adaptationSets().get(1).representations())
        .extracting(Representation::id)
        .containsExactly("2");
    // ffmpeg numbers the representations' windows independently.
    assertThat(numbers(mpd.segments(video.get(0), at(Instant.EPOCH), 10))).startsWith(2L);
    assertThat(numbers(mpd.segments(video.get(1), at(Instant.EPOCH), 10))).startsWith(1L);
  }

  @Test
  void parsesNginxRtmpMpdWithTimeTemplates() {
    Mpd mpd = MpdParser.parse(fixture("nginx-rtmp-live.mpd"), NGINX);

    assertThat(mpd.availabilityStartTime()).contains(Instant.parse("2026-11-21T12:51:14Z"));
    assertThat(mpd.lastPeriod().id()).contains("dash");
    Representation video = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);
    assertThat(video.id()).isEqualTo("room1_H264");
    assertThat(video.bandwidth()).isZero();
    assertThat(video.template().mediaUsesNumber()).isFalse();
    assertThat(video.initializationUrl())
        .contains(URI.create("http://127.0.0.1:8080/dash/room1/init.m4v"));
    List<DashSegment> segments = mpd.segments(video, at(Instant.EPOCH), 3);
    assertThat(times(segments)).containsExactly(8023L, 10023L, 12023L);
    assertThat(segments.get(2).url())
        .isEqualTo(URI.create("http://127.0.0.1:8080/dash/room1/12023.m4v"));
    Representation audio = mpd.lastPeriod().adaptationSets().get(1).representations().get(0);
    assertThat(audio.mimeType()).contains("audio/mp4");
    assertThat(mpd.segments(audio, at(Instant.EPOCH), 9).get(0).url().getPath())
        .endsWith("/4023.m4a");
  }

  @Test
  void enumeratesNumberTemplateFromTheWallClock() {
    Mpd mpd = MpdParser.parse(fixture("ffmpeg-number-live.mpd"), FFMPEG);
    Representation video = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);
    Instant start = mpd.availabilityStartTime().orElseThrow();

    // 13 s in: segments 1..6 have ended; a 10 s time-shift buffer keeps those ending after 3 s.
    List<DashSegment> at13 = mpd.segments(video, at(start.plusSeconds(13)), 100);
    assertThat(numbers(at13)).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(times(at13))
        .containsExactly(2_000_000L, 4_000_000L, 6_000_000L, 8_000_000L, 10_000_000L);
    assertThat(at13.get(4).url().getPath()).endsWith("/chunk-stream0-00006.m4s");

    assertThat(numbers(mpd.segments(video, at(start.plusSeconds(13)), 2))).containsExactly(5L, 6L);
    // Segment 7 becomes available exactly when it ends.
    assertThat(numbers(mpd.segments(video, at(start.plusSeconds(14)), 1))).containsExactly(7L);
    assertThat(numbers(mpd.segments(video, at(start.plusMillis(13_999)), 1))).containsExactly(6L);
    assertThat(mpd.segments(video, at(start.plusMillis(1_999)), 5)).isEmpty();
    assertThat(mpd.segments(video, at(start.minusSeconds(5)), 5)).isEmpty();
  }

  @Test
  void enumeratesEndedNumberTemplateFromThePresentationDuration() {
    Mpd mpd = MpdParser.parse(fixture("ffmpeg-number-ended.mpd"), FFMPEG);
    Representation video = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);

    List<DashSegment> all = mpd.segments(video, at(Instant.EPOCH), 100);
    assertThat(numbers(all)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(all.get(8).duration()).isEqualTo(900_000);
  }

  private static final String OPEN_ENDED =
      """
      <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic"
           availabilityStartTime="2024-05-01T10:00:00Z" minimumUpdatePeriod="PT2S">
        <Period id="p0" start="PT0S">
          <AdaptationSet mimeType="video/mp4">
            <SegmentTemplate timescale="1000" media="v-$Time$.m4s" initialization="v-init.mp4">
              <SegmentTimeline>%s</SegmentTimeline>
            </SegmentTemplate>
            <Representation id="v" bandwidth="1000"/>
          </AdaptationSet>
        </Period>
      </MPD>
      """;

  @Test
  void openEndedRepeatRunsUntilNowInADynamicMpd() {
    Mpd mpd = MpdParser.parse(OPEN_ENDED.formatted("<S t=\"0\" d=\"2000\" r=\"-1\"/>"), FFMPEG);
    Representation v = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);
    Instant start = Instant.parse("2024-05-01T10:00:00Z");

    assertThat(times(mpd.segments(v, at(start.plusMillis(9_500)), 100)))
        .containsExactly(0L, 2000L, 4000L, 6000L);
    assertThat(times(mpd.segments(v, at(start.plusSeconds(10)), 2))).containsExactly(6000L, 8000L);
    assertThat(mpd.segments(v, at(start.plusMillis(1_000)), 100)).isEmpty();
    // Ten hours in, only the newest few are built.
    List<DashSegment> late = mpd.segments(v, at(start.plus(Duration.ofHours(10))), 3);
    assertThat(numbers(late)).containsExactly(17998L, 17999L, 18000L);
  }

  @Test
  void openEndedRepeatRunsUntilTheNextExplicitStart() {
    Mpd mpd =
        MpdParser.parse(
            OPEN_ENDED.formatted(
                "<S t=\"0\" d=\"1000\" r=\"-1\"/><S t=\"5000\" d=\"2000\" r=\"1\"/>"),
            FFMPEG);
    Representation v = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);

    List<DashSegment> segments = mpd.segments(v, at(Instant.EPOCH), 100);
    assertThat(times(segments)).containsExactly(0L, 1000L, 2000L, 3000L, 4000L, 5000L, 7000L);
    assertThat(numbers(segments)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(segments.get(0).url()).isEqualTo(URI.create("http://127.0.0.1:8000/live/v-0.m4s"));
  }

  @Test
  void timelineWithoutStartBeginsAtZeroAndRepeatsCountEachSegment() {
    Mpd mpd =
        MpdParser.parse(
            OPEN_ENDED.formatted("<S d=\"500\" r=\"2\"/><S d=\"1000\"/><S t=\"9000\" d=\"700\"/>"),
            FFMPEG);
    Representation v = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);

    assertThat(times(mpd.segments(v, at(Instant.EPOCH), 100)))
        .containsExactly(0L, 500L, 1000L, 1500L, 9000L);
  }

  @Test
  void anEmptyTimelineHasNoSegmentsYet() {
    // ffmpeg writes this for a representation whose first segment is not finished.
    Mpd mpd = MpdParser.parse(OPEN_ENDED.formatted(""), FFMPEG);
    Representation v = mpd.lastPeriod().adaptationSets().get(0).representations().get(0);

    assertThat(mpd.segments(v, at(Instant.EPOCH), 10)).isEmpty();
  }

  @Test
  void inheritsTemplatesAndResolvesBaseUrlsAndFormatTags() {
    String xml =
        """
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S">
          <BaseURL>http://cdn.example/a/</BaseURL>
          <Period>
            <BaseURL>p/</BaseURL>
            <AdaptationSet codecs="avc1.64001f" mimeType="video/mp4">
              <SegmentTemplate timescale="90000" duration="180000" startNumber="7"
                  presentationTimeOffset="900000"
                  media="$RepresentationID$/$Bandwidth$-$Number%04d$-$Time$-$$.m4s"
                  initialization="$RepresentationID$/init-$Bandwidth%08d$.mp4"/>
              <Representation id="hd" bandwidth="3000000"/>
              <Representation id="sd" bandwidth="800000">
                <BaseURL>r/</BaseURL>
                <SegmentTemplate startNumber="1"/>
              </Representation>
            </AdaptationSet>
          </Period>
        </MPD>
        """;
    Mpd mpd = MpdParser.parse(xml, FFMPEG);
    List<Representation> reps = mpd.lastPeriod().adaptationSets().get(0).representations();
    Representation hd = reps.get(0);
    Representation sd = reps.get(1);

    assertThat(hd.codecs()).contains("avc1.64001f");
    assertThat(hd.initializationUrl())
        .contains(URI.create("http://cdn.example/a/p/hd/init-03000000.mp4"));
    List<DashSegment> hdSegments = mpd.segments(hd, at(Instant.EPOCH), 10);
    assertThat(numbers(hdSegments)).containsExactly(7L, 8L, 9L);
    assertThat(hdSegments.get(0).url())
        .isEqualTo(URI.create("http://cdn.example/a/p/hd/3000000-0007-900000-$.m4s"));
    assertThat(hdSegments.get(0).presentationStart()).isZero();
    assertThat(sd.template().startNumber()).isEqualTo(1);
    assertThat(sd.template().timescale()).isEqualTo(90000);
    assertThat(mpd.segments(sd, at(Instant.EPOCH), 10).get(0).url())
        .isEqualTo(URI.create("http://cdn.example/a/p/r/sd/800000-0001-900000-$.m4s"));
  }

  @Test
  void readsMultiplePeriodsWithDerivedStartsAndDurations() {
    String xml =
        """
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT30S">
          <Period id="a" duration="PT10S">%s</Period>
          <Period id="b">%s</Period>
        </MPD>
        """
            .formatted(SIMPLE_SET, SIMPLE_SET);
    Mpd mpd = MpdParser.parse(xml, FFMPEG);

    assertThat(mpd.periods().get(0).duration()).contains(Duration.ofSeconds(10));
    assertThat(mpd.periods().get(1).start()).isEqualTo(Duration.ofSeconds(10));
    assertThat(mpd.periods().get(1).duration()).contains(Duration.ofSeconds(20));
    Representation second = mpd.periods().get(1).adaptationSets().get(0).representations().get(0);
    assertThat(second.periodIndex()).isEqualTo(1);
    assertThat(mpd.segments(second, at(Instant.EPOCH), 100)).hasSize(10);
  }

  private static final String SIMPLE_SET =
      """
      <AdaptationSet><Representation id="v" bandwidth="1">
        <SegmentTemplate media="$Number$.m4s" duration="2"/>
      </Representation></AdaptationSet>
      """;

  @Test
  void keepsTheDomForRepublishing() {
    Mpd mpd = MpdParser.parse(fixture("ffmpeg-timeline-live.mpd"), FFMPEG);

    var copy = mpd.copyDocument();
    copy.getDocumentElement().setAttribute("type", "static");
    assertThat(mpd.copyDocument().getDocumentElement().getAttribute("type")).isEqualTo("dynamic");
    assertThat(MpdXml.child(copy.getDocumentElement(), "ServiceDescription")).isPresent();
    String written = new String(MpdXml.write(copy), StandardCharsets.UTF_8);
    assertThat(written).contains("<ServiceDescription").contains("AudioChannelConfiguration");
    assertThat(MpdParser.parse(written, FFMPEG).type()).isEqualTo(Mpd.Type.STATIC);
  }

  @Test
  void refusesSomethingThatIsNotXml() {
    assertThatThrownBy(() -> MpdParser.parse("#EXTM3U\n#EXT-X-VERSION:3\n", FFMPEG))
        .isInstanceOf(MpdParseException.class)
        .hasMessageContaining("not well-formed XML")
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> MpdParser.parse(new byte[0], FFMPEG)).hasMessageContaining("empty");
    assertThatThrownBy(() -> MpdParser.parse("<html><body/></html>", FFMPEG))
        .hasMessageContaining("<html>")
        .hasMessageContaining("expected <MPD>");
  }

  @Test
  void refusesATruncatedMpd() {
    byte[] full = fixture("ffmpeg-timeline-live.mpd");
    byte[] half = Arrays.copyOf(full, full.length / 2);
    assertThatThrownBy(() -> MpdParser.parse(half, FFMPEG))
        .isInstanceOf(MpdParseException.class)
        .hasMessageContaining("not well-formed XML");
  }

  @Test
  void refusesDoctypesAndExternalEntities() {
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<MPD>&x;</MPD>";
    assertThatThrownBy(() -> MpdParser.parse(xxe, FFMPEG))
        .isInstanceOf(MpdParseException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void namesAMissingMediaTemplate() {
    String xml = fixtureText("ffmpeg-timeline-live.mpd").replaceFirst(" media=\"[^\"]*\"", "");
    assertThatThrownBy(() -> MpdParser.parse(xml, FFMPEG))
        .isInstanceOf(MpdParseException.class)
        .hasMessage(
            "Period[0]/AdaptationSet[0]/Representation[id=0]/SegmentTemplate@media is missing");
  }

  @Test
  void namesABadDuration() {
    String xml =
        fixtureText("ffmpeg-timeline-live.mpd")
            .replace("minimumUpdatePeriod=\"PT2S\"", "minimumUpdatePeriod=\"2 seconds\"");
    assertThatThrownBy(() -> MpdParser.parse(xml, FFMPEG))
        .isInstanceOf(MpdParseException.class)
        .hasMessageContaining("MPD@minimumUpdatePeriod '2 seconds' is not an xs:duration");
    String negative =
        fixtureText("ffmpeg-number-live.mpd").replace("duration=\"2000000\"", "duration=\"-5\"");
    assertThatThrownBy(() -> MpdParser.parse(negative, FFMPEG))
        .hasMessageContaining("SegmentTemplate@duration '-5' is negative");
  }

  @Test
  void namesOtherMissingOrBadAttributes() {
    String live = fixtureText("ffmpeg-timeline-live.mpd");
    assertThatThrownBy(() -> MpdParser.parse(live.replace(" d=\"25600\"", ""), FFMPEG))
        .hasMessageContaining("SegmentTimeline/S[0]@d is missing");
    assertThatThrownBy(
            () ->
                MpdParser.parse(
                    live.replace("bandwidth=\"1742908\"", "bandwidth=\"fast\""), FFMPEG))
        .hasMessageContaining(
            "Representation[id=0]@bandwidth 'fast' is not a non-negative integer");
    assertThatThrownBy(
            () ->
                MpdParser.parse(live.replaceFirst("availabilityStartTime=\"[^\"]*\"", ""), FFMPEG))
        .hasMessageContaining("MPD@availabilityStartTime is missing");
    assertThatThrownBy(
            () -> MpdParser.parse(live.replace("2026-11-21T12:51:02.060Z", "yesterday"), FFMPEG))
        .hasMessageContaining("MPD@availabilityStartTime 'yesterday'");
    assertThatThrownBy(() -> MpdParser.parse(live.replace("chunk-stream", "chunk stream"), FFMPEG))
        .hasMessageContaining("SegmentTemplate@media 'chunk stream$RepresentationID$")
        .hasMessageContaining("does not make a URL");
    assertThatThrownBy(() -> MpdParser.parse(live.replace("$Number%05d$", "$Nummer$"), FFMPEG))
        .hasMessageContaining("unknown identifier $Nummer$");
    assertThatThrownBy(
            () -> MpdParser.parse(live.replace("type=\"dynamic\"", "type=\"live\""), FFMPEG))
        .hasMessage("MPD@type 'live' is neither 'static' nor 'dynamic'");
    assertThatThrownBy(
            () ->
                MpdParser.parse(
                    fixtureText("ffmpeg-number-live.mpd").replace(" duration=\"2000000\"", ""),
                    FFMPEG))
        .hasMessageContaining("has neither @duration nor a SegmentTimeline");
  }

  private static String fixtureText(String name) {
    return new String(fixture(name), StandardCharsets.UTF_8);
  }
}
