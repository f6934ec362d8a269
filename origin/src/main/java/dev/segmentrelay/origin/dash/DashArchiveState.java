package dev.segmentrelay.origin.dash;

import dev.segmentrelay.origin.archive.StateHead;
import dev.segmentrelay.origin.archive.StateLog;
import dev.segmentrelay.origin.archive.StateLogCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The state an archived DASH stream keeps in S3, a head ({@code archive/{stream}/state.json}) and
 * the sealed chunks of each representation's segment list it names ({@link StateLog}, {@link
 * StateLogCodec}): enough for a restarted origin to render every Period it published (each epoch's
 * newest source MPD, kept as text, and its place on the origin's timeline), to list the DVR window
 * and the replay at once, and to continue in a later epoch so that no name is reused.
 *
 * @param anchor the origin timeline's {@code availabilityStartTime}, if the source has one
 * @param epoch the newest epoch tag used in names; a restarted origin starts a later one
 * @param epochs oldest first
 * @param ended the source had ended and the static replay was published
 */
record DashArchiveState(
    Optional<Instant> anchor, String epoch, List<EpochState> epochs, boolean ended) {
  /** Heads naming sealed chunks ({@link StateLog}); written by this version. */
  static final int FORMAT = 2;

  /** The single object of earlier versions, every segment inline: still read. */
  static final int SINGLE_OBJECT_FORMAT = 1;

  /** Segments in heads and chunks. */
  static final StateLogCodec<StoredSegment> SEGMENTS =
      new StateLogCodec<>("dash", DashArchiveState::segmentJson, DashArchiveState::segment);

  static final String KIND = "dash";

  DashArchiveState {
    epochs = List.copyOf(epochs);
  }

  /**
   * @param sourceMpd the epoch's newest source MPD as fetched (its Periods are re-rendered)
   * @param sourcePeriodIndex the live Period in it
   */
  record EpochState(
      String tag,
      Optional<Instant> sourceAvailabilityStart,
      Optional<String> sourcePeriodId,
      Duration publishedStart,
      byte[] sourceMpd,
      int sourcePeriodIndex,
      List<RepresentationState> representations) {
    EpochState {
      representations = List.copyOf(representations);
    }
  }

  /**
   * One representation of an epoch: its origin names and every segment stored, oldest first ({@code
   * segments}: a {@link StateLog.Snapshot}, or any list, taken as an unsealed tail).
   */
  record RepresentationState(
      String id,
      long bandwidth,
      String mediaName,
      Optional<String> initPath,
      long timescale,
      long presentationTimeOffset,
      boolean numbered,
      List<StoredSegment> segments) {
    RepresentationState {
      segments =
          segments instanceof StateLog.Snapshot<StoredSegment>
              ? segments
              : StateLog.Snapshot.ofTail(segments);
    }

    StateLog.Snapshot<StoredSegment> log() {
      return (StateLog.Snapshot<StoredSegment>) segments;
    }
  }

  /** The head object ({@code state.json}); sealed chunks are written as they are sealed. */
  byte[] encode() {
    JsonArray es = new JsonArray();
    for (EpochState e : epochs) {
      JsonArray rs = new JsonArray();
      for (RepresentationState r : e.representations()) {
        JsonObject ro =
            new JsonObject()
                .put("id", r.id())
                .put("bandwidth", r.bandwidth())
                .put("media", r.mediaName())
                .put("timescale", r.timescale())
                .put("pto", r.presentationTimeOffset())
                .put("numbered", r.numbered());
        r.initPath().ifPresent(i -> ro.put("init", i));
        rs.add(SEGMENTS.putHead(ro, r.log()));
      }
      JsonObject eo =
          new JsonObject()
              .put("tag", e.tag())
              .put("start", e.publishedStart().toNanos())
              .put("mpd", Base64.getEncoder().encodeToString(e.sourceMpd()))
              .put("periodIndex", e.sourcePeriodIndex())
              .put("representations", rs);
      e.sourceAvailabilityStart().ifPresent(a -> eo.put("sourceAst", a.toString()));
      e.sourcePeriodId().ifPresent(p -> eo.put("sourcePeriodId", p));
      es.add(eo);
    }
    JsonObject root =
        new JsonObject()
            .put("format", FORMAT)
            .put("kind", KIND)
            .put("epoch", epoch)
            .put("ended", ended)
            .put("epochs", es);
    anchor.ifPresent(a -> root.put("anchor", a.toString()));
    return root.toBuffer().getBytes();
  }

  /**
   * A head that names no chunks, whole (tests, and heads of streams younger than one chunk).
   *
   * @throws IllegalArgumentException when it names chunks, or is not a DASH state this version
   *     reads
   */
  static DashArchiveState decode(byte[] bytes) {
    return decodeHead(bytes).withoutChunks();
  }

  /**
   * The head object of either format (1: every segment inline; 2: sealed chunks named, the tails
   * inline), its chunks still to be read.
   *
   * @throws IllegalArgumentException naming what is wrong when the object is not a DASH state this
   *     version understands
   */
  static StateHead<DashArchiveState> decodeHead(byte[] bytes) {
    try {
      JsonObject root = new JsonObject(Buffer.buffer(bytes));
      int format = root.getInteger("format", -1);
      if ((format != FORMAT && format != SINGLE_OBJECT_FORMAT)
          || !KIND.equals(root.getString("kind"))) {
        throw new IllegalArgumentException(
            "archive state has format "
                + format
                + " kind '"
                + root.getString("kind", "hls")
                + "', this origin reads DASH state formats "
                + SINGLE_OBJECT_FORMAT
                + " and "
                + FORMAT);
      }
      List<EpochState> epochs = new ArrayList<>();
      List<List<StateLogCodec.Pending<StoredSegment>>> logs = new ArrayList<>();
      List<String> chunks = new ArrayList<>();
      for (Object eo : root.getJsonArray("epochs")) {
        JsonObject e = (JsonObject) eo;
        List<RepresentationState> reps = new ArrayList<>();
        List<StateLogCodec.Pending<StoredSegment>> epochLogs = new ArrayList<>();
        for (Object ro : e.getJsonArray("representations")) {
          JsonObject r = (JsonObject) ro;
          StateLogCodec.Pending<StoredSegment> log = SEGMENTS.decodeHead(r);
          epochLogs.add(log);
          chunks.addAll(log.chunkNames());
          reps.add(
              new RepresentationState(
                  r.getString("id"),
                  r.getLong("bandwidth"),
                  r.getString("media"),
                  Optional.ofNullable(r.getString("init")),
                  r.getLong("timescale"),
                  r.getLong("pto"),
                  r.getBoolean("numbered"),
                  List.of()));
        }
        logs.add(epochLogs);
        epochs.add(
            new EpochState(
                e.getString("tag"),
                Optional.ofNullable(e.getString("sourceAst")).map(Instant::parse),
                Optional.ofNullable(e.getString("sourcePeriodId")),
                Duration.ofNanos(e.getLong("start")),
                Base64.getDecoder().decode(e.getString("mpd")),
                e.getInteger("periodIndex"),
                reps));
      }
      DashArchiveState heads =
          new DashArchiveState(
              Optional.ofNullable(root.getString("anchor")).map(Instant::parse),
              root.getString("epoch"),
              epochs,
              root.getBoolean("ended", false));
      List<String> names = List.copyOf(chunks);
      return new StateHead<>() {
        @Override
        public List<String> chunks() {
          return names;
        }

        @Override
        public DashArchiveState assemble(
            Map<String, byte[]> read, BiConsumer<String, String> lost) {
          List<EpochState> whole = new ArrayList<>();
          for (int i = 0; i < heads.epochs().size(); i++) {
            EpochState e = heads.epochs().get(i);
            List<RepresentationState> reps = new ArrayList<>();
            for (int k = 0; k < e.representations().size(); k++) {
              RepresentationState r = e.representations().get(k);
              reps.add(
                  new RepresentationState(
                      r.id(),
                      r.bandwidth(),
                      r.mediaName(),
                      r.initPath(),
                      r.timescale(),
                      r.presentationTimeOffset(),
                      r.numbered(),
                      logs.get(i).get(k).assemble(read, lost)));
            }
            whole.add(
                new EpochState(
                    e.tag(),
                    e.sourceAvailabilityStart(),
                    e.sourcePeriodId(),
                    e.publishedStart(),
                    e.sourceMpd(),
                    e.sourcePeriodIndex(),
                    reps));
          }
          return new DashArchiveState(heads.anchor(), heads.epoch(), whole, heads.ended());
        }
      };
    } catch (DecodeException
        | ClassCastException
        | NullPointerException
        | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "archive state does not parse as DASH state: " + e.getMessage(), e);
    }
  }

  private static JsonObject segmentJson(StoredSegment s) {
    return new JsonObject()
        .put("n", s.number())
        .put("t", s.time())
        .put("d", s.duration())
        .put("path", s.path())
        .put("at", s.storedAt().toString());
  }

  private static StoredSegment segment(JsonObject s) {
    return new StoredSegment(
        s.getLong("n"),
        s.getLong("t"),
        s.getLong("d"),
        s.getString("path"),
        Instant.parse(s.getString("at")));
  }
}
