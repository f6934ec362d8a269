package dev.segmentrelay.georouter;

import dev.segmentrelay.common.registry.EdgeRecord;
import java.net.InetAddress;
import java.util.List;

/** Locates a viewer and ranks the edges for it over the current routing snapshot. */
public interface ViewerRouting {
  /** Up to {@code limit} edges for a viewer at {@code client}, best first; empty if none is fit. */
  List<EdgeRecord> rank(InetAddress client, int limit);

  /** The decision for {@code client} with its reasons, as a JSON-ready object. */
  Object explain(InetAddress client);

  /** Every edge the router knows with its health, as a JSON-ready object. */
  Object edges();
}
