package dev.segmentrelay.georouter.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The DNS server's meters. In Prometheus:
 *
 * <ul>
 *   <li>{@code relay_router_dns_queries_total{qtype,rcode}}: responses sent, by question type
 *       ({@code A}, {@code AAAA}, {@code SOA}, {@code NS}, {@code ANY}, {@code OTHER}, or {@code
 *       NONE} when no question was read) and response code
 *   <li>{@code relay_router_dns_dropped_total{reason}}: packets and connections dropped without an
 *       answer, by {@link Drop reason}
 * </ul>
 *
 * Counters are created on first use and cached in arrays, so the hot path does no map lookup.
 */
final class DnsMetrics {
  /** Question types with their own label; all others count as {@code OTHER}. */
  enum QType {
    A(1),
    AAAA(28),
    SOA(6),
    NS(2),
    ANY(255),
    OTHER(-1),
    NONE(-2);

    final int code;

    QType(int code) {
      this.code = code;
    }

    static QType of(int code) {
      switch (code) {
        case 1:
          return A;
        case 28:
          return AAAA;
        case 6:
          return SOA;
        case 2:
          return NS;
        case 255:
          return ANY;
        default:
          return OTHER;
      }
    }
  }

  /** Response codes we send; BADVERS is the extended code 16 (RFC 6891). */
  enum RCode {
    NOERROR(0),
    FORMERR(1),
    SERVFAIL(2),
    NXDOMAIN(3),
    NOTIMP(4),
    REFUSED(5),
    BADVERS(16);

    final int code;

    RCode(int code) {
      this.code = code;
    }
  }

  /** Why nothing was answered. */
  enum Drop {
    /** UDP or TCP message shorter than the 12-byte header. */
    SHORT,
    /** The QR bit was set: a response, never answered (no reflection loops). */
    RESPONSE,
    /** A TCP frame longer than the largest query we accept; the connection is closed. */
    TCP_OVERSIZE,
    /** A TCP connection without a complete query for the timeout; closed. */
    TCP_TIMEOUT,
    /** A TCP connection over the connection limit; closed on accept. */
    TCP_LIMIT,
    /** An unexpected failure in the handler (a bug); the channel stays open. */
    ERROR
  }

  private final MeterRegistry registry;
  private final AtomicReferenceArray<Counter> queries =
      new AtomicReferenceArray<>(QType.values().length * RCode.values().length);
  private final AtomicReferenceArray<Counter> dropped =
      new AtomicReferenceArray<>(Drop.values().length);

  DnsMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void answered(QType qtype, RCode rcode) {
    int index = qtype.ordinal() * RCode.values().length + rcode.ordinal();
    Counter counter = queries.get(index);
    if (counter == null) {
      counter =
          Counter.builder("relay_router_dns_queries")
              .description("DNS responses sent, by question type and response code")
              .tag("qtype", qtype.name())
              .tag("rcode", rcode.name())
              .register(registry);
      queries.set(index, counter);
    }
    counter.increment();
  }

  void dropped(Drop reason) {
    Counter counter = dropped.get(reason.ordinal());
    if (counter == null) {
      counter =
          Counter.builder("relay_router_dns_dropped")
              .description("DNS messages or connections dropped without an answer, by reason")
              .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
              .register(registry);
      dropped.set(reason.ordinal(), counter);
    }
    counter.increment();
  }
}
