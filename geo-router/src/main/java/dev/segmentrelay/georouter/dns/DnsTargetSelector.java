package dev.segmentrelay.georouter.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * Picks the edge for a DNS viewer; implemented by the router's selector.
 *
 * <p>Called on a DNS event-loop thread for every A and AAAA answer: it must not block (read an
 * immutable routing snapshot, do no I/O). An exception it throws becomes a {@code SERVFAIL}.
 */
@FunctionalInterface
public interface DnsTargetSelector {
  /**
   * Addresses (all of the requested family) of the edge chosen for a viewer at {@code client}; an
   * empty list when no healthy edge has an address of that family. Addresses of the other family
   * are ignored.
   *
   * @param name the configured name asked for (lower case, no trailing dot)
   * @param client the EDNS Client Subnet address (masked to its source prefix) when the query
   *     carries one with a non-zero prefix, else the query's source address
   * @param ipv6 true for AAAA, false for A
   */
  List<InetAddress> select(String name, InetAddress client, boolean ipv6);
}
