package dev.segmentrelay.georouter.dns;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An EDNS Client Subnet option (RFC 7871, option code 8) as read from a query.
 *
 * <p>Wire form: FAMILY (2 bytes, 1 = IPv4, 2 = IPv6), SOURCE PREFIX-LENGTH (1), SCOPE PREFIX-LENGTH
 * (1), then exactly ceil(source / 8) address bytes. Bits past the source prefix are masked off (RFC
 * 7871 asks senders to zero them; we tolerate senders that do not).
 *
 * <p>An IPv4-mapped IPv6 subnet ({@code ::ffff:a.b.c.d}) yields an {@link java.net.Inet4Address} as
 * {@link #address()}, as Java does for every mapped address, but is echoed as sent.
 */
final class ClientSubnet {
  static final int OPTION_CODE = 8;
  static final int FAMILY_IPV4 = 1;
  static final int FAMILY_IPV6 = 2;

  private final int family;
  private final int sourcePrefix;
  private final byte[] masked;
  private final InetAddress address;

  private ClientSubnet(int family, int sourcePrefix, byte[] masked, InetAddress address) {
    this.family = family;
    this.sourcePrefix = sourcePrefix;
    this.masked = masked;
    this.address = address;
  }

  /** 1 for IPv4, 2 for IPv6. */
  int family() {
    return family;
  }

  /** The source prefix length. */
  int sourcePrefix() {
    return sourcePrefix;
  }

  /** The address masked to {@link #sourcePrefix()} bits. */
  InetAddress address() {
    return address;
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + sourcePrefix;
  }

  /**
   * Reads the option data of {@code length} bytes at {@code offset}.
   *
   * @return the subnet, or null when the option is malformed (unknown family, prefix too long,
   *     address length not matching the prefix, non-zero scope)
   */
  static ClientSubnet parse(ByteBuf in, int offset, int length) {
    if (length < 4) {
      return null;
    }
    int family = in.getUnsignedShort(offset);
    int source = in.getUnsignedByte(offset + 2);
    int scope = in.getUnsignedByte(offset + 3);
    int size;
    if (family == FAMILY_IPV4) {
      size = 4;
    } else if (family == FAMILY_IPV6) {
      size = 16;
    } else {
      return null;
    }
    int addressBytes = (source + 7) / 8;
    if (source > size * 8 || scope != 0 || length != 4 + addressBytes) {
      return null;
    }
    byte[] address = new byte[size];
    in.getBytes(offset + 4, address, 0, addressBytes);
    if (source % 8 != 0) {
      address[addressBytes - 1] &= (byte) (0xFF << (8 - source % 8));
    }
    try {
      return new ClientSubnet(family, source, address, InetAddress.getByAddress(address));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  /** Writes the option (code, length, data) with the given scope prefix length. */
  void write(ByteBuf out, int scopePrefix) {
    int addressBytes = (sourcePrefix + 7) / 8;
    out.writeShort(OPTION_CODE);
    out.writeShort(4 + addressBytes);
    out.writeShort(family);
    out.writeByte(sourcePrefix);
    out.writeByte(scopePrefix);
    out.writeBytes(masked, 0, addressBytes);
  }

  /** Bytes {@link #write} takes. */
  int wireLength() {
    return 8 + (sourcePrefix + 7) / 8;
  }
}
