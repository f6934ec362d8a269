package dev.segmentrelay.origin.archive;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * JSON of a {@link StateLog} in the archive state. In the head, a log is two fields of its owner's
 * object: {@code "chunks": [{"prefix": "e1abc-0", "count": 3}, …]} naming the sealed chunks and
 * {@code "segments": [...]} the unsealed tail. A chunk is its own object, written once:
 *
 * <pre>{"format": 2, "kind": "{kind}-chunk", "name": "e1abc-0-2", "segments": [...]}</pre>
 *
 * An owner object without {@code "chunks"} is the older single-object format: every entry inline.
 *
 * @param <T> the entry
 */
public final class StateLogCodec<T> {
  /** The format of chunk objects (and of heads that name chunks). */
  public static final int FORMAT = 2;

  private final String kind;
  private final Function<T, JsonObject> encoder;
  private final Function<JsonObject, T> decoder;

  /**
   * @param kind {@code hls} or {@code dash}: a chunk of one is refused by the other
   * @param decoder may throw any {@link RuntimeException} for a malformed entry (in a chunk:
   *     reported as damage)
   */
  public StateLogCodec(
      String kind, Function<T, JsonObject> encoder, Function<JsonObject, T> decoder) {
    this.kind = kind;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /** Puts {@code log}'s ranges and tail into {@code owner}. */
  public JsonObject putHead(JsonObject owner, StateLog.Snapshot<T> log) {
    JsonArray ranges = new JsonArray();
    for (StateLog.Range r : log.ranges()) {
      ranges.add(new JsonObject().put("prefix", r.prefix()).put("count", r.count()));
    }
    return owner.put("chunks", ranges).put("segments", entries(log.tail()));
  }

  /** A sealed chunk's object. */
  public byte[] encodeChunk(StateLog.Chunk<T> chunk) {
    return new JsonObject()
        .put("format", FORMAT)
        .put("kind", kind + "-chunk")
        .put("name", chunk.name())
        .put("segments", entries(chunk.entries()))
        .toBuffer()
        .getBytes();
  }

  /**
   * The log named by {@code owner} (a head's object), its chunks still to be read.
   *
   * @throws ClassCastException or NullPointerException when malformed (the caller's decode reports
   *     it)
   */
  public Pending<T> decodeHead(JsonObject owner) {
    List<T> tail = new ArrayList<>();
    for (Object o : owner.getJsonArray("segments")) {
      tail.add(decoder.apply((JsonObject) o));
    }
    List<StateLog.Range> ranges = new ArrayList<>();
    JsonArray rs = owner.getJsonArray("chunks");
    if (rs != null) {
      for (Object o : rs) {
        JsonObject r = (JsonObject) o;
        ranges.add(new StateLog.Range(r.getString("prefix"), r.getInteger("count")));
      }
    }
    return new Pending<>(this, List.copyOf(ranges), List.copyOf(tail));
  }

  /**
   * A chunk read back.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  List<T> decodeChunk(String name, byte[] bytes) {
    try {
      JsonObject root = new JsonObject(Buffer.buffer(bytes));
      if (root.getInteger("format", -1) != FORMAT
          || !(kind + "-chunk").equals(root.getString("kind"))
          || !name.equals(root.getString("name"))) {
        throw new IllegalArgumentException(
            "not "
                + kind
                + " chunk "
                + name
                + " of format "
                + FORMAT
                + " (format "
                + root.getValue("format")
                + ", kind "
                + root.getValue("kind")
                + ", name "
                + root.getValue("name")
                + ")");
      }
      List<T> entries = new ArrayList<>();
      for (Object o : root.getJsonArray("segments")) {
        entries.add(decoder.apply((JsonObject) o));
      }
      return entries;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      // Whatever the entry decoder throws (a missing field, a bad date): the chunk is damaged.
      throw new IllegalArgumentException("does not parse: " + e, e);
    }
  }

  private JsonArray entries(List<T> entries) {
    JsonArray out = new JsonArray(new ArrayList<>(entries.size()));
    for (T e : entries) {
      out.add(encoder.apply(e));
    }
    return out;
  }

  /** A log decoded from a head: its ranges (chunks not read yet) and its tail. */
  public static final class Pending<T> {
    private final StateLogCodec<T> codec;
    private final List<StateLog.Range> ranges;
    private final List<T> tail;

    private Pending(StateLogCodec<T> codec, List<StateLog.Range> ranges, List<T> tail) {
      this.codec = codec;
      this.ranges = ranges;
      this.tail = tail;
    }

    /** Names of the chunks to read, oldest first. */
    public List<String> chunkNames() {
      List<String> names = new ArrayList<>();
      for (StateLog.Range r : ranges) {
        for (int i = 0; i < r.count(); i++) {
          names.add(r.name(i));
        }
      }
      return names;
    }

    /**
     * The whole log: each named chunk from {@code chunks} (absent: missing), decoded; a missing or
     * damaged chunk is reported to {@code lost} (name, reason) and restored empty, so that the log
     * keeps naming it and every readable entry is kept.
     */
    public StateLog.Snapshot<T> assemble(
        Map<String, byte[]> chunks, BiConsumer<String, String> lost) {
      List<StateLog.Chunk<T>> read = new ArrayList<>();
      for (String name : chunkNames()) {
        byte[] bytes = chunks.get(name);
        List<T> entries = List.of();
        if (bytes == null) {
          lost.accept(name, "missing");
        } else {
          try {
            entries = codec.decodeChunk(name, bytes);
          } catch (IllegalArgumentException e) {
            lost.accept(name, "damaged: " + e.getMessage());
          }
        }
        read.add(new StateLog.Chunk<>(name, 0, entries));
      }
      return StateLog.Snapshot.of(ranges, read, tail);
    }
  }
}
