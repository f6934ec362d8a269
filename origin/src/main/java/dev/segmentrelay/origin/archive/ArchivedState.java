package dev.segmentrelay.origin.archive;

import io.vertx.core.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a starting stream takes over the state a previous origin run left in the archive: the head
 * object ({@code state.json}), then the sealed chunks it names ({@link StateLog}).
 */
public final class ArchivedState {
  private static final Logger log = LoggerFactory.getLogger(ArchivedState.class);

  /** Chunk reads in flight at once during a restore. */
  static final int CHUNK_READS = 8;

  private ArchivedState() {}

  /**
   * Reads {@code stream}'s head, decodes it with {@code decode} on {@code context}, reads the
   * chunks it names (at most {@value #CHUNK_READS} at a time), hands the assembled state to {@code
   * restore} on {@code context}, then runs {@code then} there. A head that cannot be read, or that
   * {@code decode} or {@code restore} refuses with an {@link IllegalArgumentException}, is logged
   * and skipped: the stream starts afresh in a new epoch, so names stay unique either way. A chunk
   * that is missing or damaged is logged (WARN, naming it) and left out; the rest is restored.
   */
  public static <S> void restore(
      Archive archive,
      String stream,
      Context context,
      Function<byte[], StateHead<S>> decode,
      Consumer<S> restore,
      Runnable then) {
    archive
        .readState(stream)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (ar.failed()) {
                        log.warn(
                            "stream {}: archived state not readable, starting afresh (new epoch,"
                                + " names stay unique): {}",
                            stream,
                            ar.cause().getMessage());
                        then.run();
                        return;
                      }
                      if (ar.result().isEmpty()) {
                        then.run();
                        return;
                      }
                      StateHead<S> head;
                      try {
                        head = decode.apply(ar.result().get());
                      } catch (RuntimeException e) {
                        // IllegalArgumentException names the problem; anything else is a bug in
                        // decoding, which must not keep the stream from starting either.
                        log.warn("stream {}: archived state ignored: {}", stream, e.toString());
                        then.run();
                        return;
                      }
                      new ChunkReads<>(archive, stream, context, head, restore, then).start();
                    }));
  }

  /** Reads a head's chunks, a few at a time; every callback runs on the stream's context. */
  private static final class ChunkReads<S> {
    private final Archive archive;
    private final String stream;
    private final Context context;
    private final StateHead<S> head;
    private final Consumer<S> restore;
    private final Runnable then;
    private final List<String> names;
    private final Map<String, byte[]> read = new HashMap<>();
    private final Map<String, String> unreadable = new HashMap<>();
    private int next;
    private int done;

    ChunkReads(
        Archive archive,
        String stream,
        Context context,
        StateHead<S> head,
        Consumer<S> restore,
        Runnable then) {
      this.archive = archive;
      this.stream = stream;
      this.context = context;
      this.head = head;
      this.restore = restore;
      this.then = then;
      this.names = head.chunks();
    }

    void start() {
      if (names.isEmpty()) {
        finish();
        return;
      }
      for (int i = 0; i < CHUNK_READS && next < names.size(); i++) {
        readNext();
      }
    }

    private void readNext() {
      String name = names.get(next++);
      archive
          .readStateChunk(stream, name)
          .onComplete(
              ar ->
                  context.runOnContext(
                      v -> {
                        if (ar.failed()) {
                          unreadable.put(name, "not readable: " + ar.cause().getMessage());
                        } else {
                          ar.result().ifPresent(b -> read.put(name, b));
                        }
                        done++;
                        if (next < names.size()) {
                          readNext();
                        } else if (done == names.size()) {
                          finish();
                        }
                      }));
    }

    private void finish() {
      try {
        S state =
            head.assemble(
                read,
                (name, reason) ->
                    log.warn(
                        "stream {}: archived state chunk {} {}; its segments are not restored,"
                            + " the rest is",
                        stream,
                        S3Archive.stateChunkKey(stream, name),
                        unreadable.getOrDefault(name, reason)));
        restore.accept(state);
      } catch (RuntimeException e) {
        log.warn("stream {}: archived state ignored: {}", stream, e.toString());
      }
      then.run();
    }
  }
}
