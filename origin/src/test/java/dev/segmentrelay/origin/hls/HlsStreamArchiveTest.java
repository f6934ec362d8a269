package dev.segmentrelay.origin.hls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.HlsSegment;
import dev.segmentrelay.common.media.hls.MediaPlaylist;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.origin.LiveDocument;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.archive.StateLog;
import dev.segmentrelay.origin.store.InMemorySegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HLS stream with an archive: VOD on end, DVR beyond memory, state restored after a restart. */
class HlsStreamArchiveTest {
  private static final OriginConfig CONFIG =
      new OriginConfig(
          "127.0.0.1",
          0,
          0,
          List.of(),
          List.of(),
          3,
          5,
          1 << 20,
          1 << 20,
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          Optional.of(Duration.ofMillis(20)),
          Optional.empty());

  private Vertx vertx;
  private FakeSource source;
  private InProcessRegistry registry;
  private final MemoryArchive archive = new MemoryArchive(Duration.ofMinutes(10));
  private InMemorySegmentStore store;
  private HlsStream stream;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    source = new FakeSource();
    registry = new InProcessRegistry();
  }

  @AfterEach
  void tearDown() {
    if (stream != null) {
      stream.stop().await();
    }
    vertx.close().await();
  }

  /** A fresh origin run: new memory store, same archive, same (fixed) clock. */
  private void startOrigin() {
    startOrigin(StateLog.DEFAULT_CHUNK_SIZE);
  }

  private void startOrigin(int stateChunkSize) {
    if (stream != null) {
      stream.stop().await();
    }
    store = new InMemorySegmentStore(CONFIG.storeMaxSegments(), CONFIG.storeMaxBytes());
    stream =
        HlsStream.pulled(
            "room",
            FakeSource.BASE.resolve("index.m3u8"),
            source,
            store,
            registry,
            registry,
            CONFIG,
            vertx,
            Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC),
            new SimpleMeterRegistry(),
            archive);
    stream.stateChunkSize(stateChunkSize);
    stream.start().await();
  }

  private String doc() {
    return stream
        .document("index.m3u8")
        .map(LiveDocument::body)
        .map(b -> b.toString(StandardCharsets.UTF_8))
        .orElse("");
  }

  private MediaPlaylist playlist() {
    return HlsParser.parseMedia(doc());
  }

  /** The source advances one segment at a time (window of 3) up to segment {@code last}. */
  private void feed(int from, int last, boolean endAtLast) {
    for (int i = from; i <= last; i++) {
      source.put("s" + i + ".ts", "S" + i);
      int first = Math.max(0, i - 2);
      String[] names = new String[i - first + 1];
      for (int k = first; k <= i; k++) {
        names[k - first] = "s" + k + ".ts";
      }
      source.put("index.m3u8", FakeSource.playlist(first, endAtLast && i == last, names));
      String expected = "-s" + i + ".ts";
      await(() -> doc().contains(expected));
    }
  }

  private static void await(BooleanSupplier condition) {
    Waits.until(
        "the awaited stream state",
        Duration.ofSeconds(10),
        Duration.ofMillis(5),
        condition::getAsBoolean);
  }

  @Test
  void endedStreamBecomesVodOfEverySegmentEvenThoseMemoryDropped() {
    source.put("s0.ts", "S0");
    source.put("index.m3u8", FakeSource.playlist(0, false, "s0.ts"));
    startOrigin();
    await(() -> doc().contains("-s0.ts"));
    feed(1, 11, true);
    await(() -> doc().contains("#EXT-X-ENDLIST"));

    MediaPlaylist vod = playlist();
    assertThat(vod.playlistType()).contains("VOD");
    assertThat(vod.mediaSequence()).isZero();
    assertThat(vod.segments()).hasSize(12);
    assertThat(store.contains("room", vod.segments().get(0).uri()))
        .as("the first segment left memory: served from the archive")
        .isFalse();
    assertThat(archive.holds("room", vod.segments().get(0).uri())).isTrue();
    await(() -> !archive.document("room", "index.m3u8").isEmpty());
    assertThat(archive.document("room", "index.m3u8"))
        .as("the VOD playlist is archived too")
        .isEqualTo(doc());
  }

  @Test
  void restartedOriginContinuesNumberingFromTheArchiveWithoutReusingAName() {
    source.put("s0.ts", "S0");
    source.put("index.m3u8", FakeSource.playlist(0, false, "s0.ts"));
    startOrigin();
    await(() -> doc().contains("-s0.ts"));
    feed(1, 6, false);
    MediaPlaylist before = playlist();
    Set<String> namesBefore = new HashSet<>();
    before.segments().forEach(s -> namesBefore.add(s.uri()));
    long lastBefore = before.lastSequence();
    assertThat(lastBefore).isEqualTo(6);

    // The transcoder restarts too (its numbers start again at 0) while the origin is away.
    source.put("t0.ts", "T0");
    source.put("index.m3u8", FakeSource.playlist(0, false, "t0.ts"));
    startOrigin();
    assertThat(doc()).as("the restored window is served at once").contains("-s6.ts");
    await(() -> doc().contains("-t0.ts"));

    MediaPlaylist after = playlist();
    List<HlsSegment> segs = after.segments();
    assertThat(after.mediaSequence()).isZero();
    assertThat(segs).hasSize(8);
    HlsSegment fresh = segs.get(7);
    assertThat(after.lastSequence()).isEqualTo(lastBefore + 1);
    assertThat(fresh.discontinuity()).as("the join is a discontinuity").isTrue();
    assertThat(namesBefore).doesNotContain(fresh.uri());
    assertThat(segs.subList(0, 7)).extracting(HlsSegment::uri).containsAll(namesBefore);
    String oldEpoch = before.segments().get(0).uri().split("-")[0];
    String newEpoch = fresh.uri().split("-")[0];
    assertThat(Long.parseLong(newEpoch.substring(1), 36))
        .as("a later epoch even with the clock standing still")
        .isGreaterThan(Long.parseLong(oldEpoch.substring(1), 36));
  }

  @Test
  void restartedOriginRestoresFromStateChunksAndListsOnlyAfterALostOne() {
    source.put("s0.ts", "S0");
    source.put("index.m3u8", FakeSource.playlist(0, false, "s0.ts"));
    startOrigin(3);
    await(() -> doc().contains("-s0.ts"));
    feed(1, 10, false);
    String epoch = playlist().segments().get(0).uri().split("-")[0];
    // 11 segments in chunks of 3: three sealed chunks, a tail of 2 in the head.
    assertThat(archive.chunkNames("room"))
        .containsExactly(epoch + "-0-0", epoch + "-0-1", epoch + "-0-2");
    assertThat(archive.largestState())
        .as("the head never holds more than a chunk")
        .isLessThan(2_000);

    startOrigin(3);
    assertThat(playlist().segments()).as("every segment restored through the chunks").hasSize(11);
    assertThat(playlist().mediaSequence()).isZero();

    archive.replaceChunk("room", epoch + "-0-1", "{\"format\":2".getBytes(StandardCharsets.UTF_8));
    source.put("t0.ts", "T0");
    source.put("index.m3u8", FakeSource.playlist(0, false, "t0.ts"));
    startOrigin(3);
    MediaPlaylist restored = playlist();
    assertThat(restored.mediaSequence())
        .as("segments 3-5 are lost: the playlist starts after the gap, numbers stay true")
        .isEqualTo(6);
    assertThat(restored.segments().subList(0, 5))
        .extracting(HlsSegment::uri)
        .allMatch(u -> u.matches(".*-(6-s6|7-s7|8-s8|9-s9|10-s10)\\.ts"));
    await(() -> doc().contains("-t0.ts"));
    assertThat(playlist().lastSequence()).as("numbering continues").isEqualTo(11);
  }
}
