package dev.segmentrelay.georouter.location;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). A bare
 * address is a single host ({@code /32} or {@code /128}). IPv4-mapped IPv6 networks ({@code
 * ::ffff:10.0.0.0/104}) are the IPv4 network they map. Parsing reads literals only: names are
 * refused, never resolved.
 */
public final class Cidr {
  private final byte[] network; // 4 or 16 bytes, host bits zero
  private final int prefixLength;

  private Cidr(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code address/prefix} or a bare address.
   *
   * @throws IllegalArgumentException naming the value and the expected form, or the network form
   *     when host bits are set ({@code 10.1.2.3/8} → use {@code 10.0.0.0/8})
   */
  public static Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException(
          "CIDR is missing: expected ADDRESS/PREFIX, e.g. 10.0.0.0/8");
    }
    String s = text.strip();
    int slash = s.indexOf('/');
    String addressPart = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = IpLiterals.parse(addressPart);
    if (bytes == null) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a CIDR: expected an IP address literal with an optional /PREFIX,"
              + " e.g. 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32 (host names are not accepted)");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      prefix = parsePrefix(p);
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException(
            "'" + text + "' has prefix length '" + p + "': expected a number from 0 to " + max);
      }
    }
    if (IpLiterals.isV4Mapped(bytes)) {
      if (prefix < 96) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "' is an IPv4-mapped network shorter than /96: write an IPv4 CIDR instead,"
                + " e.g. 10.0.0.0/8");
      }
      bytes = Arrays.copyOfRange(bytes, 12, 16);
      prefix -= 96;
    }
    byte[] masked = mask(bytes, prefix);
    if (!Arrays.equals(masked, bytes)) {
      Cidr network = new Cidr(masked, prefix);
      throw new IllegalArgumentException(
          "'" + text + "' has host bits set past /" + prefix + ": write the network, " + network);
    }
    return new Cidr(masked, prefix);
  }

  /** The network of {@code prefixLength} bits that holds {@code address}. */
  public static Cidr of(InetAddress address, int prefixLength) {
    byte[] bytes = address.getAddress();
    if (prefixLength < 0 || prefixLength > bytes.length * 8) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " is outside 0.." + bytes.length * 8);
    }
    return new Cidr(mask(bytes, prefixLength), prefixLength);
  }

  private static int parsePrefix(String p) {
    if (p.isEmpty() || p.length() > 3) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  /** True for an IPv4 network (including one written as IPv4-mapped IPv6). */
  public boolean isIpv4() {
    return network.length == 4;
  }

  public int prefixLength() {
    return prefixLength;
  }

  /** The network address (host bits zero). */
  public InetAddress network() {
    return IpLiterals.toInetAddress(network.clone());
  }

  /** True when the address is in this network; IPv4-mapped IPv6 addresses count as IPv4. */
  public boolean contains(InetAddress address) {
    byte[] b = address.getAddress();
    if (IpLiterals.isV4Mapped(b)) {
      b = Arrays.copyOfRange(b, 12, 16);
    }
    if (b.length != network.length) {
      return false;
    }
    return Arrays.equals(mask(b, prefixLength), network);
  }

  byte[] bytes() {
    return network;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr
        && ((Cidr) o).prefixLength == prefixLength
        && Arrays.equals(((Cidr) o).network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefixLength;
  }

  /** Canonical text, e.g. {@code 10.0.0.0/8} or {@code 2001:db8::/32}. */
  @Override
  public String toString() {
    return IpLiterals.format(network) + "/" + prefixLength;
  }
}
