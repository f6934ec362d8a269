package dev.segmentrelay.common.registry;

import java.util.Collection;
import java.util.Optional;

/**
 * The registry's stream catalog. The origin writes its streams here; routers and edges read it.
 * Implementations: {@link InProcessRegistry} now, Hazelcast's {@code streams} map later.
 */
public interface StreamCatalog {
  /** Inserts or replaces the entry for {@code record.id()}. */
  void put(StreamRecord record);

  Optional<StreamRecord> get(String streamId);

  Collection<StreamRecord> all();

  void remove(String streamId);
}
