package dev.segmentrelay.georouter.location;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

/**
 * Finds the viewer's address behind reverse proxies.
 *
 * <p>{@code X-Forwarded-For} is only believed when the TCP peer is a configured trusted proxy:
 * anyone else can write anything into it. The list is then walked from the right (the entry the
 * nearest proxy appended), skipping addresses that are themselves trusted proxies; the first
 * untrusted address is the client. A malformed entry ({@code unknown}, a name, garbage) ends the
 * walk and the last good address is used, because everything to its left was written by a party we
 * cannot vouch for. If every entry is a trusted proxy, the leftmost one is the client.
 *
 * <p>Entries may carry a port ({@code 192.0.2.1:5678}, {@code [2001:db8::1]:443}) or brackets; zone
 * ids ({@code %eth0}) are dropped. No entry is ever resolved through DNS.
 */
public final class TrustedProxies {
  private static final TrustedProxies NONE = new TrustedProxies(CidrTable.empty());

  private final CidrTable<Cidr> trusted;

  private TrustedProxies(CidrTable<Cidr> trusted) {
    this.trusted = trusted;
  }

  /** Trusts nobody: {@code X-Forwarded-For} is always ignored. */
  public static TrustedProxies none() {
    return NONE;
  }

  /** Trusts the given networks. */
  public static TrustedProxies of(Collection<Cidr> networks) {
    CidrTable.Builder<Cidr> b = CidrTable.builder();
    for (Cidr c : networks) {
      b.put(c, c);
    }
    return new TrustedProxies(b.build());
  }

  /**
   * Parses {@code --trusted-proxy} values.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static TrustedProxies parse(Collection<String> cidrs) {
    return of(cidrs.stream().map(TrustedProxies::parseOne).toList());
  }

  private static Cidr parseOne(String value) {
    try {
      return Cidr.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trusted proxy: " + e.getMessage(), e);
    }
  }

  /** True when the address is inside a trusted network. */
  public boolean isTrusted(InetAddress address) {
    return trusted.containsAddress(address);
  }

  /**
   * The client address for a request.
   *
   * @param peer the TCP peer
   * @param forwardedFor the {@code X-Forwarded-For} header values in order (possibly empty); each
   *     may hold a comma-separated list
   */
  public InetAddress clientAddress(InetAddress peer, List<String> forwardedFor) {
    byte[] peerBytes = peer.getAddress();
    if (forwardedFor.isEmpty() || trusted.matchOrNull(peerBytes) == null) {
      return peer;
    }
    byte[] client = walk(peerBytes, forwardedFor);
    return client == peerBytes ? peer : IpLiterals.toInetAddress(client);
  }

  /**
   * The client address for a request whose peer is given as text, as Vert.x's {@code
   * SocketAddress.hostAddress()} gives it ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}).
   *
   * @throws IllegalArgumentException when the peer is not an address literal
   */
  public InetAddress clientAddress(String peer, List<String> forwardedFor) {
    byte[] peerBytes = parseEntry(peer, 0, peer.length());
    if (peerBytes == null) {
      throw new IllegalArgumentException("peer address '" + peer + "' is not an IP literal");
    }
    if (!forwardedFor.isEmpty() && trusted.matchOrNull(peerBytes) != null) {
      peerBytes = walk(peerBytes, forwardedFor);
    }
    return IpLiterals.toInetAddress(peerBytes);
  }

  private byte[] walk(byte[] peer, List<String> headers) {
    byte[] lastGood = peer;
    for (int h = headers.size() - 1; h >= 0; h--) {
      String header = headers.get(h);
      int end = header.length();
      while (end >= 0) {
        int comma = header.lastIndexOf(',', end - 1);
        byte[] entry = parseEntry(header, comma + 1, end);
        if (entry == null) {
          return lastGood;
        }
        if (trusted.matchOrNull(entry) == null) {
          return entry;
        }
        lastGood = entry;
        if (comma < 0) {
          break;
        }
        end = comma;
      }
    }
    return lastGood;
  }

  /** One list entry as address bytes, or {@code null} when malformed. */
  static byte[] parseEntry(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    if (from == to) {
      return null;
    }
    String t = s.substring(from, to);
    if (t.charAt(0) == '[') {
      int close = t.indexOf(']');
      if (close < 0 || close + 1 < t.length() && !isPort(t, close + 1)) {
        return null;
      }
      t = t.substring(1, close);
    } else {
      int colon = t.indexOf(':');
      if (colon >= 0 && colon == t.lastIndexOf(':') && isPort(t, colon)) {
        t = t.substring(0, colon); // a.b.c.d:port
      }
    }
    int zone = t.indexOf('%');
    if (zone >= 0) {
      t = t.substring(0, zone);
    }
    return IpLiterals.parse(t);
  }

  private static boolean isPort(String t, int colon) {
    if (t.charAt(colon) != ':' || colon + 1 >= t.length() || t.length() - colon > 6) {
      return false;
    }
    for (int i = colon + 1; i < t.length(); i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "TrustedProxies(" + trusted.size() + " networks)";
  }
}
