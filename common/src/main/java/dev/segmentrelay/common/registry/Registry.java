package dev.segmentrelay.common.registry;

/**
 * What a service shares with the rest of the deployment: the stream catalog, the per-stream segment
 * topics and the edge directory. {@link InProcessRegistry} serves one JVM (a single origin, the
 * demo, tests); the Hazelcast registry serves a cluster of separate processes.
 */
public interface Registry extends AutoCloseable {
  StreamCatalog streams();

  SegmentEvents segments();

  EdgeDirectory edges();

  /** Leaves the cluster (or does nothing in process). */
  @Override
  void close();
}
