package dev.segmentrelay.loadtest.engine;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 network ({@code CIDR}) that hands out its host addresses by index. */
public final class AddressRange {
  private final String cidr;
  private final byte[] network;
  private final BigInteger hosts;
  private final int firstHost;

  private AddressRange(String cidr, byte[] network, int prefix) {
    this.cidr = cidr;
    this.network = network;
    int hostBits = network.length * 8 - prefix;
    BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
    // Skip the network and broadcast addresses of IPv4 networks that have them.
    boolean skipEnds = network.length == 4 && hostBits >= 2;
    this.firstHost = skipEnds ? 1 : 0;
    this.hosts = skipEnds ? size.subtract(BigInteger.TWO) : size;
  }

  /**
   * Parses {@code 192.0.2.0/24} or {@code 2001:db8:a::/48}.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  public static AddressRange parse(String cidr) {
    String text = cidr.trim();
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + cidr + "' is not a CIDR such as 192.0.2.0/24");
    }
    String address = text.substring(0, slash);
    if (!address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + cidr + "' does not start with an IP address");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + cidr + "' does not start with an IP address", e);
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "' has no prefix length after /", e);
    }
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException(
          "'" + cidr + "' has a prefix length outside 0-" + bytes.length * 8);
    }
    BigInteger value = new BigInteger(1, bytes);
    int hostBits = bytes.length * 8 - prefix;
    BigInteger masked = value.shiftRight(hostBits).shiftLeft(hostBits);
    return new AddressRange(text, toBytes(masked, bytes.length), prefix);
  }

  /** The {@code index}-th host address, wrapping around when the network is smaller. */
  public String address(long index) {
    BigInteger offset = BigInteger.valueOf(index).mod(hosts).add(BigInteger.valueOf(firstHost));
    BigInteger value = new BigInteger(1, network).add(offset);
    try {
      return InetAddress.getByAddress(toBytes(value, network.length)).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("address of length " + network.length, e);
    }
  }

  private static byte[] toBytes(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  @Override
  public String toString() {
    return cidr;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressRange other
        && Arrays.equals(network, other.network)
        && hosts.equals(other.hosts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + hosts.hashCode();
  }
}
