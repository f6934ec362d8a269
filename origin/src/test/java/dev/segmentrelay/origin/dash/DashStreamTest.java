package dev.segmentrelay.origin.dash;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.segmentrelay.common.media.dash.AdaptationSet;
import dev.segmentrelay.common.media.dash.Mpd;
import dev.segmentrelay.common.media.dash.MpdParser;
import dev.segmentrelay.common.media.dash.Period;
import dev.segmentrelay.common.media.dash.Representation;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.testing.MutableClock;
import dev.segmentrelay.origin.LiveDocument;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.StreamStatus;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.archive.ArchivedState;
import dev.segmentrelay.origin.archive.StateLog;
import dev.segmentrelay.origin.hls.MemoryArchive;
import dev.segmentrelay.origin.store.InMemorySegmentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DashStreamTest {
  private static final URI MPD_URL = URI.create("http://127.0.0.1:9/live/out.mpd");
  private static final String MPD = "/live/out.mpd";
  private static final URI PUBLISHED_AT = URI.create("http://origin.test/live/room1/out.mpd");
  private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

  private Vertx vertx;
  private FakeSource source;
  private InMemorySegmentStore store;
  private InProcessRegistry registry;
  private MutableClock clock;
  private DashStream stream;
  private final List<SegmentAvailable> announced = new CopyOnWriteArrayList<>();
  private final Map<String, String> bytesEverStoredUnder = new ConcurrentHashMap<>();
  private final List<String> namesReusedWithOtherBytes = new CopyOnWriteArrayList<>();
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    source = new FakeSource();
    registry = new InProcessRegistry();
    clock = new MutableClock(T0);
    registry.subscribe(
        "room1",
        event -> {
          announced.add(event);
          String body =
              store
                  .get("room1", event.path())
                  .orElseThrow()
                  .body()
                  .toString(StandardCharsets.UTF_8);
          String before = bytesEverStoredUnder.putIfAbsent(event.path(), body);
          if (before != null && !before.equals(body)) {
            namesReusedWithOtherBytes.add(event.path());
          }
        });
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(DashStream.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(DashStream.class)).detachAppender(logs);
    if (stream != null) {
      await(stream.stop());
    }
    await(vertx.close());
  }

  // ---- consistent publishing -------------------------------------------------------------

  @Test
  void nothingIsPublishedUntilSomethingIsStored() {
    source.put(MPD, dynamicMpd(T0, 1, 2));
    putSegments("run1", 1, 2);
    source.hold("/live/init-streamv.m4s");
    source.hold("/live/init-streama.m4s");
    start(6);

    eventually(() -> assertThat(source.requested("/live/init-streama.m4s")).isTrue());
    assertThat(stream.document("out.mpd")).isEmpty();
    assertThat(stream.status().state()).isEqualTo("starting");
    assertThat(registry.get("room1").orElseThrow().state()).isEqualTo("starting");

    source.release("/live/init-streamv.m4s");
    source.release("/live/init-streama.m4s");
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(2));
    assertThat(stream.document("other.mpd")).isEmpty();
    assertThat(stream.document("out.mpd").orElseThrow().contentType())
        .isEqualTo("application/dash+xml");
  }

  @Test
  void aSegmentWhoseFetchIsPendingIsNotPublished() {
    source.put(MPD, dynamicMpd(T0, 1, 3));
    putSegments("run1", 1, 3);
    source.hold("/live/chunk-streamv-00003.m4s");
    start(6);

    eventually(
        () -> {
          Mpd published = publishedMpd();
          assertThat(segmentPaths(published, "a")).hasSize(3);
          assertThat(segmentPaths(published, "v")).hasSize(2);
        });
    assertThat(source.requested("/live/chunk-streamv-00003.m4s")).isTrue();
    assertConsistent(publishedMpd());

    source.release("/live/chunk-streamv-00003.m4s");
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(3));
    assertConsistent(publishedMpd());
  }

  @Test
  void republishesWithOriginNamesRelativeUrlsAndAnnouncements() {
    source.put(MPD, dynamicMpd(T0, 1, 3));
    putSegments("run1", 1, 3);
    start(6);

    eventually(() -> assertThat(announced).hasSize(6));
    String tag = stream.status().epoch();
    assertThat(tag).startsWith("e").isEqualTo("e" + Long.toString(T0.toEpochMilli(), 36));
    LiveDocument document = stream.document("out.mpd").orElseThrow();
    String body = document.body().toString(StandardCharsets.UTF_8);
    assertThat(body).doesNotContain("BaseURL").doesNotContain("127.0.0.1:9");
    assertThat(body).contains("<Title>room one</Title>");
    assertThat(body)
        .contains("media=\"" + tag + "-chunk-stream$RepresentationID$-$Number%05d$.m4s\"");
    assertThat(document.maxAgeSeconds()).isEqualTo(1);
    assertThat(document.etag()).startsWith("\"").endsWith("\"");

    Mpd published = publishedMpd();
    assertThat(published.isDynamic()).isTrue();
    assertThat(published.availabilityStartTime()).contains(T0);
    assertThat(published.lastPeriod().id()).contains(tag);
    assertThat(segmentPaths(published, "v"))
        .containsExactly(
            tag + "-chunk-streamv-00001.m4s",
            tag + "-chunk-streamv-00002.m4s",
            tag + "-chunk-streamv-00003.m4s");
    assertThat(representation(published.lastPeriod(), "v").initializationUrl())
        .contains(PUBLISHED_AT.resolve(tag + "-init-streamv.m4s"));
    assertConsistent(published);
    assertThat(store.get("room1", tag + "-chunk-streama-00002.m4s").orElseThrow().rendition())
        .isEqualTo("a");

    SegmentAvailable first = announced.get(0);
    assertThat(first.stream()).isEqualTo("room1");
    assertThat(first.path()).startsWith(tag + "-chunk-stream");
    assertThat(first.durationSeconds()).isEqualTo(2.0);
    var record = registry.get("room1").orElseThrow();
    assertThat(record.protocol()).isEqualTo("dash");
    assertThat(record.renditions()).containsExactly("v", "a");
    assertThat(record.state()).isEqualTo("live");
    StreamStatus status = stream.status();
    assertThat(status.state()).isEqualTo("live");
    assertThat(status.entry()).isEqualTo("out.mpd");
    assertThat(status.segmentsPublished()).isEqualTo(6);
    assertThat(status.newestSegmentAge()).contains(Duration.ZERO);

    clock.advance(Duration.ofSeconds(16));
    assertThat(stream.status().state()).isEqualTo("stalled");
  }

  // ---- epochs ----------------------------------------------------------------------------

  @Test
  void aRestartBecomesANewPeriodUnderNewNames() {
    source.put(MPD, dynamicMpd(T0, 1, 4));
    putSegments("run1", 1, 4);
    start(6);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(4));
    String firstTag = stream.status().epoch();

    clock.advance(Duration.ofSeconds(30));
    putSegments("run2", 1, 2);
    source.put(MPD, dynamicMpd(T0.plusSeconds(30), 1, 2));

    eventually(() -> assertThat(publishedMpd().periods()).hasSize(2));
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(6));
    String secondTag = stream.status().epoch();
    assertThat(Long.parseLong(secondTag.substring(1), 36))
        .isGreaterThan(Long.parseLong(firstTag.substring(1), 36));
    Mpd published = publishedMpd();
    assertThat(published.availabilityStartTime()).contains(T0);
    assertThat(published.periods().get(0).id()).contains(firstTag);
    assertThat(published.periods().get(1).id()).contains(secondTag);
    assertThat(published.periods().get(1).start()).isEqualTo(Duration.ofSeconds(30));
    assertThat(segmentPaths(published, "v"))
        .containsExactly(
            firstTag + "-chunk-streamv-00001.m4s",
            firstTag + "-chunk-streamv-00002.m4s",
            firstTag + "-chunk-streamv-00003.m4s",
            firstTag + "-chunk-streamv-00004.m4s",
            secondTag + "-chunk-streamv-00001.m4s",
            secondTag + "-chunk-streamv-00002.m4s");
    assertThat(
            store
                .get("room1", secondTag + "-chunk-streamv-00001.m4s")
                .orElseThrow()
                .body()
                .toString())
        .isEqualTo("run2 v 1");
    assertThat(
            store
                .get("room1", firstTag + "-chunk-streamv-00001.m4s")
                .orElseThrow()
                .body()
                .toString())
        .isEqualTo("run1 v 1");
    assertThat(store.contains("room1", secondTag + "-init-streamv.m4s")).isTrue();
    assertConsistent(published);
    assertThat(namesReusedWithOtherBytes).isEmpty();
  }

  @Test
  void numbersGoingBackwardsIsARestartEvenWithTheSameStartTime() {
    source.put(MPD, dynamicMpd(T0, 5, 8));
    putSegments("run1", 5, 8);
    start(4);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(4));
    String firstTag = stream.status().epoch();

    putSegments("run2", 1, 1);
    source.put(MPD, dynamicMpd(T0, 1, 1));

    eventually(() -> assertThat(publishedMpd().periods()).hasSize(2));
    String secondTag = stream.status().epoch();
    // The clock did not move: the tag is bumped so that it still increases.
    assertThat(Long.parseLong(secondTag.substring(1), 36))
        .isEqualTo(Long.parseLong(firstTag.substring(1), 36) + 1);
    Mpd published = publishedMpd();
    // Media of the first run ends at 16 s; the second run may not start before that.
    assertThat(published.periods().get(1).start()).isEqualTo(Duration.ofSeconds(16));
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(4));
    assertThat(segmentPaths(publishedMpd(), "v"))
        .containsExactly(
            firstTag + "-chunk-streamv-00006.m4s",
            firstTag + "-chunk-streamv-00007.m4s",
            firstTag + "-chunk-streamv-00008.m4s",
            secondTag + "-chunk-streamv-00001.m4s");
    assertThat(logs.list)
        .anySatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .contains("source restarted")
                    .contains("went back"));
    assertThat(namesReusedWithOtherBytes).isEmpty();
  }

  @Test
  void anEndedSourceIsPublishedAsStatic() {
    source.put(MPD, dynamicMpd(T0, 1, 3));
    putSegments("run1", 1, 4);
    start(6);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(3));
    String tag = stream.status().epoch();

    source.put(MPD, mpd("type=\"static\" mediaPresentationDuration=\"PT8S\"", 1, 4));

    eventually(() -> assertThat(publishedMpd().type()).isEqualTo(Mpd.Type.STATIC));
    Mpd published = publishedMpd();
    assertThat(segmentPaths(published, "v"))
        .hasSize(4)
        .last()
        .isEqualTo(tag + "-chunk-streamv-00004.m4s");
    assertThat(published.minimumUpdatePeriod()).isEmpty();
    assertThat(published.mediaPresentationDuration()).contains(Duration.ofSeconds(8));
    assertThat(stream.status().state()).isEqualTo("ended");
    assertThat(stream.status().epoch()).isEqualTo(tag);
    eventually(() -> assertThat(registry.get("room1").orElseThrow().state()).isEqualTo("ended"));
  }

  // ---- failures --------------------------------------------------------------------------

  @Test
  void aMalformedMpdKeepsTheLastGoodVersion() {
    source.put(MPD, dynamicMpd(T0, 1, 2));
    putSegments("run1", 1, 3);
    start(6);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(2));
    String etag = stream.document("out.mpd").orElseThrow().etag();

    source.put(MPD, "<MPD type=\"dynamic\"><Period>");
    eventually(
        () ->
            assertThat(logs.list)
                .anySatisfy(
                    e -> {
                      assertThat(e.getLevel()).isEqualTo(Level.WARN);
                      assertThat(e.getFormattedMessage())
                          .contains("room1")
                          .contains(MPD_URL.toString())
                          .contains("not well-formed XML");
                    }));
    assertThat(stream.document("out.mpd").orElseThrow().etag()).isEqualTo(etag);
    assertThat(stream.status().lastError()).get().asString().contains("malformed");

    source.put(MPD, dynamicMpd(T0, 1, 3).replace("d=\"2000\"", "d=\"x\""));
    long polls = source.requests.stream().filter(MPD::equals).count();
    eventually(
        () ->
            assertThat(source.requests.stream().filter(MPD::equals).count()).isGreaterThan(polls));
    eventually(() -> assertThat(stream.status().lastError()).get().asString().contains("@d 'x'"));
    assertThat(stream.document("out.mpd").orElseThrow().etag()).isEqualTo(etag);

    source.put(MPD, dynamicMpd(T0, 1, 3));
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(3));
  }

  @Test
  void aMissingSegmentIsSkippedWithoutBlockingLaterOnes() {
    source.put(MPD, dynamicMpd(T0, 1, 4));
    putSegments("run1", 1, 4);
    source.remove("/live/chunk-streamv-00002.m4s");
    start(6);

    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(4));
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(2));
    String tag = stream.status().epoch();
    // $Number$ names: the timeline numbers entries one by one, so it restarts after the gap.
    assertThat(segmentPaths(publishedMpd(), "v"))
        .containsExactly(tag + "-chunk-streamv-00003.m4s", tag + "-chunk-streamv-00004.m4s");
    assertThat(source.requests.stream().filter("/live/chunk-streamv-00002.m4s"::equals).count())
        .isEqualTo(3);
    assertThat(stream.status().lastError())
        .get()
        .asString()
        .contains("chunk-streamv-00002.m4s")
        .contains("skipped");
    assertConsistent(publishedMpd());

    putSegments("run1", 5, 5);
    source.put(MPD, dynamicMpd(T0, 1, 5));
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(3));
  }

  @Test
  void republishesAnNginxRtmpMpdKeepingTimeNamesAroundAGap() {
    URI url = URI.create("http://127.0.0.1:9/dash/room1/index.mpd");
    source.put("/dash/room1/index.mpd", fixture("nginx-rtmp-live.mpd"));
    for (String ext : List.of("m4v", "m4a")) {
      source.put("/dash/room1/init." + ext, "init " + ext);
      for (long t = 4023; t <= 12023; t += 2000) {
        source.put("/dash/room1/" + t + "." + ext, t + " " + ext);
      }
    }
    source.remove("/dash/room1/8023.m4v");
    stream =
        new DashStream(
            "room1",
            url,
            source,
            store(8),
            registry,
            registry,
            config(8),
            vertx,
            clock,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            new DashStream.RetryPolicy(2, Duration.ofMillis(5)),
            Archive.disabled());
    await(stream.start());

    eventually(() -> assertThat(stream.document("index.mpd")).isPresent());
    eventually(
        () ->
            assertThat(
                    segmentPaths(
                        parsePublished(stream.document("index.mpd").orElseThrow()), "room1_AAC"))
                .hasSize(5));
    eventually(
        () ->
            assertThat(
                    segmentPaths(
                        parsePublished(stream.document("index.mpd").orElseThrow()), "room1_H264"))
                .hasSize(4));
    String tag = stream.status().epoch();
    Mpd published = parsePublished(stream.document("index.mpd").orElseThrow());
    assertThat(segmentPaths(published, "room1_H264"))
        .containsExactly(
            tag + "-4023.m4v", tag + "-6023.m4v", tag + "-10023.m4v", tag + "-12023.m4v");
    assertThat(stream.document("index.mpd").orElseThrow().body().toString())
        .contains("<S d=\"2000\" r=\"1\" t=\"4023\"/>")
        .contains("<S d=\"2000\" r=\"1\" t=\"10023\"/>");
    assertConsistent(published);
    assertThat(stream.status().renditions()).containsExactly("room1_H264", "room1_AAC");
  }

  // ---- $Number$ with @duration -------------------------------------------------------------

  @Test
  void aNumberTemplateSourceIsRepublishedAsATimeline() {
    Mpd fixture =
        MpdParser.parse(
            fixture("ffmpeg-number-live.mpd").getBytes(StandardCharsets.UTF_8), MPD_URL);
    Instant start = fixture.availabilityStartTime().orElseThrow();
    clock.set(start.plusSeconds(13));
    source.put(MPD, fixture("ffmpeg-number-live.mpd"));
    for (String rep : List.of("0", "1")) {
      source.put("/live/init-stream" + rep + ".m4s", "init " + rep);
      for (int n = 1; n <= 9; n++) {
        source.put("/live/chunk-stream" + rep + "-0000" + n + ".m4s", "seg " + rep + " " + n);
      }
    }
    start(6);

    eventually(() -> assertThat(segmentPaths(publishedMpd(), "1")).hasSize(5));
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "0")).hasSize(5));
    String tag = stream.status().epoch();
    String body = stream.document("out.mpd").orElseThrow().body().toString();
    assertThat(body)
        .contains("startNumber=\"2\"")
        .contains("<S d=\"2000000\" r=\"4\" t=\"2000000\"/>")
        .contains("media=\"" + tag + "-chunk-stream$RepresentationID$-$Number%05d$.m4s\"");
    assertThat(stream.document("out.mpd").orElseThrow().maxAgeSeconds()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(2));
    eventually(
        () ->
            assertThat(segmentPaths(publishedMpd(), "0"))
                .hasSize(6)
                .last()
                .isEqualTo(tag + "-chunk-stream0-00007.m4s"));
    assertConsistent(publishedMpd());
  }

  // ---- archive ---------------------------------------------------------------------------

  @Test
  void anEndedArchivedStreamPublishesAStaticMpdOfEverySegmentFromTheStart() {
    MemoryArchive archive = new MemoryArchive(Duration.ZERO);
    start(3, archive);
    feedOneByOne(1, 8, 2);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(3));
    assertThat(segmentPaths(publishedMpd(), "v")).as("live: the memory window").hasSize(3);
    String tag = stream.status().epoch();
    assertThat(archive.holds("room1", tag + "-chunk-streamv-00001.m4s"))
        .as("segments written through")
        .isTrue();
    assertThat(archive.holds("room1", tag + "-init-streama.m4s")).as("init written").isTrue();

    source.put(MPD, mpd("type=\"static\" mediaPresentationDuration=\"PT16S\"", 6, 8));
    eventually(() -> assertThat(stream.status().state()).isEqualTo("ended"));
    String body = stream.document("out.mpd").orElseThrow().body().toString();
    assertThat(body)
        .contains("type=\"static\"")
        .contains("mediaPresentationDuration=\"PT16S\"")
        .doesNotContain("minimumUpdatePeriod")
        .contains("startNumber=\"1\"")
        .contains("<S d=\"2000\" r=\"7\" t=\"0\"/>");
    Mpd replay = publishedMpd();
    for (String rep : List.of("v", "a")) {
      List<String> paths = segmentPaths(replay, rep);
      assertThat(paths).as("replay of %s", rep).hasSize(8);
      assertThat(paths.get(0)).isEqualTo(tag + String.format("-chunk-stream%s-00001.m4s", rep));
      assertThat(paths).allMatch(p -> archive.holds("room1", p));
    }
    assertThat(store.contains("room1", tag + "-chunk-streamv-00001.m4s"))
        .as("the oldest segment left memory: the replay needs the archive")
        .isFalse();
    assertThat(archive.document("room1", "out.mpd")).isEqualTo(body);
  }

  @Test
  void withADvrWindowTheLiveMpdListsArchivedSegmentsBeyondTheMemoryWindow() {
    MemoryArchive archive = new MemoryArchive(Duration.ofSeconds(20));
    start(3, archive);
    feedOneByOne(1, 16, 2);
    eventually(
        () -> assertThat(segmentPaths(publishedMpd(), "a")).last().asString().endsWith("16.m4s"));
    String tag = stream.status().epoch();
    Mpd live = publishedMpd();
    assertThat(live.isDynamic()).isTrue();
    for (String rep : List.of("v", "a")) {
      List<String> paths = segmentPaths(live, rep);
      assertThat(paths).as("20 s of 2 s segments of %s", rep).hasSize(10);
      assertThat(paths.get(0)).isEqualTo(tag + String.format("-chunk-stream%s-00007.m4s", rep));
    }
    assertThat(store.contains("room1", tag + "-chunk-streamv-00007.m4s"))
        .as("the oldest listed segment left memory: only S3 has it")
        .isFalse();
    assertThat(live.timeShiftBufferDepth().orElseThrow())
        .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    assertConsistentWith(live, archive);
  }

  @Test
  void theDvrWindowStopsAtASegmentS3HasNotConfirmed() {
    MemoryArchive archive = new MemoryArchive(Duration.ofSeconds(60));
    archive.refuse("-chunk-streamv-00004.m4s");
    start(3, archive);
    feedOneByOne(1, 14, 2);
    String tag = stream.status().epoch();
    List<String> video = segmentPaths(publishedMpd(), "v");
    assertThat(video.get(0))
        .as("segment 4 is neither in memory nor in S3: the run starts after it")
        .isEqualTo(tag + "-chunk-streamv-00005.m4s");
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(14));
  }

  @Test
  void aRestartedOriginContinuesTheArchivedStreamInANewPeriodWithoutReusingAName() {
    MemoryArchive archive = new MemoryArchive(Duration.ofSeconds(60));
    start(3, archive);
    feedOneByOne(1, 6, 2);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(6));
    String firstTag = stream.status().epoch();
    await(stream.stop());

    // A new origin process: empty memory, the same archive; the transcoder kept running.
    start(3, archive);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(6));
    assertThat(segmentPaths(publishedMpd(), "v"))
        .as("restored from the archive before anything new arrived")
        .allMatch(p -> p.startsWith(firstTag + "-"));
    for (long n = 7; n <= 9; n++) {
      putSegments("run1", n, n);
      source.put(MPD, dynamicMpd(T0, n - 2, n));
    }
    eventually(
        () -> assertThat(segmentPaths(publishedMpd(), "a")).last().asString().endsWith("09.m4s"));
    eventually(
        () -> assertThat(segmentPaths(publishedMpd(), "v")).last().asString().endsWith("09.m4s"));
    String secondTag = stream.status().epoch();
    assertThat(secondTag).isNotEqualTo(firstTag);
    Mpd live = publishedMpd();
    assertThat(live.periods())
        .extracting(p -> p.id().orElse(""))
        .containsExactly(firstTag, secondTag);
    assertThat(live.periods().get(1).start())
        .as("the new Period starts where the restored one ends")
        .isEqualTo(Duration.ofSeconds(12));
    for (String rep : List.of("v", "a")) {
      List<String> paths = segmentPaths(live, rep);
      assertThat(paths).as("%s: restored 1-6, then 7-9 in the new epoch", rep).hasSize(9);
      assertThat(paths.get(6))
          .isEqualTo(secondTag + String.format("-chunk-stream%s-00007.m4s", rep));
      assertThat(paths).doesNotHaveDuplicates();
    }
    assertThat(stream.document("out.mpd").orElseThrow().body().toString())
        .as("media times keep their place on the timeline")
        .contains("presentationTimeOffset=\"12000\"");
    assertThat(namesReusedWithOtherBytes).isEmpty();
    assertConsistentWith(live, archive);
  }

  @Test
  void aRestartedOriginServesTheReplayOfAnEndedStreamWhoseSourceIsGone() {
    MemoryArchive archive = new MemoryArchive(Duration.ofSeconds(60));
    start(3, archive);
    feedOneByOne(1, 5, 2);
    source.put(MPD, mpd("type=\"static\" mediaPresentationDuration=\"PT10S\"", 3, 5));
    eventually(() -> assertThat(stream.status().state()).isEqualTo("ended"));
    eventually(() -> assertThat(publishedMpd().isDynamic()).isFalse());
    String replay = stream.document("out.mpd").orElseThrow().body().toString();
    await(stream.stop());

    source.remove(MPD);
    start(3, archive);
    eventually(() -> assertThat(stream.document("out.mpd")).isPresent());
    Mpd restored = publishedMpd();
    assertThat(restored.isDynamic()).as("still the replay").isFalse();
    assertThat(segmentPaths(restored, "v")).hasSize(5);
    String publishTime = "publishTime=\"[^\"]+\"";
    assertThat(
            stream.document("out.mpd").orElseThrow().body().toString().replaceAll(publishTime, ""))
        .as("the same replay, bar the publish time")
        .isEqualTo(replay.replaceAll(publishTime, ""));
  }

  @Test
  void restartsRestoreTheSegmentListsFromStateChunksAndSkipALostOne() {
    MemoryArchive archive = new MemoryArchive(Duration.ofSeconds(60));
    start(3, archive, 4);
    feedOneByOne(1, 6, 2);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(6));
    String firstTag = stream.status().epoch();
    eventually(() -> assertThat(archive.chunkNames("room1")).hasSize(2));
    assertThat(archive.chunkNames("room1")).allMatch(n -> n.startsWith(firstTag + "-"));
    await(stream.stop());

    // Second run: the restored (closed) epoch's tails of 2 are sealed into chunks of their own.
    start(3, archive, 4);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).hasSize(6));
    for (long n = 7; n <= 9; n++) {
      putSegments("run1", n, n);
      source.put(MPD, dynamicMpd(T0, n - 2, n));
    }
    eventually(
        () -> assertThat(segmentPaths(publishedMpd(), "v")).last().asString().endsWith("09.m4s"));
    eventually(
        () -> assertThat(segmentPaths(publishedMpd(), "a")).last().asString().endsWith("09.m4s"));
    String secondTag = stream.status().epoch();
    assertThat(archive.chunkNames("room1")).hasSize(4);
    Mpd before = publishedMpd();
    await(stream.stop());

    // Third run, with the first chunk of the first epoch gone from S3.
    String lost = archive.chunkNames("room1").stream().sorted().findFirst().orElseThrow();
    archive.replaceChunk("room1", lost, null);
    ListAppender<ILoggingEvent> restoreLogs = new ListAppender<>();
    restoreLogs.start();
    Logger restoreLogger = (Logger) LoggerFactory.getLogger(ArchivedState.class);
    restoreLogger.addAppender(restoreLogs);
    try {
      start(3, archive, 4);
    } finally {
      restoreLogger.detachAppender(restoreLogs);
    }
    assertThat(restoreLogs.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .singleElement()
        .asString()
        .contains("archive/room1/state/" + lost + ".json", "missing");
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "v")).isNotEmpty());
    Mpd after = publishedMpd();
    assertThat(after.periods())
        .extracting(p -> p.id().orElse(""))
        .containsExactly(firstTag, secondTag);
    List<String> all = new ArrayList<>();
    for (String rep : List.of("v", "a")) {
      all.addAll(segmentPaths(before, rep));
    }
    List<String> restored = new ArrayList<>();
    for (String rep : List.of("v", "a")) {
      restored.addAll(segmentPaths(after, rep));
    }
    assertThat(restored).as("all but the 4 segments of the lost chunk").hasSize(all.size() - 4);
    assertThat(all).containsAll(restored);
    assertConsistentWith(after, archive);
  }

  // ---- bounds ----------------------------------------------------------------------------

  @Test
  void theWindowStaysBounded() {
    start(3);
    feedOneByOne(1, 15, 4);
    eventually(() -> assertThat(segmentPaths(publishedMpd(), "a")).hasSize(3));
    Mpd published = publishedMpd();
    assertThat(segmentPaths(published, "v")).hasSize(3);
    assertThat(segmentPaths(published, "v").get(0)).endsWith("-chunk-streamv-00013.m4s");
    // store-max-segments is window + 4 per rendition, plus one init segment each.
    assertThat(store.totalObjects()).isEqualTo(2 * (3 + 4 + 1));
    assertConsistent(published);
  }

  // ---- helpers ---------------------------------------------------------------------------

  private void start(int window) {
    start(window, Archive.disabled());
  }

  private void start(int window, Archive archive) {
    start(window, archive, StateLog.DEFAULT_CHUNK_SIZE);
  }

  private void start(int window, Archive archive, int stateChunkSize) {
    store = store(window);
    stream =
        new DashStream(
            "room1",
            MPD_URL,
            source,
            store,
            registry,
            registry,
            config(window),
            vertx,
            clock,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            new DashStream.RetryPolicy(3, Duration.ofMillis(5)),
            archive);
    stream.stateChunkSize(stateChunkSize);
    await(stream.start());
  }

  /**
   * Publishes segments {@code from..to} of run1 one at a time (the source MPD lists the newest
   * {@code listed + 1}), each time until the published MPD names it.
   */
  private void feedOneByOne(long from, long to, int listed) {
    for (long n = from; n <= to; n++) {
      putSegments("run1", n, n);
      source.put(MPD, dynamicMpd(T0, Math.max(1, n - listed), n));
      String newest = String.format("-chunk-streamv-%05d.m4s", n);
      eventually(
          () -> assertThat(segmentPaths(publishedMpd(), "v")).last().asString().endsWith(newest));
    }
  }

  /** Every segment and init segment listed is in memory or in the archive. */
  private void assertConsistentWith(Mpd published, MemoryArchive archive) {
    for (String rep : List.of("v", "a")) {
      assertThat(segmentPaths(published, rep))
          .allMatch(p -> store.contains("room1", p) || archive.holds("room1", p));
    }
  }

  private InMemorySegmentStore store(int window) {
    store = new InMemorySegmentStore(window + 4, 1 << 20);
    return store;
  }

  private static OriginConfig config(int window) {
    return new OriginConfig(
        "127.0.0.1",
        0,
        0,
        List.of(new OriginConfig.PullStream("room1", MPD_URL)),
        List.of(),
        window,
        window + 4,
        1 << 20,
        1 << 20,
        Duration.ofSeconds(2),
        Duration.ofSeconds(15),
        Optional.of(Duration.ofMillis(20)),
        Optional.empty());
  }

  private void putSegments(String run, long from, long to) {
    for (String rep : List.of("v", "a")) {
      source.put("/live/init-stream" + rep + ".m4s", run + " init " + rep);
      for (long n = from; n <= to; n++) {
        source.put(
            String.format("/live/chunk-stream%s-%05d.m4s", rep, n), run + " " + rep + " " + n);
      }
    }
  }

  private static String dynamicMpd(Instant availabilityStart, long first, long last) {
    return mpd(
        "type=\"dynamic\" availabilityStartTime=\""
            + availabilityStart
            + "\" minimumUpdatePeriod=\"PT2S\" timeShiftBufferDepth=\"PT30S\""
            + " maxSegmentDuration=\"PT2S\"",
        first,
        last);
  }

  /** Video with an AdaptationSet-level template, audio with a Representation-level one. */
  private static String mpd(String rootAttributes, long first, long last) {
    String template =
        ("<SegmentTemplate timescale=\"1000\" startNumber=\"%d\""
                + " initialization=\"init-stream$RepresentationID$.m4s\""
                + " media=\"chunk-stream$RepresentationID$-$Number%%05d$.m4s\">"
                + "<SegmentTimeline><S t=\"%d\" d=\"2000\" r=\"%d\"/></SegmentTimeline>"
                + "</SegmentTemplate>")
            .formatted(first, (first - 1) * 2000, last - first);
    return """
        <?xml version="1.0" encoding="utf-8"?>
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011"
            minBufferTime="PT4S" %s>
          <ProgramInformation><Title>room one</Title></ProgramInformation>
          <BaseURL>http://127.0.0.1:9/live/</BaseURL>
          <Period id="0" start="PT0S">
            <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
              %s
              <Representation id="v" codecs="avc1.42c01e" bandwidth="800000" width="640"
                  height="360"/>
            </AdaptationSet>
            <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4">
              <Representation id="a" codecs="mp4a.40.2" bandwidth="69000">%s</Representation>
            </AdaptationSet>
          </Period>
        </MPD>
        """
        .formatted(rootAttributes, template, template);
  }

  private Mpd publishedMpd() {
    return parsePublished(stream.document("out.mpd").orElseThrow());
  }

  private static Mpd parsePublished(LiveDocument document) {
    return MpdParser.parse(document.body().getBytes(), PUBLISHED_AT);
  }

  private static Representation representation(Period period, String id) {
    return period.adaptationSets().stream()
        .flatMap(s -> s.representations().stream())
        .filter(r -> r.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  /** The published segment paths of a representation, across Periods, oldest first. */
  private List<String> segmentPaths(Mpd published, String representationId) {
    List<String> out = new ArrayList<>();
    for (Period period : published.periods()) {
      for (AdaptationSet set : period.adaptationSets()) {
        for (Representation r : set.representations()) {
          if (r.id().equals(representationId)) {
            published.segments(r, clock, 1000).forEach(s -> out.add(relative(s.url())));
          }
        }
      }
    }
    return out;
  }

  /** Consistent publishing: everything the MPD names is in the store. */
  private void assertConsistent(Mpd published) {
    for (Period period : published.periods()) {
      for (AdaptationSet set : period.adaptationSets()) {
        for (Representation r : set.representations()) {
          r.initializationUrl()
              .ifPresent(
                  u -> assertThat(store.contains("room1", relative(u))).as(u.toString()).isTrue());
          for (var segment : published.segments(r, clock, 1000)) {
            assertThat(store.contains("room1", relative(segment.url())))
                .as(segment.url().toString())
                .isTrue();
          }
        }
      }
    }
  }

  private static String relative(URI url) {
    String prefix = "/live/room1/";
    assertThat(url.getPath()).startsWith(prefix);
    return url.getPath().substring(prefix.length());
  }

  private static String fixture(String name) {
    try (InputStream in = DashStreamTest.class.getResourceAsStream("/fixtures/dash/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void eventually(Runnable assertion) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
