package dev.segmentrelay.georouter.selection;

/**
 * The hashes behind rendezvous (highest-random-weight) selection: a stable 64-bit key per client
 * address, a stable 64-bit hash per edge id, and the weight of one (client, edge) pair. All are
 * defined here rather than borrowed from {@code String.hashCode} or {@code InetAddress.hashCode},
 * so that every router in the cluster, of any version, sends a viewer to the same edge.
 *
 * <p>IPv6 clients are keyed on their /64 prefix: devices rotate the interface half of their address
 * (privacy addresses), and a /64 is one household or one LAN, like a NATed IPv4 address.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) key as the IPv4 address they carry.
 */
final class Rendezvous {
  private static final long IPV4_TAG = 0x4L << 32;
  private static final long IPV6_TAG = 0x6a09e667f3bcc909L;

  private Rendezvous() {}

  /** The key of a client address of 4 or 16 bytes. */
  static long clientKey(byte[] address) {
    if (address.length == 4) {
      return mix(IPV4_TAG | (readInt(address, 0) & 0xffffffffL));
    }
    if (address.length == 16) {
      if (isIpv4Mapped(address)) {
        return mix(IPV4_TAG | (readInt(address, 12) & 0xffffffffL));
      }
      long prefix = ((long) readInt(address, 0) << 32) | (readInt(address, 4) & 0xffffffffL);
      return mix(prefix ^ IPV6_TAG);
    }
    throw new IllegalArgumentException(
        "a client address has 4 (IPv4) or 16 (IPv6) bytes, got " + address.length);
  }

  /** The stable hash of an edge id (FNV-1a over its UTF-16 code units, then mixed). */
  static long idHash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** The weight of an edge for a client: the highest weight among near-equal edges wins. */
  static long weight(long clientKey, long idHash) {
    return mix(clientKey ^ idHash);
  }

  /** The SplitMix64 finaliser: a bijection whose every output bit depends on every input bit. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static boolean isIpv4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static int readInt(byte[] a, int at) {
    return (a[at] & 0xff) << 24
        | (a[at + 1] & 0xff) << 16
        | (a[at + 2] & 0xff) << 8
        | a[at + 3] & 0xff;
  }
}
