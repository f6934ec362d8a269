package dev.segmentrelay.origin.archive;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a stream and the HTTP layer need from the origin archive. Writes never block and never fail
 * the caller: they are queued, written in order per stream off the event loop, retried, and dropped
 * (counted) when S3 stays away. {@link #disabled()} is the archive of an origin without one.
 */
public interface Archive {
  /** False for {@link #disabled()}: streams then keep only their memory window. */
  boolean enabled();

  /** How far back live playlists reach (zero: the usual live window only). */
  Duration dvrWindow();

  /** Queues an immutable object (segment or init segment) published at {@code path}. */
  void writeSegment(String stream, String path, Buffer body);

  /** Queues a playlist (VOD playlist, master playlist) under {@code path}, overwriting. */
  void writeDocument(String stream, String path, String text);

  /**
   * Queues the stream's state object. Only the newest queued state is written: one still waiting is
   * replaced. {@code state} is evaluated on the archive's thread.
   */
  void writeState(String stream, Supplier<byte[]> state);

  /**
   * Queues a sealed chunk of the stream's state ({@link StateLog}), named {@code name}: written
   * once, never replaced by a later state and never dropped to make room in the queue. Queue it
   * before the head that names it. {@code chunk} is evaluated on the archive's thread.
   */
  void writeStateChunk(String stream, String name, Supplier<byte[]> chunk);

  /** A state chunk as written, empty if missing; failed when S3 cannot be read. */
  Future<Optional<byte[]>> readStateChunk(String stream, String name);

  /** The stream's state object as last written, empty if none. */
  Future<Optional<byte[]>> readState(String stream);

  /** True once {@code path} of {@code stream} is known to be in S3 (written or restored). */
  boolean holds(String stream, String path);

  /** Records paths restored from a state object as held. */
  void assumeHeld(String stream, Collection<String> paths);

  /** Reads an object, verified; empty when missing, damaged or S3 is unreachable. */
  Future<Optional<Buffer>> read(String stream, String path);

  /** Called (on the archive's thread) with each path of {@code stream} once it is in S3. */
  void onHeld(String stream, Consumer<String> listener);

  /** The archive of an origin without one. */
  static Archive disabled() {
    return DisabledArchive.INSTANCE;
  }
}
