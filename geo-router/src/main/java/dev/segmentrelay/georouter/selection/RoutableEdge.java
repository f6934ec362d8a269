package dev.segmentrelay.georouter.selection;

import dev.segmentrelay.common.registry.EdgeRecord;
import java.util.Objects;

/**
 * An edge as routing sees it: its latest registry record and the health tracker's verdict (active
 * probes and report freshness, decided by the tracker, not here).
 *
 * @param record the edge's latest registry record
 * @param healthy whether the health tracker lets the edge take new viewers
 * @param healthReason why the edge is unhealthy (shown as {@code unhealthy: <reason>}); free text
 *     when healthy (e.g. {@code ok})
 */
public record RoutableEdge(EdgeRecord record, boolean healthy, String healthReason) {
  public RoutableEdge {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(healthReason, "healthReason");
    if (!healthy && healthReason.isBlank()) {
      throw new IllegalArgumentException(
          "edge " + record.id() + " is marked unhealthy without a reason: pass what failed");
    }
  }

  /** A healthy edge. */
  public static RoutableEdge healthy(EdgeRecord record) {
    return new RoutableEdge(record, true, "ok");
  }

  /** An unhealthy edge and what failed (e.g. {@code readiness probe timed out}). */
  public static RoutableEdge unhealthy(EdgeRecord record, String reason) {
    return new RoutableEdge(record, false, reason);
  }

  /** The edge id. */
  public String id() {
    return record.id();
  }
}
