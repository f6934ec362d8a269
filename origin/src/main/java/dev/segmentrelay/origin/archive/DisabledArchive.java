package dev.segmentrelay.origin.archive;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** No archive: nothing written, nothing held. */
enum DisabledArchive implements Archive {
  INSTANCE;

  @Override
  public boolean enabled() {
    return false;
  }

  @Override
  public Duration dvrWindow() {
    return Duration.ZERO;
  }

  @Override
  public void writeSegment(String stream, String path, Buffer body) {}

  @Override
  public void writeDocument(String stream, String path, String text) {}

  @Override
  public void writeState(String stream, Supplier<byte[]> state) {}

  @Override
  public void writeStateChunk(String stream, String name, Supplier<byte[]> chunk) {}

  @Override
  public Future<Optional<byte[]>> readStateChunk(String stream, String name) {
    return Future.succeededFuture(Optional.empty());
  }

  @Override
  public Future<Optional<byte[]>> readState(String stream) {
    return Future.succeededFuture(Optional.empty());
  }

  @Override
  public boolean holds(String stream, String path) {
    return false;
  }

  @Override
  public void assumeHeld(String stream, Collection<String> paths) {}

  @Override
  public Future<Optional<Buffer>> read(String stream, String path) {
    return Future.succeededFuture(Optional.empty());
  }

  @Override
  public void onHeld(String stream, Consumer<String> listener) {}
}
