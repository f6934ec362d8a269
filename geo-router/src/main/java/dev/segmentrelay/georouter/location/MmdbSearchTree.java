package dev.segmentrelay.georouter.location;

/**
 * A read-only walk of a MaxMind DB search tree (format 2.0, record sizes 24, 28 and 32 bits),
 * returning the raw record value a lookup ends on. maxmind-db decodes the data record again on
 * every lookup; walking the tree here lets {@link GeoIpDatabase} key its own cache on the record
 * (many networks and millions of addresses share a few thousand records) and decode only on a miss.
 * Holds a copy of the tree section only, not the data section.
 */
final class MmdbSearchTree {
  /** The value for "no data for this address". */
  static final long NOT_FOUND = -1;

  private final byte[] tree;
  private final long nodeCount;
  private final int recordSize;
  private final int nodeBytes;
  private final long ipv4Start; // node (or terminal value) after 96 zero bits in an IPv6 tree

  MmdbSearchTree(byte[] file, long nodeCount, int recordSize, int ipVersion) {
    if (recordSize != 24 && recordSize != 28 && recordSize != 32) {
      throw new IllegalArgumentException("unsupported record size " + recordSize);
    }
    this.nodeCount = nodeCount;
    this.recordSize = recordSize;
    this.nodeBytes = recordSize / 4;
    long treeBytes = nodeCount * nodeBytes;
    if (treeBytes > file.length || treeBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "search tree of " + nodeCount + " nodes does not fit in " + file.length + " bytes");
    }
    this.tree = java.util.Arrays.copyOf(file, (int) treeBytes);
    long node = 0;
    if (ipVersion == 6) {
      for (int i = 0; i < 96 && node < nodeCount; i++) {
        node = read(node, 0);
      }
    }
    this.ipv4Start = node;
  }

  /**
   * The record value for 4 or 16 address bytes: a value greater than the node count points into the
   * data section; {@link #NOT_FOUND} when there is no data.
   */
  long lookup(byte[] address) {
    long node;
    int bits;
    if (address.length == 4) {
      node = ipv4Start;
      bits = 32;
    } else {
      node = 0;
      bits = 128;
    }
    for (int i = 0; i < bits && node < nodeCount; i++) {
      node = read(node, (address[i >>> 3] >>> (7 - (i & 7))) & 1);
    }
    return node > nodeCount ? node : NOT_FOUND;
  }

  private long read(long node, int side) {
    int base = (int) (node * nodeBytes);
    byte[] t = tree;
    switch (recordSize) {
      case 24:
        base += side * 3;
        return ((t[base] & 0xffL) << 16) | ((t[base + 1] & 0xff) << 8) | (t[base + 2] & 0xff);
      case 28:
        if (side == 0) {
          return ((t[base + 3] & 0xf0L) << 20)
              | ((t[base] & 0xff) << 16)
              | ((t[base + 1] & 0xff) << 8)
              | (t[base + 2] & 0xff);
        }
        return ((t[base + 3] & 0x0fL) << 24)
            | ((t[base + 4] & 0xff) << 16)
            | ((t[base + 5] & 0xff) << 8)
            | (t[base + 6] & 0xff);
      default:
        base += side * 4;
        return ((t[base] & 0xffL) << 24)
            | ((t[base + 1] & 0xff) << 16)
            | ((t[base + 2] & 0xff) << 8)
            | (t[base + 3] & 0xff);
    }
  }
}
