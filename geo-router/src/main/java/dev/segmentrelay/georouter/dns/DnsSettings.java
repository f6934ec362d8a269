package dev.segmentrelay.georouter.dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of the authoritative DNS server, validated and normalised on construction.
 *
 * @param host address to bind (UDP and TCP), for example {@code 127.0.0.1}, {@code 0.0.0.0} or
 *     {@code ::}
 * @param port UDP port, and TCP on the same number; 0 binds any free port ({@link DnsServer#port()}
 *     tells which)
 * @param names the names answered authoritatively; normalised to lower case without a trailing dot
 * @param ttl TTL of A, AAAA, SOA and NS answers, and the negative-caching TTL (SOA minimum); whole
 *     seconds, 0 to 24 hours
 * @param primaryNs the SOA MNAME and the target of NS answers
 * @param hostmaster the SOA RNAME: a mailbox as a domain name ({@code hostmaster.example.com});
 *     {@code hostmaster@example.com} is accepted and converted
 * @param ioThreads event-loop threads; with epoll, one UDP socket per thread (SO_REUSEPORT)
 * @param tcpTimeout a TCP connection is closed when no complete query arrived for this long
 * @param maxTcpConnections TCP connections open at once; more are closed on accept
 */
public record DnsSettings(
    String host,
    int port,
    List<String> names,
    Duration ttl,
    String primaryNs,
    String hostmaster,
    int ioThreads,
    Duration tcpTimeout,
    int maxTcpConnections) {

  /** Default TCP timeout: RFC 7766 suggests seconds, not minutes. */
  public static final Duration DEFAULT_TCP_TIMEOUT = Duration.ofSeconds(10);

  /** Default cap on open TCP connections. */
  public static final int DEFAULT_MAX_TCP_CONNECTIONS = 1024;

  private static final long MAX_TTL_SECONDS = Duration.ofHours(24).toSeconds();

  public DnsSettings {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("DNS host must not be blank (use 127.0.0.1 or 0.0.0.0)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("DNS port " + port + " is not within 0..65535");
    }
    Objects.requireNonNull(names, "names");
    if (names.isEmpty()) {
      throw new IllegalArgumentException("at least one DNS name is needed (--dns-name NAME)");
    }
    LinkedHashSet<String> normalised = new LinkedHashSet<>();
    for (String name : names) {
      normalised.add(normaliseName(name, "DNS name"));
    }
    names = List.copyOf(new ArrayList<>(normalised));
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative()
        || ttl.toSeconds() > MAX_TTL_SECONDS
        || ttl.toNanos() % 1_000_000_000 != 0) {
      throw new IllegalArgumentException(
          "DNS TTL " + ttl + " must be whole seconds between 0 and " + MAX_TTL_SECONDS);
    }
    primaryNs = normaliseName(primaryNs, "primary name server");
    Objects.requireNonNull(hostmaster, "hostmaster");
    String mailbox = hostmaster.strip();
    int at = mailbox.indexOf('@');
    if (at >= 0) {
      String local = mailbox.substring(0, at);
      if (local.contains(".")) {
        throw new IllegalArgumentException(
            "hostmaster '" + hostmaster + "' has a dot before '@': use a mailbox without one");
      }
      mailbox = local + "." + mailbox.substring(at + 1);
    }
    hostmaster = normaliseName(mailbox, "hostmaster");
    if (ioThreads < 1 || ioThreads > 256) {
      throw new IllegalArgumentException("DNS I/O threads " + ioThreads + " is not within 1..256");
    }
    Objects.requireNonNull(tcpTimeout, "tcpTimeout");
    if (tcpTimeout.isNegative() || tcpTimeout.isZero()) {
      throw new IllegalArgumentException("DNS TCP timeout " + tcpTimeout + " must be positive");
    }
    if (maxTcpConnections < 1) {
      throw new IllegalArgumentException(
          "DNS TCP connection limit " + maxTcpConnections + " must be at least 1");
    }
  }

  /**
   * Settings with the defaults for threads (one per core), TCP timeout and TCP connection limit.
   */
  public static DnsSettings of(
      String host,
      int port,
      List<String> names,
      Duration ttl,
      String primaryNs,
      String hostmaster) {
    return new DnsSettings(
        host,
        port,
        names,
        ttl,
        primaryNs,
        hostmaster,
        Runtime.getRuntime().availableProcessors(),
        DEFAULT_TCP_TIMEOUT,
        DEFAULT_MAX_TCP_CONNECTIONS);
  }

  /** The same settings with another number of I/O threads. */
  public DnsSettings withIoThreads(int threads) {
    return new DnsSettings(
        host, port, names, ttl, primaryNs, hostmaster, threads, tcpTimeout, maxTcpConnections);
  }

  /** The same settings with another TCP timeout. */
  public DnsSettings withTcpTimeout(Duration timeout) {
    return new DnsSettings(
        host, port, names, ttl, primaryNs, hostmaster, ioThreads, timeout, maxTcpConnections);
  }

  /**
   * A host name in lower case without its trailing dot; labels of letters, digits and hyphens (and
   * underscores), 1 to 63 characters each, 253 characters in all.
   */
  static String normaliseName(String name, String what) {
    Objects.requireNonNull(name, what);
    String n = name.strip().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.isEmpty() || n.length() > 253) {
      throw new IllegalArgumentException(
          what + " '" + name + "' must be a domain name of 1 to 253 characters");
    }
    for (String label : n.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63) {
        throw new IllegalArgumentException(
            what + " '" + name + "' has an empty label or one longer than 63 characters");
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) {
          throw new IllegalArgumentException(
              what + " '" + name + "' contains '" + c + "': use letters, digits and hyphens");
        }
      }
    }
    return n;
  }
}
