package dev.segmentrelay.common.registry;

import java.time.Duration;
import java.util.Collection;

/**
 * The registry's {@code edges} map: edge id to {@link EdgeRecord}. Edges write their own entry
 * every second with a time to live; routers watch the map. An entry disappears when its time to
 * live passes without a new report, when the edge removes it, or (in a cluster) when the edge's
 * member leaves.
 */
public interface EdgeDirectory {
  /** Inserts or replaces {@code record}, expiring it after {@code ttl} unless reported again. */
  void report(EdgeRecord record, Duration ttl);

  /** Removes an edge's entry (an edge shutting down cleanly). */
  void remove(String edgeId);

  /** Every current entry. */
  Collection<EdgeRecord> entries();

  /**
   * Watches the map. The listener first receives {@link Listener#updated} for every current entry,
   * then each change as it arrives, on a registry thread: keep it short.
   */
  SegmentEvents.Subscription watch(Listener listener);

  /** Changes to the map. */
  interface Listener {
    /** An entry was added or replaced (every report). */
    void updated(EdgeRecord record);

    /** An entry was removed, expired, or its member left the cluster. */
    void removed(String edgeId);
  }
}
