package dev.segmentrelay.edge.upstream;

import io.vertx.core.MultiMap;
import java.net.URI;

/**
 * The head of an upstream response.
 *
 * @param status HTTP status (2xx, 304, 404 or 410: others cause failover)
 * @param headers response headers as received
 * @param upstream base URL of the upstream that answered
 */
public record UpstreamResponse(int status, MultiMap headers, URI upstream) {}
