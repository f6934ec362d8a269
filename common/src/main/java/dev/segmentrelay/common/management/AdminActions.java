package dev.segmentrelay.common.management;

import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * A service's admin actions (drain, purge, streams), served by the {@link ManagementServer} under
 * {@code /admin/}. The management server authenticates every request before it reaches {@link
 * #handle}: a missing bearer token is answered 401, a wrong one 403, and when {@link #token()} is
 * empty every admin request is refused with 403.
 */
public interface AdminActions {
  /**
   * The bearer token admin requests must present; empty: admin actions are refused (403) with a
   * message saying how to set one.
   */
  Optional<String> token();

  /**
   * Handles an authorised request under {@code /admin/}: its path, method and body (not read yet)
   * are available. Runs on the management server's event loop and must end the response.
   */
  void handle(HttpServerRequest request);
}
