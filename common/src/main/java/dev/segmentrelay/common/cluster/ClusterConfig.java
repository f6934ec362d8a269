package dev.segmentrelay.common.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where this JVM joins the registry cluster and how fast it gives up on a silent member. Validated
 * once here; every error names the bad value and what to write instead.
 *
 * <p>Hazelcast open source has neither TLS nor authentication, so a member binds one interface only
 * ({@link #bindHost}, loopback by default) and the wildcard addresses are refused: put the members
 * on a private network (WireGuard between sites) and bind its address.
 *
 * @param bindHost IP address of the one interface the member listens on (and is reached at)
 * @param port cluster port of this member
 * @param members {@code HOST:PORT} of the other members (this member's own address may be listed
 *     too, so every member can share one list); empty for the first member of a cluster
 * @param clusterName members join only a cluster of the same name
 * @param heartbeatInterval how often members tell each other they are alive
 * @param maxNoHeartbeat a member silent this long (crashed, frozen, cut off) is removed
 * @param joinTimeout how long a starting member tries to reach a listed member before it forms a
 *     cluster of its own (a first member therefore starts in about this time)
 * @param mergeInterval how often a member split off (after a freeze or a network cut) looks for the
 *     cluster to merge back into
 */
public record ClusterConfig(
    String bindHost,
    int port,
    List<String> members,
    String clusterName,
    Duration heartbeatInterval,
    Duration maxNoHeartbeat,
    Duration joinTimeout,
    Duration mergeInterval) {
  public static final String DEFAULT_BIND_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final String DEFAULT_CLUSTER_NAME = "segment-relay";
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_NO_HEARTBEAT = Duration.ofSeconds(3);
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_MERGE_INTERVAL = Duration.ofSeconds(5);

  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");

  public ClusterConfig {
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(members, "members");
    Objects.requireNonNull(clusterName, "clusterName");
    requireBindAddress(bindHost);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "cluster-port "
              + port
              + " is not a TCP port: use 1..65535 (default "
              + DEFAULT_PORT
              + ")");
    }
    members = List.copyOf(members);
    for (String member : members) {
      requireMember(member);
    }
    if (!CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new IllegalArgumentException(
          "cluster-name '"
              + clusterName
              + "' is not valid: use 1 to 64 letters, digits, '_', '.' and '-', starting with a"
              + " letter or digit");
    }
    requireWholeSeconds("heartbeat interval", heartbeatInterval, 1);
    requireWholeSeconds("max-no-heartbeat", maxNoHeartbeat, 2);
    if (maxNoHeartbeat.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "max-no-heartbeat "
              + maxNoHeartbeat.toSeconds()
              + "s is shorter than two heartbeat intervals ("
              + heartbeatInterval.toSeconds()
              + "s each): a member would be dropped after one late heartbeat; raise it");
    }
    requireWholeSeconds("join timeout", joinTimeout, 1);
    requireWholeSeconds("merge interval", mergeInterval, 1);
  }

  /** A member on {@code bindHost:port} with the other settings at their defaults. */
  public static ClusterConfig of(String bindHost, int port, List<String> members) {
    return new ClusterConfig(
        bindHost,
        port,
        members,
        DEFAULT_CLUSTER_NAME,
        DEFAULT_HEARTBEAT_INTERVAL,
        DEFAULT_MAX_NO_HEARTBEAT,
        DEFAULT_JOIN_TIMEOUT,
        DEFAULT_MERGE_INTERVAL);
  }

  /** This config with another cluster name. */
  public ClusterConfig withClusterName(String name) {
    return new ClusterConfig(
        bindHost,
        port,
        members,
        name,
        heartbeatInterval,
        maxNoHeartbeat,
        joinTimeout,
        mergeInterval);
  }

  /** {@code bindHost:port} as other members list it ({@code [v6]:port} for IPv6). */
  public String address() {
    return (bindHost.contains(":") ? "[" + bindHost + "]" : bindHost) + ":" + port;
  }

  private static void requireBindAddress(String host) {
    InetAddress address = literal(host);
    if (address == null) {
      throw new IllegalArgumentException(
          "cluster-bind '"
              + host
              + "' is not an IP address: give the address of the private interface the registry"
              + " listens on, e.g. "
              + DEFAULT_BIND_HOST
              + " or a WireGuard address");
    }
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException(
          "cluster-bind '"
              + host
              + "' would expose the registry on every interface, and Hazelcast has no"
              + " authentication: give the address of one private interface (e.g. a WireGuard"
              + " address, or "
              + DEFAULT_BIND_HOST
              + ")");
    }
  }

  private static void requireMember(String member) {
    String problem = memberProblem(member);
    if (problem != null) {
      throw new IllegalArgumentException(
          "members entry '"
              + member
              + "' "
              + problem
              + ": write HOST:PORT, e.g. 10.8.0.2:"
              + DEFAULT_PORT
              + " or [fd00::2]:"
              + DEFAULT_PORT);
    }
  }

  /** What is wrong with a {@code HOST:PORT} entry, or null. */
  private static String memberProblem(String member) {
    if (member == null || member.isBlank()) {
      return "is empty";
    }
    if (!member.equals(member.trim())) {
      return "has surrounding spaces";
    }
    String host;
    String portText;
    if (member.startsWith("[")) {
      int close = member.indexOf(']');
      if (close < 0 || close + 1 >= member.length() || member.charAt(close + 1) != ':') {
        return "has no port after the bracketed IPv6 address";
      }
      host = member.substring(1, close);
      portText = member.substring(close + 2);
      if (!host.contains(":") || literal(host) == null) {
        return "has no valid IPv6 address in brackets";
      }
    } else {
      int colon = member.lastIndexOf(':');
      if (colon < 0) {
        return "has no port";
      }
      host = member.substring(0, colon);
      portText = member.substring(colon + 1);
      if (host.contains(":")) {
        return "looks like an IPv6 address without brackets";
      }
      if (!HOST_NAME.matcher(host).matches()) {
        return "has no valid host name or IPv4 address";
      }
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      return "has a port that is not a number ('" + portText + "'; port ranges are not accepted)";
    }
    if (port < 1 || port > 65535) {
      return "has port " + port + " outside 1..65535";
    }
    return null;
  }

  /** The address if {@code host} is an IPv4 or IPv6 literal (never a DNS look-up), else null. */
  private static InetAddress literal(String host) {
    boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = host.contains(":") && host.matches("[0-9A-Fa-f:.%a-zA-Z]+");
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      for (String octet : host.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static void requireWholeSeconds(String what, Duration value, int min) {
    Objects.requireNonNull(value, what);
    if (value.toSeconds() < min || value.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          what
              + " "
              + value.toString().toLowerCase(Locale.ROOT).replace("pt", "")
              + " is not a whole number of seconds of at least "
              + min
              + "s (Hazelcast counts these in seconds)");
    }
  }
}
