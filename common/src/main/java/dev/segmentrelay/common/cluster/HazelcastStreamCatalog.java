package dev.segmentrelay.common.cluster;

import com.hazelcast.replicatedmap.ReplicatedMap;
import dev.segmentrelay.common.registry.StreamCatalog;
import dev.segmentrelay.common.registry.StreamRecord;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The {@code streams} map as a Hazelcast {@link ReplicatedMap}: it is small (one entry per stream),
 * written rarely (state changes) and read by every router and edge, so a full copy on each member
 * makes every read local and free of waits on other members. Writes go through the {@link
 * LatestWinsWriter}, because the origin writes from its event loop and a replicated-map write waits
 * for the key's partition owner. A write is therefore visible shortly after {@link #put} returns,
 * on this member too.
 */
final class HazelcastStreamCatalog implements StreamCatalog {
  private final ReplicatedMap<String, StreamRecord> map;
  private final LatestWinsWriter writer;

  HazelcastStreamCatalog(ReplicatedMap<String, StreamRecord> map, LatestWinsWriter writer) {
    this.map = map;
    this.writer = writer;
  }

  @Override
  public void put(StreamRecord record) {
    writer.submit("stream/" + record.id(), () -> map.put(record.id(), record));
  }

  @Override
  public Optional<StreamRecord> get(String streamId) {
    return Optional.ofNullable(map.get(streamId));
  }

  @Override
  public Collection<StreamRecord> all() {
    return List.copyOf(map.values());
  }

  @Override
  public void remove(String streamId) {
    writer.submit("stream/" + streamId, () -> map.remove(streamId));
  }
}
