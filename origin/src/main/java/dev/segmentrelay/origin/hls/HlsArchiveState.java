package dev.segmentrelay.origin.hls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state object an archived HLS stream keeps in S3 ({@code archive/{stream}/state.json}): enough
 * for a restarted origin to serve the DVR window and the replay at once and to continue numbering
 * without reusing a name (next media sequence per rendition, the newest epoch in use, every
 * published segment with its discontinuity flag).
 *
 * @param entry the stream's entry path (master or media playlist)
 * @param master the published master playlist text, if the stream has one
 * @param epoch the newest ingest epoch tag used in names; a restarted origin starts a later one
 * @param renditions per media playlist
 */
record HlsArchiveState(
    String entry, Optional<String> master, String epoch, List<RenditionState> renditions) {
  static final int FORMAT = 1;

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
   * @param segments every segment published since the stream's first start, in order
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
      segments = List.copyOf(segments);
    }
  }

  byte[] encode() {
    JsonArray rs = new JsonArray();
    for (RenditionState r : renditions) {
      JsonArray segs = new JsonArray();
      for (PublishedSegment s : r.segments()) {
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
        segs.add(o);
      }
      rs.add(
          new JsonObject()
              .put("path", r.path())
              .put("sourceUrl", r.sourceUrl())
              .put("nextSeq", r.nextSeq())
              .put("lastSourceSeq", r.lastSourceSeq())
              .put("lastSourceUri", r.lastSourceUri())
              .put("targetDuration", r.targetDuration())
              .put("version", r.version())
              .put("ended", r.ended())
              .put("segments", segs));
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
   * @throws IllegalArgumentException naming what is wrong when the object is not a state this
   *     version understands
   */
  static HlsArchiveState decode(byte[] bytes) {
    try {
      JsonObject root = new JsonObject(Buffer.buffer(bytes));
      int format = root.getInteger("format", -1);
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "archive state has format " + format + ", this origin reads format " + FORMAT);
      }
      List<RenditionState> renditions = new ArrayList<>();
      for (Object ro : root.getJsonArray("renditions")) {
        JsonObject r = (JsonObject) ro;
        List<PublishedSegment> segs = new ArrayList<>();
        for (Object so : r.getJsonArray("segments")) {
          JsonObject s = (JsonObject) so;
          segs.add(
              new PublishedSegment(
                  s.getLong("seq"),
                  s.getString("path"),
                  s.getDouble("duration"),
                  s.getBoolean("discontinuity", false),
                  Optional.ofNullable(s.getString("init")),
                  Optional.ofNullable(s.getString("pdt")),
                  s.getLong("bytes", 0L)));
        }
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
                segs));
      }
      return new HlsArchiveState(
          root.getString("entry"),
          Optional.ofNullable(root.getString("master")),
          root.getString("epoch"),
          renditions);
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("archive state does not parse: " + e.getMessage(), e);
    }
  }
}
