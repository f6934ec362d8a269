package dev.segmentrelay.common.registry;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catalog, segment topics and edge directory inside one JVM, for a single origin, the embedded demo
 * and tests. Listeners run on the announcing thread; a listener that throws is logged and does not
 * affect others.
 */
public final class InProcessRegistry implements Registry, StreamCatalog, SegmentEvents {
  private static final Logger log = LoggerFactory.getLogger(InProcessRegistry.class);

  private final Map<String, StreamRecord> streams = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<SegmentAvailable>>> listeners = new ConcurrentHashMap<>();
  private final InProcessEdgeDirectory edges;

  public InProcessRegistry() {
    this(Clock.systemUTC());
  }

  /** A registry whose edge entries expire by {@code clock}. */
  public InProcessRegistry(Clock clock) {
    this.edges = new InProcessEdgeDirectory(clock);
  }

  @Override
  public StreamCatalog streams() {
    return this;
  }

  @Override
  public SegmentEvents segments() {
    return this;
  }

  @Override
  public EdgeDirectory edges() {
    return edges;
  }

  /** Removes expired edge entries now (tests with a fake clock). */
  public void sweepEdges() {
    edges.sweep();
  }

  @Override
  public void close() {
    edges.close();
  }

  @Override
  public void put(StreamRecord record) {
    streams.put(record.id(), record);
  }

  @Override
  public Optional<StreamRecord> get(String streamId) {
    return Optional.ofNullable(streams.get(streamId));
  }

  @Override
  public Collection<StreamRecord> all() {
    return List.copyOf(streams.values());
  }

  @Override
  public void remove(String streamId) {
    streams.remove(streamId);
  }

  @Override
  public void announce(SegmentAvailable event) {
    for (Consumer<SegmentAvailable> listener : listeners.getOrDefault(event.stream(), List.of())) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        log.warn("segment listener for stream {} failed: {}", event.stream(), e.toString());
      }
    }
  }

  @Override
  public Subscription subscribe(String streamId, Consumer<SegmentAvailable> listener) {
    List<Consumer<SegmentAvailable>> list =
        listeners.computeIfAbsent(streamId, k -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }
}
