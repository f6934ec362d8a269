package dev.segmentrelay.origin.dash;

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
import java.util.Optional;

/**
 * The state object an archived DASH stream keeps in S3 ({@code archive/{stream}/state.json}):
 * enough for a restarted origin to render every Period it published (each epoch's newest source
 * MPD, kept as text, and its place on the origin's timeline), to list the DVR window and the replay
 * at once, and to continue in a later epoch so that no name is reused.
 *
 * @param anchor the origin timeline's {@code availabilityStartTime}, if the source has one
 * @param epoch the newest epoch tag used in names; a restarted origin starts a later one
 * @param epochs oldest first
 * @param ended the source had ended and the static replay was published
 */
record DashArchiveState(
    Optional<Instant> anchor, String epoch, List<EpochState> epochs, boolean ended) {
  static final int FORMAT = 1;
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

  /** One representation of an epoch: its origin names and every segment stored, oldest first. */
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
      segments = List.copyOf(segments);
    }
  }

  byte[] encode() {
    JsonArray es = new JsonArray();
    for (EpochState e : epochs) {
      JsonArray rs = new JsonArray();
      for (RepresentationState r : e.representations()) {
        JsonArray segs = new JsonArray();
        for (StoredSegment s : r.segments()) {
          segs.add(
              new JsonObject()
                  .put("n", s.number())
                  .put("t", s.time())
                  .put("d", s.duration())
                  .put("path", s.path())
                  .put("at", s.storedAt().toString()));
        }
        JsonObject ro =
            new JsonObject()
                .put("id", r.id())
                .put("bandwidth", r.bandwidth())
                .put("media", r.mediaName())
                .put("timescale", r.timescale())
                .put("pto", r.presentationTimeOffset())
                .put("numbered", r.numbered())
                .put("segments", segs);
        r.initPath().ifPresent(i -> ro.put("init", i));
        rs.add(ro);
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
   * @throws IllegalArgumentException naming what is wrong when the object is not a DASH state this
   *     version understands
   */
  static DashArchiveState decode(byte[] bytes) {
    try {
      JsonObject root = new JsonObject(Buffer.buffer(bytes));
      int format = root.getInteger("format", -1);
      if (format != FORMAT || !KIND.equals(root.getString("kind"))) {
        throw new IllegalArgumentException(
            "archive state has format "
                + format
                + " kind '"
                + root.getString("kind", "hls")
                + "', this origin reads DASH state format "
                + FORMAT);
      }
      List<EpochState> epochs = new ArrayList<>();
      for (Object eo : root.getJsonArray("epochs")) {
        JsonObject e = (JsonObject) eo;
        List<RepresentationState> reps = new ArrayList<>();
        for (Object ro : e.getJsonArray("representations")) {
          JsonObject r = (JsonObject) ro;
          List<StoredSegment> segs = new ArrayList<>();
          for (Object so : r.getJsonArray("segments")) {
            JsonObject s = (JsonObject) so;
            segs.add(
                new StoredSegment(
                    s.getLong("n"),
                    s.getLong("t"),
                    s.getLong("d"),
                    s.getString("path"),
                    Instant.parse(s.getString("at"))));
          }
          reps.add(
              new RepresentationState(
                  r.getString("id"),
                  r.getLong("bandwidth"),
                  r.getString("media"),
                  Optional.ofNullable(r.getString("init")),
                  r.getLong("timescale"),
                  r.getLong("pto"),
                  r.getBoolean("numbered"),
                  segs));
        }
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
      return new DashArchiveState(
          Optional.ofNullable(root.getString("anchor")).map(Instant::parse),
          root.getString("epoch"),
          epochs,
          root.getBoolean("ended", false));
    } catch (DecodeException
        | ClassCastException
        | NullPointerException
        | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "archive state does not parse as DASH state: " + e.getMessage(), e);
    }
  }
}
