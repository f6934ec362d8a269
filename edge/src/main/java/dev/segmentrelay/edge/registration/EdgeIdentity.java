package dev.segmentrelay.edge.registration;

import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.edge.EdgeConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed part of an edge's registry entry, from its configuration and the ports it bound.
 *
 * <ul>
 *   <li>public URL: {@code --public-url} (without a trailing slash), else {@code
 *       http://{host}:{port}} where host is the bind address, or {@code 127.0.0.1} when the edge
 *       binds every interface;
 *   <li>addresses: the public URL host's IP literals ({@link #resolve}, once, off the event loop);
 *   <li>admin URL: {@code http://{host}:{admin port}}, where host is the bind address, or for a
 *       wildcard bind the public URL's host (the management server listens on every interface too).
 * </ul>
 */
public final class EdgeIdentity {
  private static final Logger log = LoggerFactory.getLogger(EdgeIdentity.class);

  private EdgeIdentity() {}

  /** The edge's entry in state {@code starting}, with no addresses yet. */
  public static EdgeRecord of(EdgeConfig config, int port, int adminPort, Instant now) {
    String publicUrl = publicUrl(config, port);
    String bindHost = isWildcard(config.bind()) ? null : config.bind();
    String adminHost =
        bindHost != null
            ? bindHost
            : config.publicUrl().isPresent() ? URI.create(publicUrl).getHost() : "127.0.0.1";
    return new EdgeRecord(
        config.id(),
        publicUrl,
        literal(URI.create(publicUrl).getHost()),
        config.site(),
        config.latitude(),
        config.longitude(),
        config.country(),
        config.capacityMbps(),
        config.maxConnections(),
        EdgeState.STARTING,
        EdgeLoad.IDLE,
        now,
        "",
        "http://" + hostInUrl(adminHost) + ":" + adminPort);
  }

  static String publicUrl(EdgeConfig config, int port) {
    if (config.publicUrl().isPresent()) {
      String url = config.publicUrl().get().toString();
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
      return url;
    }
    String host = isWildcard(config.bind()) ? "127.0.0.1" : config.bind();
    return "http://" + hostInUrl(host) + ":" + port;
  }

  /**
   * The IP literals of {@code host} (a literal is returned as is). Blocks on DNS for a name: call
   * it off the event loop. A name that does not resolve gives no addresses and a warning: the edge
   * still serves and reports, only DNS answers cannot name it.
   */
  public static List<String> resolve(String host) {
    List<String> literal = literal(host);
    if (!literal.isEmpty() || host == null) {
      return literal;
    }
    try {
      List<String> out = new ArrayList<>();
      for (InetAddress a : InetAddress.getAllByName(host)) {
        out.add(a.getHostAddress());
      }
      return List.copyOf(out);
    } catch (UnknownHostException | SecurityException e) {
      log.warn(
          "cannot resolve the public URL host '{}' ({}): the edge reports no addresses, so DNS"
              + " answers cannot point at it; set --public-url to a resolvable name or an IP",
          host,
          e.toString());
      return List.of();
    }
  }

  /** {@code host} as a one-element list if it is an IP literal, else empty. */
  static List<String> literal(String host) {
    if (host == null) {
      return List.of();
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = h.contains(":") && h.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
    if (!v4 && !v6) {
      return List.of();
    }
    try {
      // A literal never triggers a lookup.
      return List.of(InetAddress.getByName(h).getHostAddress());
    } catch (UnknownHostException e) {
      return List.of();
    }
  }

  private static boolean isWildcard(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]") || bind.isEmpty();
  }

  private static String hostInUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
