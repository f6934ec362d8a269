package dev.segmentrelay.edge.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one upstream, tagged {@code upstream=<base URL>}. In Prometheus:
 *
 * <ul>
 *   <li>{@code relay_edge_upstream_requests_total{upstream,status}}: requests sent, by the status
 *       answered ({@value #NO_STATUS} when none came: connect failure, timeout, reset)
 *   <li>{@code relay_edge_upstream_errors_total{upstream,cause}}: failures by {@link
 *       UpstreamException.Cause}, including requests the open circuit refused
 *   <li>{@code relay_edge_upstream_first_byte_seconds{upstream}}: request sent to response head,
 *       with histogram buckets
 *   <li>{@code relay_edge_upstream_circuit_open{upstream}}: 1 while the circuit is open or
 *       half-open
 * </ul>
 */
final class UpstreamMetrics {
  static final String NO_STATUS = "none";

  private final MeterRegistry meters;
  private final String upstream;
  private final Map<String, Counter> requestsByStatus = new ConcurrentHashMap<>();
  private final Map<UpstreamException.Cause, Counter> errorsByCause =
      new EnumMap<>(UpstreamException.Cause.class);
  private final Timer firstByte;

  UpstreamMetrics(MeterRegistry meters, String upstream, CircuitBreaker breaker) {
    this.meters = meters;
    this.upstream = upstream;
    for (UpstreamException.Cause cause : UpstreamException.Cause.values()) {
      errorsByCause.put(
          cause,
          Counter.builder("relay_edge_upstream_errors")
              .description("failed upstream requests by cause, and requests refused by the circuit")
              .tag("upstream", upstream)
              .tag("cause", cause.name().toLowerCase(Locale.ROOT))
              .register(meters));
    }
    firstByte =
        Timer.builder("relay_edge_upstream_first_byte")
            .description("time from sending an upstream request to its response head")
            .tag("upstream", upstream)
            .publishPercentileHistogram()
            .register(meters);
    Gauge.builder("relay_edge_upstream_circuit_open", breaker, b -> b.isOpen() ? 1 : 0)
        .description("1 while the upstream's circuit breaker is open or half-open")
        .tag("upstream", upstream)
        .register(meters);
  }

  /** One request sent, answered with {@code status}. */
  void answered(int status) {
    request(Integer.toString(status));
  }

  /** One request sent that got no response head. */
  void unanswered() {
    request(NO_STATUS);
  }

  void error(UpstreamException.Cause cause) {
    errorsByCause.get(cause).increment();
  }

  void firstByte(long nanos) {
    firstByte.record(nanos, TimeUnit.NANOSECONDS);
  }

  private void request(String status) {
    requestsByStatus
        .computeIfAbsent(
            status,
            s ->
                Counter.builder("relay_edge_upstream_requests")
                    .description("requests sent upstream, by response status")
                    .tag("upstream", upstream)
                    .tag("status", s)
                    .register(meters))
        .increment();
  }
}
