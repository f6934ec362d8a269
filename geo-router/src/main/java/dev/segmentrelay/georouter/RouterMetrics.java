package dev.segmentrelay.georouter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The router's HTTP counters ({@code relay_router_http_requests_total{endpoint,result}}). */
final class RouterMetrics {
  final Counter redirected;
  final Counter redirectedToOrigin;
  final Counter noEdge;
  final Counter unknownStream;
  final Counter badRequest;
  final Counter notFound;
  final Counter steered;
  final Counter steeringJson;
  final Counter steeringFailed;
  final Counter api;

  RouterMetrics(MeterRegistry meters) {
    redirected = counter(meters, "redirect", "edge");
    redirectedToOrigin = counter(meters, "redirect", "origin");
    noEdge = counter(meters, "redirect", "no_edge");
    unknownStream = counter(meters, "redirect", "unknown_stream");
    badRequest = counter(meters, "any", "bad_request");
    notFound = counter(meters, "any", "not_found");
    steered = counter(meters, "steered_playlist", "ok");
    steeringFailed = counter(meters, "steered_playlist", "failed");
    steeringJson = counter(meters, "steering", "ok");
    api = counter(meters, "api", "ok");
  }

  private static Counter counter(MeterRegistry meters, String endpoint, String result) {
    return Counter.builder("relay_router_http_requests_total")
        .tag("endpoint", endpoint)
        .tag("result", result)
        .register(meters);
  }
}
