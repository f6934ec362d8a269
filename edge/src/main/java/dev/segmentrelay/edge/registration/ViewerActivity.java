package dev.segmentrelay.edge.registration;

import io.vertx.core.net.SocketAddress;

/**
 * Told about every valid viewer request (after path validation, before the cache): which stream,
 * from which address. Runs on the event loop of the request, for every request: implementations
 * must be cheap and never block.
 */
@FunctionalInterface
public interface ViewerActivity {
  /** Ignores everything (an edge that reports to no registry). */
  ViewerActivity NONE = (stream, client) -> {};

  void request(String stream, SocketAddress client);
}
