package dev.segmentrelay.origin.store;

import java.util.Optional;

/**
 * Where published segments live. The contract the publisher relies on: once {@link #put} returns,
 * {@link #get} finds the object until it is evicted; eviction removes a rendition's oldest media
 * segments first, so the newest ones (those a live playlist names) stay.
 *
 * <p>{@link InMemorySegmentStore} keeps a rolling window per rendition; an S3-backed archive comes
 * with the S3 tier.
 */
public interface SegmentStore {
  /** Stores an object; may evict older objects of the same rendition to stay within bounds. */
  void put(StoredObject object);

  Optional<StoredObject> get(String stream, String path);

  default boolean contains(String stream, String path) {
    return get(stream, path).isPresent();
  }

  /** Drops every object of a stream. */
  void removeStream(String stream);

  /** Bytes held across all streams. */
  long totalBytes();

  /** Objects held across all streams. */
  int totalObjects();
}
