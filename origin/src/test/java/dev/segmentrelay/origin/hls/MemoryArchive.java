package dev.segmentrelay.origin.hls;

import dev.segmentrelay.origin.archive.Archive;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** An archive in a map, written at once: the S3 archive's contract without S3 (unit tests). */
public final class MemoryArchive implements Archive {
  final Map<String, Buffer> objects = new ConcurrentHashMap<>();
  final Map<String, byte[]> states = new ConcurrentHashMap<>();

  /** State chunks by {@code stream/name}. */
  final Map<String, byte[]> chunks = new ConcurrentHashMap<>();

  private final AtomicInteger largestState = new AtomicInteger();
  private final AtomicInteger stateWrites = new AtomicInteger();

  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Map<String, Consumer<String>> listeners = new ConcurrentHashMap<>();
  private final Duration dvr;
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  public MemoryArchive(Duration dvr) {
    this.dvr = dvr;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public Duration dvrWindow() {
    return dvr;
  }

  /** Segments whose path ends with {@code suffix} are never written (S3 refused them). */
  public void refuse(String suffix) {
    refused.add(suffix);
  }

  @Override
  public void writeSegment(String stream, String path, Buffer body) {
    if (refused.stream().anyMatch(path::endsWith)) {
      return;
    }
    objects.put(stream + "/" + path, body);
    held.add(stream + "/" + path);
    Consumer<String> l = listeners.get(stream);
    if (l != null) {
      l.accept(path);
    }
  }

  @Override
  public void writeDocument(String stream, String path, String text) {
    objects.put(stream + "/" + path, Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void writeState(String stream, Supplier<byte[]> state) {
    byte[] bytes = state.get();
    largestState.accumulateAndGet(bytes.length, Math::max);
    stateWrites.incrementAndGet();
    states.put(stream, bytes);
  }

  @Override
  public void writeStateChunk(String stream, String name, Supplier<byte[]> chunk) {
    if (chunks.putIfAbsent(stream + "/" + name, chunk.get()) != null) {
      throw new IllegalStateException("state chunk " + name + " written twice");
    }
  }

  @Override
  public Future<Optional<byte[]>> readStateChunk(String stream, String name) {
    return Future.succeededFuture(Optional.ofNullable(chunks.get(stream + "/" + name)));
  }

  /** Names of the stream's state chunks written so far. */
  public Set<String> chunkNames(String stream) {
    Set<String> names = new TreeSet<>();
    chunks.keySet().stream()
        .filter(k -> k.startsWith(stream + "/"))
        .forEach(k -> names.add(k.substring(stream.length() + 1)));
    return names;
  }

  /** Replaces a state chunk's body (damage), or removes it when {@code body} is null. */
  public void replaceChunk(String stream, String name, byte[] body) {
    if (body == null) {
      chunks.remove(stream + "/" + name);
    } else {
      chunks.put(stream + "/" + name, body);
    }
  }

  /** The newest state head written, null if none. */
  public byte[] state(String stream) {
    return states.get(stream);
  }

  /** The largest state head written so far, in bytes. */
  public int largestState() {
    return largestState.get();
  }

  /** State heads written so far. */
  public int stateWrites() {
    return stateWrites.get();
  }

  @Override
  public Future<Optional<byte[]>> readState(String stream) {
    return Future.succeededFuture(Optional.ofNullable(states.get(stream)));
  }

  @Override
  public boolean holds(String stream, String path) {
    return held.contains(stream + "/" + path);
  }

  @Override
  public void assumeHeld(String stream, Collection<String> paths) {
    paths.forEach(p -> held.add(stream + "/" + p));
  }

  @Override
  public Future<Optional<Buffer>> read(String stream, String path) {
    return Future.succeededFuture(Optional.ofNullable(objects.get(stream + "/" + path)));
  }

  @Override
  public void onHeld(String stream, Consumer<String> listener) {
    listeners.put(stream, listener);
  }

  public String document(String stream, String path) {
    Buffer b = objects.get(stream + "/" + path);
    return b == null ? "" : b.toString(StandardCharsets.UTF_8);
  }
}
