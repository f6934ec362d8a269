package dev.segmentrelay.georouter.selection;

import dev.segmentrelay.common.registry.EdgeRecord;

/**
 * An edge as routing sees it: its latest registry record and the health tracker's verdict.
 *
 * @param record latest report from the registry
 * @param healthy whether the edge may receive new viewers as far as health goes
 * @param healthReason why it is unhealthy (or {@code "ok"})
 */
public record RoutableEdge(EdgeRecord record, boolean healthy, String healthReason) {}
