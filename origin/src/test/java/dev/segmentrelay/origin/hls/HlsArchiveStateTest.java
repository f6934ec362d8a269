package dev.segmentrelay.origin.hls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.origin.archive.StateHead;
import dev.segmentrelay.origin.archive.StateLog;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

  private static PublishedSegment segment(String dir, long seq) {
    return new PublishedSegment(
        seq,
        dir + "/ezz1a2b3c-" + seq + "-seg" + seq + ".ts",
        2.002,
        seq % 100 == 0,
        Optional.empty(),
        Optional.of("2026-11-21T10:00:00.000Z"),
        1_200_000 + seq);
  }

  /** What a stream does per segment: append, write what sealed, then a head. */
  private static final class Writer {
    final Map<String, byte[]> chunks = new HashMap<>();
    final List<StateLog<PublishedSegment>> logs = new ArrayList<>();
    int largestHead;
    int heads;

    Writer(int renditions, int chunkSize) {
      for (int i = 0; i < renditions; i++) {
        logs.add(new StateLog<>(chunkSize, "ezz1a2b3c-" + i));
      }
    }

    byte[] add(int rendition, PublishedSegment s) {
      StateLog<PublishedSegment> log = logs.get(rendition);
      log.add(s);
      for (StateLog.Chunk<PublishedSegment> c : log.takeSealed()) {
        assertThat(chunks.put(c.name(), HlsArchiveState.SEGMENTS.encodeChunk(c)))
            .as("chunk %s written once", c.name())
            .isNull();
      }
      byte[] head = state().encode();
      largestHead = Math.max(largestHead, head.length);
      heads++;
      return head;
    }

    HlsArchiveState state() {
      List<HlsArchiveState.RenditionState> rs = new ArrayList<>();
      for (int i = 0; i < logs.size(); i++) {
        rs.add(
            new HlsArchiveState.RenditionState(
                "r" + i + "/index.m3u8",
                "http://transcoder.test/r" + i + "/index.m3u8",
                logs.get(i).size(),
                logs.get(i).size() - 1,
                "seg.ts",
                2,
                3,
                false,
                logs.get(i).snapshot()));
      }
      return new HlsArchiveState("master.m3u8", Optional.of("#EXTM3U\n"), "ezz1a2b3c", rs);
    }
  }

  @Test
  void stateRoundTripsThroughItsChunks() {
    Writer w = new Writer(3, 4);
    byte[] head = null;
    for (int seq = 0; seq < 10; seq++) {
      for (int r = 0; r < 3; r++) {
        head = w.add(r, segment("r" + r, seq));
      }
    }

    StateHead<HlsArchiveState> decoded = HlsArchiveState.decodeHead(head);
    assertThat(decoded.chunks()).containsExactlyInAnyOrderElementsOf(w.chunks.keySet());
    assertThat(decoded.chunks()).hasSize(6);
    List<String> lost = new ArrayList<>();
    HlsArchiveState back = decoded.assemble(w.chunks, (name, why) -> lost.add(name));

    assertThat(lost).isEmpty();
    assertThat(back).isEqualTo(w.state());
    HlsArchiveState.RenditionState r1 = back.renditions().get(1);
    assertThat(r1.log().ranges()).containsExactly(new StateLog.Range("ezz1a2b3c-1", 2));
    assertThat(r1.log().tail()).extracting(PublishedSegment::sequence).containsExactly(8L, 9L);
    byte[] lastHead = head;
    assertThatThrownBy(() -> HlsArchiveState.decode(lastHead))
        .as("a head naming chunks is not the whole state")
        .hasMessageContaining("6 chunk(s)");
  }

  @Test
  void singleObjectStateOfTheCurrentReleaseStillRestores() {
    // As HlsArchiveState format 1 wrote it: every segment inline, no chunks.
    String v1 =
        """
        {"format":1,"entry":"index.m3u8","epoch":"ezz1","renditions":[{"path":"index.m3u8",\
        "sourceUrl":"http://t.test/index.m3u8","nextSeq":2,"lastSourceSeq":5,\
        "lastSourceUri":"s5.ts","targetDuration":2,"version":3,"ended":false,"segments":[\
        {"seq":0,"path":"ezz1-0-s4.ts","duration":2.0,"bytes":10},\
        {"seq":1,"path":"ezz1-1-s5.ts","duration":2.0,"bytes":11,"discontinuity":true,\
        "pdt":"2026-11-21T10:00:00.000Z"}]}]}""";

    StateHead<HlsArchiveState> head =
        HlsArchiveState.decodeHead(v1.getBytes(StandardCharsets.UTF_8));

    assertThat(head.chunks()).isEmpty();
    HlsArchiveState state = head.assemble(Map.of(), (n, why) -> {});
    assertThat(state.epoch()).isEqualTo("ezz1");
    HlsArchiveState.RenditionState r = state.renditions().get(0);
    assertThat(r.nextSeq()).isEqualTo(2);
    assertThat(r.lastSourceUri()).isEqualTo("s5.ts");
    assertThat(r.segments())
        .containsExactly(
            new PublishedSegment(
                0, "ezz1-0-s4.ts", 2.0, false, Optional.empty(), Optional.empty(), 10),
            new PublishedSegment(
                1,
                "ezz1-1-s5.ts",
                2.0,
                true,
                Optional.empty(),
                Optional.of("2026-11-21T10:00:00.000Z"),
                11));
  }

  @Test
  void aMissingOrDamagedChunkIsNamedAndTheRestRestored() {
    Writer w = new Writer(1, 3);
    byte[] head = null;
    for (int seq = 0; seq < 11; seq++) {
      head = w.add(0, segment("r0", seq));
    }
    Map<String, byte[]> chunks = new HashMap<>(w.chunks);
    chunks.remove("ezz1a2b3c-0-0");
    chunks.put("ezz1a2b3c-0-2", "{\"format\":2,\"kind\":\"hls-chunk\"".getBytes(UTF_8));
    Map<String, String> lost = new TreeMap<>();

    HlsArchiveState back = HlsArchiveState.decodeHead(head).assemble(chunks, lost::put);

    assertThat(lost).containsOnlyKeys("ezz1a2b3c-0-0", "ezz1a2b3c-0-2");
    assertThat(lost.get("ezz1a2b3c-0-0")).isEqualTo("missing");
    assertThat(lost.get("ezz1a2b3c-0-2")).contains("damaged");
    HlsArchiveState.RenditionState r = back.renditions().get(0);
    assertThat(r.segments())
        .extracting(PublishedSegment::sequence)
        .containsExactly(3L, 4L, 5L, 9L, 10L);
    assertThat(r.log().ranges())
        .as("still named, so the next head keeps the same chunks")
        .containsExactly(new StateLog.Range("ezz1a2b3c-0", 3));
  }

  @Test
  void aChunkOfAnotherStreamKindOrNameIsDamage() {
    Writer w = new Writer(1, 2);
    byte[] head = null;
    for (int seq = 0; seq < 4; seq++) {
      head = w.add(0, segment("r0", seq));
    }
    Map<String, byte[]> swapped = new HashMap<>();
    swapped.put("ezz1a2b3c-0-0", w.chunks.get("ezz1a2b3c-0-1"));
    swapped.put("ezz1a2b3c-0-1", w.chunks.get("ezz1a2b3c-0-0"));
    List<String> lost = new ArrayList<>();

    HlsArchiveState.decodeHead(head).assemble(swapped, (n, why) -> lost.add(n + ": " + why));

    assertThat(lost).hasSize(2).allMatch(l -> l.contains("name"));
  }

  /**
   * 20,000 segments in each of 3 renditions, a head after every one (60,000 heads): every head
   * stays under a bound set by the chunk size alone, where the single object grew to megabytes.
   */
  @Test
  void everyHeadWriteStaysBoundedHoweverOldTheStream() {
    int chunkSize = 32;
    Writer w = new Writer(3, chunkSize);
    for (int seq = 0; seq < 20_000; seq++) {
      for (int r = 0; r < 3; r++) {
        w.add(r, segment("r" + r, seq));
      }
    }

    assertThat(w.heads).isEqualTo(60_000);
    // 3 tails of at most 31 segments (~160 bytes each) plus one range per rendition.
    assertThat(w.largestHead).isLessThan(20_000);
    assertThat(w.chunks).hasSize(3 * (20_000 / chunkSize));
    int whole =
        HlsArchiveState.SEGMENTS
            .putHead(new JsonObject(), StateLog.Snapshot.ofTail(w.logs.get(0)))
            .toBuffer()
            .length();
    assertThat(whole)
        .as("one rendition's list inline, as format 1 wrote it")
        .isGreaterThan(2_000_000);
  }
}
