package dev.segmentrelay.origin.store;

import dev.segmentrelay.common.media.ObjectKind;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rolling window per rendition, bounded by segment count and bytes, so memory stays flat over a
 * ten-hour event.
 *
 * <p>Reads are lock-free map lookups. Writes lock only their rendition's window. Media segments and
 * init segments are windowed separately: a rendition has one init segment per ingest epoch, and the
 * last {@value #INIT_SEGMENTS_KEPT} are kept so the playlist window never names an evicted one.
 */
public final class InMemorySegmentStore implements SegmentStore {
  static final int INIT_SEGMENTS_KEPT = 4;

  private final int maxSegmentsPerRendition;
  private final long maxBytesPerRendition;
  private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong totalBytes = new AtomicLong();

  public InMemorySegmentStore(int maxSegmentsPerRendition, long maxBytesPerRendition) {
    if (maxSegmentsPerRendition < 1) {
      throw new IllegalArgumentException(
          "max segments per rendition must be at least 1, was " + maxSegmentsPerRendition);
    }
    if (maxBytesPerRendition < 1) {
      throw new IllegalArgumentException(
          "max bytes per rendition must be positive, was " + maxBytesPerRendition);
    }
    this.maxSegmentsPerRendition = maxSegmentsPerRendition;
    this.maxBytesPerRendition = maxBytesPerRendition;
  }

  @Override
  public void put(StoredObject object) {
    Window window =
        windows.computeIfAbsent(key(object.stream(), object.rendition()), k -> new Window());
    synchronized (window) {
      StoredObject previous = objects.put(key(object.stream(), object.path()), object);
      if (previous != null) {
        // Same name again: names are never reused with other bytes, so this is a retry.
        forget(window, previous);
      }
      boolean init = object.kind() == ObjectKind.INIT;
      (init ? window.inits : window.segments).addLast(object);
      window.bytes += object.size();
      totalBytes.addAndGet(object.size());
      while (window.inits.size() > INIT_SEGMENTS_KEPT) {
        evict(window, window.inits.pollFirst());
      }
      while (window.segments.size() > maxSegmentsPerRendition
          || (window.bytes > maxBytesPerRendition && window.segments.size() > 1)) {
        evict(window, window.segments.pollFirst());
      }
    }
  }

  private void evict(Window window, StoredObject victim) {
    objects.remove(key(victim.stream(), victim.path()), victim);
    window.bytes -= victim.size();
    totalBytes.addAndGet(-victim.size());
  }

  private void forget(Window window, StoredObject previous) {
    if (window.segments.remove(previous) || window.inits.remove(previous)) {
      window.bytes -= previous.size();
      totalBytes.addAndGet(-previous.size());
    }
  }

  @Override
  public Optional<StoredObject> get(String stream, String path) {
    return Optional.ofNullable(objects.get(key(stream, path)));
  }

  @Override
  public void removeStream(String stream) {
    String prefix = stream + '\0';
    windows.entrySet().removeIf(e -> e.getKey().startsWith(prefix));
    objects
        .values()
        .removeIf(
            o -> {
              if (o.stream().equals(stream)) {
                totalBytes.addAndGet(-o.size());
                return true;
              }
              return false;
            });
  }

  @Override
  public long totalBytes() {
    return totalBytes.get();
  }

  @Override
  public int totalObjects() {
    return objects.size();
  }

  private static String key(String stream, String name) {
    return stream + '\0' + name;
  }

  private static final class Window {
    final Deque<StoredObject> segments = new ArrayDeque<>();
    final Deque<StoredObject> inits = new ArrayDeque<>();
    long bytes;
  }
}
