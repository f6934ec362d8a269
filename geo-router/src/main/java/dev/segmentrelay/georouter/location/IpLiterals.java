package dev.segmentrelay.georouter.location;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IPv4 and IPv6 address literals without ever touching DNS ({@code InetAddress.getByName}
 * resolves names, and on Java 17 there is no {@code ofLiteral}). Returns {@code null} for anything
 * that is not a literal, so hot paths do not pay for exceptions on bad input.
 */
final class IpLiterals {
  private IpLiterals() {}

  /** 4 or 16 bytes, or {@code null}. IPv4-mapped IPv6 literals come back as 16 bytes. */
  static byte[] parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    if (s.indexOf(':') >= 0) {
      return parseV6(s, 0, s.length());
    }
    byte[] out = new byte[4];
    return parseV4(s, 0, s.length(), out, 0) ? out : null;
  }

  /** The literal as an {@link InetAddress} (IPv4-mapped IPv6 becomes IPv4), or {@code null}. */
  static InetAddress toInetAddress(String s) {
    byte[] bytes = parse(s);
    return bytes == null ? null : toInetAddress(bytes);
  }

  static InetAddress toInetAddress(byte[] bytes) {
    try {
      // getByAddress never resolves; a 16-byte IPv4-mapped address becomes an Inet4Address.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address of " + bytes.length + " bytes", e);
    }
  }

  /** True when 16 bytes hold an IPv4-mapped address ({@code ::ffff:a.b.c.d}). */
  static boolean isV4Mapped(byte[] b) {
    if (b.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  /** RFC 5952 text: IPv4 dotted quad, IPv6 lower case with the longest zero run as "::". */
  static String format(byte[] b) {
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero group is not compressed
    for (int g = 0; g < 8; ) {
      int len = 0;
      while (g + len < 8 && b[(g + len) * 2] == 0 && b[(g + len) * 2 + 1] == 0) {
        len++;
      }
      if (len > bestLen) {
        bestStart = g;
        bestLen = len;
      }
      g += Math.max(len, 1);
    }
    StringBuilder sb = new StringBuilder(39);
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        sb.append("::");
        g += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(((b[g * 2] & 0xff) << 8) | (b[g * 2 + 1] & 0xff)));
    }
    return sb.toString();
  }

  private static boolean parseV4(String s, int from, int to, byte[] out, int at) {
    int part = 0;
    int value = -1;
    int digits = 0;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) {
          return false; // leading zeros are ambiguous (octal in some parsers): refuse them
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (++digits > 3 || value > 255) {
          return false;
        }
      } else if (c == '.') {
        if (value < 0 || part > 3) {
          return false;
        }
        out[at + part++] = (byte) value;
        value = -1;
        digits = 0;
      } else {
        return false;
      }
    }
    return part == 4;
  }

  private static byte[] parseV6(String s, int from, int to) {
    byte[] out = new byte[16];
    int group = 0; // 16-bit groups written so far
    int gap = -1; // group index where "::" sits
    int i = from;
    if (to - from >= 2 && s.charAt(i) == ':' && s.charAt(i + 1) == ':') {
      gap = 0;
      i += 2;
      if (i == to) {
        return out;
      }
    } else if (i < to && s.charAt(i) == ':') {
      return null;
    }
    while (i < to) {
      if (group >= 8) {
        return null;
      }
      int start = i;
      int value = 0;
      while (i < to && Character.digit(s.charAt(i), 16) >= 0 && i - start < 5) {
        value = value * 16 + Character.digit(s.charAt(i), 16);
        i++;
      }
      if (i < to && s.charAt(i) == '.') {
        // embedded IPv4 as the last 32 bits
        if (group > 6 || !parseV4(s, start, to, out, group * 2)) {
          return null;
        }
        group += 2;
        i = to;
        break;
      }
      int len = i - start;
      if (len == 0 || len > 4) {
        return null;
      }
      out[group * 2] = (byte) (value >>> 8);
      out[group * 2 + 1] = (byte) value;
      group++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null; // a second "::"
        }
        gap = group;
        i++;
      } else if (i == to) {
        return null; // trailing single ':'
      }
    }
    if (gap < 0) {
      return group == 8 ? out : null;
    }
    if (group > 7) {
      return null; // "::" must stand for at least one group
    }
    int shift = 8 - group;
    for (int g = group - 1; g >= gap; g--) {
      out[(g + shift) * 2] = out[g * 2];
      out[(g + shift) * 2 + 1] = out[g * 2 + 1];
    }
    for (int g = gap; g < gap + shift; g++) {
      out[g * 2] = 0;
      out[g * 2 + 1] = 0;
    }
    return out;
  }
}
