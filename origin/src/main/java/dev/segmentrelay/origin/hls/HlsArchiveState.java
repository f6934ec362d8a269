package dev.segmentrelay.origin.hls;

import dev.segmentrelay.origin.archive.StateHead;
import dev.segmentrelay.origin.archive.StateLog;
import dev.segmentrelay.origin.archive.StateLogCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The state an archived HLS stream keeps in S3, a head ({@code archive/{stream}/state.json}) and
 * the sealed chunks of each rendition's segment list it names ({@link StateLog}, {@link
 * StateLogCodec}): enough for a restarted origin to serve the DVR window and the replay at once and
 * to continue numbering without reusing a name (next media sequence per rendition, the newest epoch
 * in use, every published segment with its discontinuity flag).
 *
 * @param entry the stream's entry path (master or media playlist)
 * @param master the published master playlist text, if the stream has one
 * @param epoch the newest ingest epoch tag used in names; a restarted origin starts a later one
 * @param renditions per media playlist
 */
record HlsArchiveState(
    String entry, Optional<String> master, String epoch, List<RenditionState> renditions) {
  /** Heads naming sealed chunks ({@link StateLog}); written by this version. */
  static final int FORMAT = 2;

  /** The single object of earlier versions, every segment inline: still read. */
  static final int SINGLE_OBJECT_FORMAT = 1;

  /** Segments in heads and chunks. */
  static final StateLogCodec<PublishedSegment> SEGMENTS =
      new StateLogCodec<>("hls", HlsArchiveState::segmentJson, HlsArchiveState::segment);

  HlsArchiveState {
    renditions = List.copyOf(renditions);
  }

  /**
   * @param path published playlist path
   * @param sourceUrl the transcoder URL it was pulled from (a placeholder for push)
   * @param nextSeq the media sequence the next segment gets
   * @param lastSourceSeq the transcoder's sequence number of the newest segment taken (-1: none)
   * @param lastSourceUri its URI in the transcoder's playlist
   * @param ended the source ended the presentation (served as VOD)
   * @param segments every segment published since the stream's first start, in order: a {@link
   *     StateLog.Snapshot} (its sealed chunks are named, its tail inline), or any list, taken as an
   *     unsealed tail
   */
  record RenditionState(
      String path,
      String sourceUrl,
      long nextSeq,
      long lastSourceSeq,
      String lastSourceUri,
      long targetDuration,
      int version,
      boolean ended,
      List<PublishedSegment> segments) {
    RenditionState {
      segments =
          segments instanceof StateLog.Snapshot<PublishedSegment>
              ? segments
              : StateLog.Snapshot.ofTail(segments);
    }

    StateLog.Snapshot<PublishedSegment> log() {
      return (StateLog.Snapshot<PublishedSegment>) segments;
    }
  }

  /** The head object ({@code state.json}); sealed chunks are written as they are sealed. */
  byte[] encode() {
    JsonArray rs = new JsonArray();
    for (RenditionState r : renditions) {
      rs.add(
          SEGMENTS.putHead(
              new JsonObject()
                  .put("path", r.path())
                  .put("sourceUrl", r.sourceUrl())
                  .put("nextSeq", r.nextSeq())
                  .put("lastSourceSeq", r.lastSourceSeq())
                  .put("lastSourceUri", r.lastSourceUri())
                  .put("targetDuration", r.targetDuration())
                  .put("version", r.version())
                  .put("ended", r.ended()),
              r.log()));
    }
    JsonObject root =
        new JsonObject()
            .put("format", FORMAT)
            .put("entry", entry)
            .put("epoch", epoch)
            .put("renditions", rs);
    master.ifPresent(m -> root.put("master", m));
    return root.toBuffer().getBytes();
  }

  /**
   * A head that names no chunks, whole (tests, and heads of streams younger than one chunk).
   *
   * @throws IllegalArgumentException when it names chunks, or is not a state this version reads
   */
  static HlsArchiveState decode(byte[] bytes) {
    return decodeHead(bytes).withoutChunks();
  }

  /**
   * The head object of either format (1: every segment inline; 2: sealed chunks named, the tail
   * inline), its chunks still to be read.
   *
   * @throws IllegalArgumentException naming what is wrong when the object is not a state this
   *     version understands
   */
  static StateHead<HlsArchiveState> decodeHead(byte[] bytes) {
    try {
      JsonObject root = new JsonObject(Buffer.buffer(bytes));
      int format = root.getInteger("format", -1);
      if (format != FORMAT && format != SINGLE_OBJECT_FORMAT) {
        throw new IllegalArgumentException(
            "archive state has format "
                + format
                + ", this origin reads formats "
                + SINGLE_OBJECT_FORMAT
                + " and "
                + FORMAT);
      }
      List<JsonObject> renditionObjects = new ArrayList<>();
      List<StateLogCodec.Pending<PublishedSegment>> logs = new ArrayList<>();
      List<String> chunks = new ArrayList<>();
      for (Object ro : root.getJsonArray("renditions")) {
        JsonObject r = (JsonObject) ro;
        // Fields are read now, so that a malformed head is refused before any chunk is read.
        r.getString("path");
        r.getString("sourceUrl");
        r.getLong("nextSeq");
        r.getLong("targetDuration");
        r.getInteger("version");
        StateLogCodec.Pending<PublishedSegment> log = SEGMENTS.decodeHead(r);
        renditionObjects.add(r);
        logs.add(log);
        chunks.addAll(log.chunkNames());
      }
      String entry = root.getString("entry");
      Optional<String> master = Optional.ofNullable(root.getString("master"));
      String epoch = root.getString("epoch");
      List<String> names = List.copyOf(chunks);
      return new StateHead<>() {
        @Override
        public List<String> chunks() {
          return names;
        }

        @Override
        public HlsArchiveState assemble(Map<String, byte[]> read, BiConsumer<String, String> lost) {
          List<RenditionState> renditions = new ArrayList<>();
          for (int i = 0; i < renditionObjects.size(); i++) {
            JsonObject r = renditionObjects.get(i);
            renditions.add(
                new RenditionState(
                    r.getString("path"),
                    r.getString("sourceUrl"),
                    r.getLong("nextSeq"),
                    r.getLong("lastSourceSeq", -1L),
                    r.getString("lastSourceUri", ""),
                    r.getLong("targetDuration"),
                    r.getInteger("version"),
                    r.getBoolean("ended", false),
                    logs.get(i).assemble(read, lost)));
          }
          return new HlsArchiveState(entry, master, epoch, renditions);
        }
      };
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("archive state does not parse: " + e.getMessage(), e);
    }
  }

  private static JsonObject segmentJson(PublishedSegment s) {
    JsonObject o =
        new JsonObject()
            .put("seq", s.sequence())
            .put("path", s.path())
            .put("duration", s.duration())
            .put("bytes", s.bytes());
    if (s.discontinuity()) {
      o.put("discontinuity", true);
    }
    s.initPath().ifPresent(i -> o.put("init", i));
    s.programDateTime().ifPresent(t -> o.put("pdt", t));
    return o;
  }

  private static PublishedSegment segment(JsonObject s) {
    return new PublishedSegment(
        s.getLong("seq"),
        s.getString("path"),
        s.getDouble("duration"),
        s.getBoolean("discontinuity", false),
        Optional.ofNullable(s.getString("init")),
        Optional.ofNullable(s.getString("pdt")),
        s.getLong("bytes", 0L));
  }
}
