package dev.segmentrelay.georouter;

import io.vertx.core.Future;
import java.util.OptionalInt;

/** A started router. */
public interface RunningRouter {
  /** The viewer HTTP port actually bound. */
  int port();

  /** The management port actually bound. */
  int adminPort();

  /** The DNS port (UDP and TCP) actually bound, when DNS is on. */
  OptionalInt dnsPort();

  /** Stops answering, probing and watching the registry. The registry itself is the caller's. */
  Future<Void> close();
}
