package dev.segmentrelay.origin.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.HlsSegment;
import dev.segmentrelay.common.media.hls.MediaPlaylist;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.origin.LiveDocument;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.store.InMemorySegmentStore;
import dev.segmentrelay.origin.store.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HlsStreamTest {
  private Vertx vertx;
  private FakeSource source;
  private InMemorySegmentStore store;
  private InProcessRegistry registry;
  private final List<SegmentAvailable> announced = new CopyOnWriteArrayList<>();
  private HlsStream stream;

  private final OriginConfig config =
      new OriginConfig(
          "127.0.0.1",
          0,
          0,
          List.of(),
          List.of(),
          3,
          6,
          1 << 20,
          1 << 20,
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          Optional.of(Duration.ofMillis(20)),
          Optional.empty());

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    source = new FakeSource();
    store = new InMemorySegmentStore(config.storeMaxSegments(), config.storeMaxBytes());
    registry = new InProcessRegistry();
    registry.subscribe("room", announced::add);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (stream != null) {
      stream
          .stop()
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    vertx.close().await();
  }

  private void startPulling(String entry) {
    stream =
        HlsStream.pulled(
            "room",
            FakeSource.BASE.resolve(entry),
            source,
            store,
            registry,
            registry,
            config,
            vertx,
            Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC),
            new SimpleMeterRegistry(),
            Archive.disabled());
    stream.start().await();
  }

  private String doc(String path) {
    return stream
        .document(path)
        .map(LiveDocument::body)
        .map(b -> b.toString(StandardCharsets.UTF_8))
        .orElse("");
  }

  private MediaPlaylist playlist(String path) {
    return HlsParser.parseMedia(doc(path));
  }

  private static void await(BooleanSupplier condition) {
    Waits.until(
        "the awaited stream state",
        Duration.ofSeconds(10),
        Duration.ofMillis(10),
        condition::getAsBoolean);
  }

  @Test
  void publishedPlaylistNamesOnlySegmentsAlreadyInTheStore() {
    source.put("a.ts", "A");
    source.put("b.ts", "B");
    source.hold("b.ts");
    source.put("index.m3u8", FakeSource.playlist(0, false, "a.ts", "b.ts"));
    startPulling("index.m3u8");

    await(() -> doc("index.m3u8").contains("a.ts"));
    await(() -> source.fetchesOf("index.m3u8") >= 5); // several versions while b.ts is pending
    assertThat(doc("index.m3u8")).doesNotContain("b.ts");
    for (HlsSegment s : playlist("index.m3u8").segments()) {
      assertThat(store.contains("room", s.uri())).as(s.uri()).isTrue();
    }

    source.release("b.ts");
    await(() -> doc("index.m3u8").contains("b.ts"));
    assertThat(playlist("index.m3u8").segments())
        .allSatisfy(s -> assertThat(store.contains("room", s.uri())).isTrue());
  }

  @Test
  void eachSegmentIsFetchedOnceAndRepublishedUnderAUniqueName() {
    source.put("a.ts", "A");
    source.put("b.ts", "B");
    source.put("index.m3u8", FakeSource.playlist(7, false, "a.ts"));
    startPulling("index.m3u8");
    await(() -> doc("index.m3u8").contains("a.ts"));
    source.put("index.m3u8", FakeSource.playlist(7, false, "a.ts", "b.ts"));
    await(() -> doc("index.m3u8").contains("b.ts"));
    await(() -> source.fetchesOf("index.m3u8") >= 5);

    assertThat(source.fetchesOf("a.ts")).isEqualTo(1);
    assertThat(source.fetchesOf("b.ts")).isEqualTo(1);
    MediaPlaylist p = playlist("index.m3u8");
    assertThat(p.mediaSequence()).isZero();
    String epoch = stream.status().epoch();
    assertThat(p.segments())
        .extracting(HlsSegment::uri)
        .containsExactly(epoch + "-0-a.ts", epoch + "-1-b.ts");
    assertThat(store.get("room", epoch + "-1-b.ts").map(StoredObject::body))
        .contains(Buffer.buffer("B"));
    assertThat(announced).extracting(SegmentAvailable::path).contains(epoch + "-1-b.ts");
    assertThat(registry.get("room"))
        .hasValueSatisfying(r -> assertThat(r.protocol()).isEqualTo("hls"));
  }

  @Test
  void transcoderRestartStartsANewEpochWithADiscontinuityAndRisingSequence() {
    source.put("seg10.ts", "old-10");
    source.put("seg11.ts", "old-11");
    source.put("index.m3u8", FakeSource.playlist(10, false, "seg10.ts", "seg11.ts"));
    startPulling("index.m3u8");
    await(() -> doc("index.m3u8").contains("seg11.ts"));
    String firstEpoch = stream.status().epoch();

    // The transcoder restarts: numbering starts again, names come back with other bytes.
    source.put("seg0.ts", "new-0");
    source.put("seg1.ts", "new-1");
    source.put("index.m3u8", FakeSource.playlist(0, false, "seg0.ts", "seg1.ts"));
    await(() -> doc("index.m3u8").contains("seg1.ts"));

    String text = doc("index.m3u8");
    MediaPlaylist p = HlsParser.parseMedia(text);
    assertThat(text).contains("#EXT-X-DISCONTINUITY\n");
    assertThat(stream.status().epoch()).isNotEqualTo(firstEpoch);
    assertThat(p.segments().get(p.segments().size() - 1).uri())
        .startsWith(stream.status().epoch() + "-");
    // Sequence numbers keep rising across the restart; every name is distinct.
    assertThat(p.lastSequence()).isEqualTo(3);
    Map<String, Buffer> seen = new HashMap<>();
    for (HlsSegment s : p.segments()) {
      Buffer bytes = store.get("room", s.uri()).orElseThrow().body();
      assertThat(seen.put(s.uri(), bytes)).isNull();
    }
  }

  @Test
  void malformedPlaylistKeepsTheLastGoodVersionAndTheStreamRecovers() {
    source.put("a.ts", "A");
    source.put("index.m3u8", FakeSource.playlist(0, false, "a.ts"));
    startPulling("index.m3u8");
    await(() -> doc("index.m3u8").contains("a.ts"));
    String good = doc("index.m3u8");

    source.put("index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n");
    await(() -> stream.status().lastError().orElse("").contains("truncated"));
    assertThat(doc("index.m3u8")).isEqualTo(good);

    source.remove("index.m3u8"); // the transcoder disappears
    await(() -> stream.status().lastError().orElse("").contains("404"));
    assertThat(doc("index.m3u8")).isEqualTo(good);

    source.put("b.ts", "B");
    source.put("index.m3u8", FakeSource.playlist(0, false, "a.ts", "b.ts"));
    await(() -> doc("index.m3u8").contains("b.ts"));
    assertThat(stream.status().lastError()).isEmpty();
  }

  @Test
  void aSegmentThatNeverArrivesIsSkippedWithADiscontinuity() {
    source.put("a.ts", "A");
    source.put("c.ts", "C");
    source.put("index.m3u8", FakeSource.playlist(0, false, "a.ts", "b.ts", "c.ts"));
    startPulling("index.m3u8");
    await(() -> doc("index.m3u8").contains("c.ts"));

    MediaPlaylist p = playlist("index.m3u8");
    assertThat(p.segments()).extracting(HlsSegment::uri).noneMatch(u -> u.endsWith("b.ts"));
    assertThat(p.segments().get(p.segments().size() - 1).discontinuity()).isTrue();
    assertThat(source.fetchesOf("b.ts")).isGreaterThan(1); // it was retried before giving up
  }

  @Test
  void windowAndStoreStayBoundedOverALongRun() {
    source.put("index.m3u8", FakeSource.playlist(0, false));
    startPulling("index.m3u8");
    for (int i = 0; i < 60; i++) {
      String name = "s" + i + ".ts";
      source.put(name, "x".repeat(1000));
      source.put("index.m3u8", FakeSource.playlist(Math.max(0, i - 4), false, window(i)));
      int last = i;
      await(() -> doc("index.m3u8").contains("-" + last + "-s" + last + ".ts"));
      assertThat(playlist("index.m3u8").segments())
          .hasSizeLessThanOrEqualTo(config.playlistWindow());
      assertThat(store.totalObjects()).isLessThanOrEqualTo(config.storeMaxSegments());
    }
    assertThat(store.totalBytes()).isLessThanOrEqualTo(config.storeMaxSegments() * 1000L);
    assertThat(playlist("index.m3u8").mediaSequence()).isEqualTo(57);
  }

  private static String[] window(int last) {
    int first = Math.max(0, last - 4);
    String[] names = new String[last - first + 1];
    for (int i = first; i <= last; i++) {
      names[i - first] = "s" + i + ".ts";
    }
    return names;
  }

  @Test
  void masterPlaylistNamesOnlyRenditionsThatHavePublished() {
    source.put(
        "master.m3u8",
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nhi/index.m3u8\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=200000\nlo/index.m3u8\n");
    source.put("hi/a.ts", "HA");
    source.put("hi/index.m3u8", FakeSource.playlist(0, false, "a.ts"));
    startPulling("master.m3u8");
    await(() -> doc("hi/index.m3u8").contains("a.ts"));
    await(() -> !doc("master.m3u8").isEmpty());
    assertThat(doc("master.m3u8")).contains("hi/index.m3u8").doesNotContain("lo/");

    source.put("lo/a.ts", "LA");
    source.put("lo/index.m3u8", FakeSource.playlist(0, false, "a.ts"));
    await(() -> doc("master.m3u8").contains("lo/index.m3u8"));
    assertThat(stream.status().renditions()).containsExactly("hi/index.m3u8", "lo/index.m3u8");
    assertThat(playlist("lo/index.m3u8").segments().get(0).uri()).doesNotContain("/");
    assertThat(store.contains("room", "lo/" + playlist("lo/index.m3u8").segments().get(0).uri()))
        .isTrue();
  }

  @Test
  void sourceDiscontinuitiesInTheFirstPlaylistCarryOver() {
    source.put("a.ts", "A");
    source.put("b.ts", "B");
    source.put(
        "index.m3u8",
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY\n#EXTINF:2,\na.ts\n"
            + "#EXT-X-DISCONTINUITY\n#EXTINF:2,\nb.ts\n");
    startPulling("index.m3u8");
    await(() -> doc("index.m3u8").contains("b.ts"));
    assertThat(playlist("index.m3u8").segments())
        .extracting(HlsSegment::discontinuity)
        .containsExactly(false, true);
  }

  @Test
  void endedSourceEndsThePublishedPlaylist() {
    source.put("a.ts", "A");
    source.put("index.m3u8", FakeSource.playlist(0, true, "a.ts"));
    startPulling("index.m3u8");
    await(() -> doc("index.m3u8").contains("#EXT-X-ENDLIST"));
    await(() -> stream.status().state().equals("ended"));
  }

  @Test
  void pushedSegmentsArePublishedWhenThePlaylistArrives() {
    stream =
        HlsStream.pushed(
            "room",
            store,
            registry,
            registry,
            config,
            vertx,
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            Archive.disabled());
    stream.start().await();
    stream.acceptUpload("index0.ts", Buffer.buffer("P0")).await();
    assertThat(doc("index.m3u8")).isEmpty();
    stream
        .acceptUpload("index.m3u8", Buffer.buffer(FakeSource.playlist(0, false, "index0.ts")))
        .await();
    await(() -> doc("index.m3u8").contains("index0.ts"));
    String name = playlist("index.m3u8").segments().get(0).uri();
    assertThat(store.get("room", name).orElseThrow().body()).isEqualTo(Buffer.buffer("P0"));

    assertThat(stream.acceptUpload("index.m3u8", Buffer.buffer("garbage")).toCompletionStage())
        .failsWithin(Duration.ofSeconds(5));
    assertThat(doc("index.m3u8")).contains(name);
    assertThat(announced.stream().map(SegmentAvailable::path).collect(Collectors.toList()))
        .containsExactly(name);
  }
}
