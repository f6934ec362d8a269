package dev.segmentrelay.georouter;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.georouter.health.EdgeHealthTracker;
import dev.segmentrelay.georouter.location.Location;
import dev.segmentrelay.georouter.location.Locator;
import dev.segmentrelay.georouter.selection.EdgeSelector;
import dev.segmentrelay.georouter.selection.Explanation;
import dev.segmentrelay.georouter.selection.RoutableEdge;
import dev.segmentrelay.georouter.selection.RoutingSnapshot;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link ViewerRouting} over the current {@link RoutingSnapshot}: locate, then select. The snapshot
 * is replaced whole by the health timer; a decision reads it once, so it never sees half an update.
 */
final class SnapshotRouting implements ViewerRouting {
  private final Locator locator;
  private final EdgeSelector selector;
  private final AtomicReference<RoutingSnapshot> snapshot;
  private final EdgeHealthTracker health;

  SnapshotRouting(
      Locator locator,
      EdgeSelector selector,
      AtomicReference<RoutingSnapshot> snapshot,
      EdgeHealthTracker health) {
    this.locator = locator;
    this.selector = selector;
    this.snapshot = snapshot;
    this.health = health;
  }

  @Override
  public List<EdgeRecord> rank(InetAddress client, int limit) {
    Location where = locator.locate(client);
    return selector.rank(where, client, snapshot.get(), limit); // limit 1 takes best()
  }

  /** The chosen edge's addresses of one family, for DNS. */
  List<InetAddress> addresses(InetAddress client, boolean ipv6) {
    for (EdgeRecord edge : rank(client, 4)) {
      List<InetAddress> out = new ArrayList<>(edge.addresses().size());
      for (String a : edge.addresses()) {
        InetAddress address = literal(a);
        if (address != null && (address instanceof java.net.Inet6Address) == ipv6) {
          out.add(address);
        }
      }
      if (!out.isEmpty()) {
        return out;
      }
    }
    return List.of();
  }

  @Override
  public Object explain(InetAddress client) {
    Location where = locator.locate(client);
    Explanation decision = selector.explain(where, client, snapshot.get());
    Map<String, Object> location = new java.util.LinkedHashMap<>();
    location.put("source", where.source().name().toLowerCase(java.util.Locale.ROOT));
    location.put("latitude", where.point().latitude());
    location.put("longitude", where.point().longitude());
    location.put("site", where.site().orElse(null));
    location.put("country", where.country().orElse(null));
    location.put("city", where.city().orElse(null));
    location.put("network", where.network().orElse(null));
    return Map.of("client", client.getHostAddress(), "location", location, "decision", decision);
  }

  @Override
  public Object edges() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (RoutableEdge e : health.current()) {
      EdgeRecord r = e.record();
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      row.put("id", r.id());
      row.put("site", r.site());
      row.put("publicUrl", r.publicUrl());
      row.put("adminUrl", r.adminUrl());
      row.put("addresses", r.addresses());
      row.put("latitude", r.latitude());
      row.put("longitude", r.longitude());
      row.put("country", r.country());
      row.put("state", r.state().wireName());
      row.put("healthy", e.healthy());
      row.put("health", e.healthReason());
      row.put("capacityMbps", r.capacityMbps());
      row.put("capacityViewers", r.capacityViewers());
      row.put("egressMbps", r.load().egressMbps());
      row.put("activeViewers", r.load().activeViewers());
      row.put("hitRatio", r.load().hitRatio());
      row.put("reportedAt", r.reportedAt().toString());
      health.view(r.id()).ifPresent(v -> row.put("probe", v));
      rows.add(row);
    }
    return Map.of(
        "edges",
        rows,
        "routable",
        snapshot.get().edges().stream().filter(RoutableEdge::healthy).count());
  }

  private static InetAddress literal(String a) {
    try {
      return a.matches("[0-9a-fA-F:.]+") ? InetAddress.getByName(a) : null;
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
