package dev.segmentrelay.georouter.dns;

import dev.segmentrelay.georouter.dns.DnsMetrics.Drop;
import dev.segmentrelay.georouter.dns.DnsMetrics.QType;
import dev.segmentrelay.georouter.dns.DnsMetrics.RCode;
import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps one DNS query message to its response: the whole answer logic, without sockets.
 *
 * <h2>Design</h2>
 *
 * The server sees hostile input from the whole Internet, so the query is parsed here, by hand and
 * with every length checked against the message, rather than by Netty's client-oriented DNS codec:
 * that lets a malformed message with a readable header still get a {@code FORMERR}, keeps the
 * question's bytes (and so the 0x20 case mixing of resolvers) for an exact echo, and lets the
 * response be measured and truncated before it is sent. Parsing reads the message in place ({@link
 * ByteBuf#getByte} at offsets, no copies); the response is written straight into the outgoing
 * buffer. Owner names in the response are compression pointers into the echoed question.
 *
 * <h2>What is answered</h2>
 *
 * <ul>
 *   <li>Only opcode QUERY, else {@code NOTIMP}; exactly one question, else {@code FORMERR}; a QR
 *       bit set (a response) or fewer than 12 bytes: no answer at all.
 *   <li>A configured name (case-insensitive): A and AAAA from the {@link DnsTargetSelector}, SOA,
 *       NS (the primary name server); ANY is answered with A and AAAA (RFC 8482 lets a server
 *       answer a subset instead of every type); AXFR and IXFR are {@code REFUSED}; any other type,
 *       and A or AAAA without addresses, is NODATA: {@code NOERROR}, no answer, the SOA in the
 *       authority section. All with AA set.
 *   <li>A name below a configured one: {@code NXDOMAIN} with the SOA, AA set.
 *   <li>Any other name, or a class other than IN: {@code REFUSED} (we are not a resolver), whether
 *       or not recursion was desired; RA is never set.
 *   <li>EDNS (RFC 6891): when the query has an OPT record the response has one (UDP payload size
 *       1232, the DO bit copied); a version other than 0 gets {@code BADVERS}; a second OPT or
 *       malformed options get {@code FORMERR}.
 *   <li>EDNS Client Subnet (RFC 7871): the masked subnet address is the viewer the selector sees
 *       (the source address when the source prefix is 0), and the option is echoed with SCOPE
 *       PREFIX-LENGTH = the source prefix for A, AAAA and ANY of a configured name, 0 otherwise.
 *   <li>Size: over UDP the response must fit the client's payload size (512 without EDNS, at most
 *       1232 with it); a larger one is cut to the question and OPT with TC set, so the client
 *       retries over TCP.
 * </ul>
 *
 * Thread-safe and allocation-light: one instance serves every event loop.
 */
final class DnsResponder {
  private static final Logger log = LoggerFactory.getLogger(DnsResponder.class);

  static final int HEADER_LENGTH = 12;

  /** Our EDNS UDP payload size: the DNS Flag Day 2020 value that avoids IP fragmentation. */
  static final int EDNS_PAYLOAD_SIZE = 1232;

  /** The UDP limit without EDNS (RFC 1035). */
  static final int PLAIN_UDP_LIMIT = 512;

  /** The largest message over TCP (a 2-byte length prefix). */
  static final int TCP_LIMIT = 65535;

  static final int TYPE_A = 1;
  static final int TYPE_NS = 2;
  static final int TYPE_SOA = 6;
  static final int TYPE_AAAA = 28;
  static final int TYPE_OPT = 41;
  static final int TYPE_IXFR = 251;
  static final int TYPE_AXFR = 252;
  static final int TYPE_ANY = 255;
  static final int CLASS_IN = 1;

  private static final int FLAG_QR = 0x8000;
  private static final int FLAG_AA = 0x0400;
  private static final int FLAG_TC = 0x0200;
  private static final int FLAG_RD = 0x0100;
  private static final int FLAG_CD = 0x0010;
  private static final int POINTER_TO_QUESTION = 0xC000 | HEADER_LENGTH;
  private static final int MAX_NAME_WIRE_LENGTH = 255;
  private static final int EDNS_DO_BIT = 0x8000;

  /** SOA timers that matter only to secondaries, which we do not have. */
  private static final int SOA_REFRESH = 3600;

  private static final int SOA_RETRY = 600;
  private static final int SOA_EXPIRE = 86400;

  /** One configured name with its SOA and NS record data, encoded once. */
  private record Zone(String name, byte[] soaData, byte[] nsData) {}

  private final Map<String, Zone> zones = new HashMap<>();
  private final DnsTargetSelector selector;
  private final DnsMetrics metrics;
  private final int ttl;

  /**
   * @param serial the SOA serial (the server's start time in epoch seconds, say)
   */
  DnsResponder(DnsSettings settings, DnsTargetSelector selector, DnsMetrics metrics, long serial) {
    this.selector = Objects.requireNonNull(selector, "selector");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.ttl = (int) settings.ttl().toSeconds();
    byte[] mname = wireName(settings.primaryNs());
    byte[] rname = wireName(settings.hostmaster());
    for (String name : settings.names()) {
      byte[] soa = new byte[mname.length + rname.length + 20];
      int at = 0;
      System.arraycopy(mname, 0, soa, at, mname.length);
      at += mname.length;
      System.arraycopy(rname, 0, soa, at, rname.length);
      at += rname.length;
      for (long field : new long[] {serial, SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, ttl}) {
        soa[at++] = (byte) (field >>> 24);
        soa[at++] = (byte) (field >>> 16);
        soa[at++] = (byte) (field >>> 8);
        soa[at++] = (byte) field;
      }
      zones.put(name, new Zone(name, soa, mname));
    }
  }

  /**
   * Answers the message in {@code in}'s readable bytes (left unread) from {@code source}, writing
   * the response at {@code out}'s writer index.
   *
   * @param udp true for UDP (responses fit the client's payload size), false for TCP
   * @return true when a response was written, false when the message is dropped unanswered
   */
  boolean respond(ByteBuf in, InetAddress source, boolean udp, ByteBuf out) {
    int base = in.readerIndex();
    int length = in.readableBytes();
    if (length < HEADER_LENGTH) {
      metrics.dropped(Drop.SHORT);
      return false;
    }
    int id = in.getUnsignedShort(base);
    int flags = in.getUnsignedShort(base + 2);
    if ((flags & FLAG_QR) != 0) {
      metrics.dropped(Drop.RESPONSE);
      return false;
    }
    int opcode = (flags >> 11) & 0xF;
    int echoed = (flags & (FLAG_RD | FLAG_CD)) | (opcode << 11);
    if (opcode != 0) {
      writeHeaderOnly(out, id, echoed | RCode.NOTIMP.code);
      metrics.answered(QType.NONE, RCode.NOTIMP);
      return true;
    }
    Query query = in.getUnsignedShort(base + 4) == 1 ? Query.parse(in, base, base + length) : null;
    if (query == null) {
      writeHeaderOnly(out, id, echoed | RCode.FORMERR.code);
      metrics.answered(QType.NONE, RCode.FORMERR);
      return true;
    }
    int limit = TCP_LIMIT;
    if (udp) {
      limit =
          query.hasOpt
              ? Math.max(PLAIN_UDP_LIMIT, Math.min(query.payloadSize, EDNS_PAYLOAD_SIZE))
              : PLAIN_UDP_LIMIT;
    }
    answer(in, base, query, source, echoed, limit, out);
    return true;
  }

  private void answer(
      ByteBuf in, int base, Query query, InetAddress source, int flags, int limit, ByteBuf out) {
    int start = out.writerIndex();
    out.writeZero(HEADER_LENGTH);
    out.writeBytes(in, base + HEADER_LENGTH, query.questionEnd - HEADER_LENGTH);
    int afterQuestion = out.writerIndex();
    int answers = 0;
    int authority = 0;
    int scope = 0;
    RCode rcode = RCode.NOERROR;
    if (query.ednsVersion != 0) {
      rcode = RCode.BADVERS;
    } else if (query.qclass != CLASS_IN) {
      rcode = RCode.REFUSED;
    } else {
      Zone exact = zones.get(query.name);
      if (exact != null) {
        flags |= FLAG_AA;
        int qtype = query.qtype;
        try {
          if (qtype == TYPE_A || qtype == TYPE_AAAA || qtype == TYPE_ANY) {
            InetAddress client =
                query.subnet != null && query.subnet.sourcePrefix() > 0
                    ? query.subnet.address()
                    : source;
            scope = query.subnet == null ? 0 : query.subnet.sourcePrefix();
            if (qtype != TYPE_AAAA) {
              answers += writeAddresses(out, exact.name, client, false);
            }
            if (qtype != TYPE_A) {
              answers += writeAddresses(out, exact.name, client, true);
            }
          } else if (qtype == TYPE_SOA) {
            writeRecord(out, POINTER_TO_QUESTION, TYPE_SOA, exact.soaData);
            answers = 1;
          } else if (qtype == TYPE_NS) {
            writeRecord(out, POINTER_TO_QUESTION, TYPE_NS, exact.nsData);
            answers = 1;
          } else if (qtype == TYPE_AXFR || qtype == TYPE_IXFR) {
            rcode = RCode.REFUSED;
            flags &= ~FLAG_AA;
          }
        } catch (RuntimeException e) {
          log.warn("DNS target selection failed for {} from {}", query.name, source, e);
          out.writerIndex(afterQuestion);
          answers = 0;
          scope = 0;
          rcode = RCode.SERVFAIL;
          flags &= ~FLAG_AA;
        }
        if (answers == 0 && rcode == RCode.NOERROR) {
          writeRecord(out, POINTER_TO_QUESTION, TYPE_SOA, exact.soaData);
          authority = 1;
        }
      } else {
        Zone parent = null;
        int zoneLabel = 0;
        for (int i = 1; i < query.labels && parent == null; i++) {
          parent = zones.get(query.name.substring(query.labelStarts[i] - HEADER_LENGTH));
          zoneLabel = i;
        }
        if (parent != null) {
          flags |= FLAG_AA;
          rcode = RCode.NXDOMAIN;
          writeRecord(out, 0xC000 | query.labelStarts[zoneLabel], TYPE_SOA, parent.soaData);
          authority = 1;
        } else {
          rcode = RCode.REFUSED;
        }
      }
    }
    writeOpt(out, query, rcode, scope);
    if (out.writerIndex() - start > limit) {
      out.writerIndex(afterQuestion);
      answers = 0;
      authority = 0;
      flags |= FLAG_TC;
      writeOpt(out, query, rcode, scope);
    }
    out.setShort(start, query.id);
    out.setShort(start + 2, FLAG_QR | flags | (rcode.code & 0xF));
    out.setShort(start + 4, 1);
    out.setShort(start + 6, answers);
    out.setShort(start + 8, authority);
    out.setShort(start + 10, query.hasOpt ? 1 : 0);
    metrics.answered(QType.of(query.qtype), rcode);
  }

  private int writeAddresses(ByteBuf out, String name, InetAddress client, boolean ipv6) {
    List<InetAddress> addresses = selector.select(name, client, ipv6);
    if (addresses == null) {
      return 0;
    }
    int written = 0;
    for (InetAddress address : addresses) {
      if (ipv6 ? address instanceof Inet6Address : address instanceof Inet4Address) {
        byte[] data = address.getAddress();
        writeRecord(out, POINTER_TO_QUESTION, ipv6 ? TYPE_AAAA : TYPE_A, data);
        written++;
      }
    }
    return written;
  }

  private void writeRecord(ByteBuf out, int namePointer, int type, byte[] data) {
    out.writeShort(namePointer);
    out.writeShort(type);
    out.writeShort(CLASS_IN);
    out.writeInt(ttl);
    out.writeShort(data.length);
    out.writeBytes(data);
  }

  private static void writeOpt(ByteBuf out, Query query, RCode rcode, int scope) {
    if (!query.hasOpt) {
      return;
    }
    out.writeByte(0);
    out.writeShort(TYPE_OPT);
    out.writeShort(EDNS_PAYLOAD_SIZE);
    out.writeInt(((rcode.code >> 4) << 24) | (query.doBit ? EDNS_DO_BIT : 0));
    ClientSubnet subnet = query.subnet;
    if (subnet == null || rcode == RCode.BADVERS) {
      out.writeShort(0);
    } else {
      out.writeShort(subnet.wireLength());
      subnet.write(out, scope);
    }
  }

  private static void writeHeaderOnly(ByteBuf out, int id, int flags) {
    out.writeShort(id);
    out.writeShort(FLAG_QR | flags);
    out.writeZero(8);
  }

  /** A name in wire form: length-prefixed labels and the root's zero byte. */
  static byte[] wireName(String name) {
    byte[] wire = new byte[name.length() + 2];
    int at = 0;
    for (String label : name.split("\\.")) {
      byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
      wire[at++] = (byte) bytes.length;
      System.arraycopy(bytes, 0, wire, at, bytes.length);
      at += bytes.length;
    }
    wire[at] = 0;
    return wire;
  }

  /** The parts of a query message the answer needs; offsets are from the message start. */
  private static final class Query {
    int id;
    String name;
    int[] labelStarts = new int[128];
    int labels;
    int qtype;
    int qclass;
    int questionEnd;
    boolean hasOpt;
    int payloadSize;
    int ednsVersion;
    boolean doBit;
    ClientSubnet subnet;

    /**
     * Reads a message that has exactly one question; null when it is malformed (FORMERR). Bytes
     * after the counted records are ignored.
     */
    static Query parse(ByteBuf in, int base, int end) {
      Query q = new Query();
      q.id = in.getUnsignedShort(base);
      StringBuilder name = new StringBuilder(64);
      int pos = base + HEADER_LENGTH;
      int wireLength = 1;
      while (true) {
        if (pos >= end) {
          return null;
        }
        int len = in.getUnsignedByte(pos);
        if (len == 0) {
          pos++;
          break;
        }
        // Compression pointers (and the obsolete extended label types) have no place in the
        // only question of a query: nothing before it is a name.
        if (len > 63 || pos + 1 + len > end) {
          return null;
        }
        wireLength += 1 + len;
        if (wireLength > MAX_NAME_WIRE_LENGTH) {
          return null;
        }
        q.labelStarts[q.labels++] = pos - base;
        if (name.length() > 0) {
          name.append('.');
        }
        for (int i = pos + 1; i <= pos + len; i++) {
          name.append(lowerHostChar(in.getUnsignedByte(i)));
        }
        pos += 1 + len;
      }
      if (pos + 4 > end) {
        return null;
      }
      q.name = name.toString();
      q.qtype = in.getUnsignedShort(pos);
      q.qclass = in.getUnsignedShort(pos + 2);
      pos += 4;
      q.questionEnd = pos - base;
      int skipped = in.getUnsignedShort(base + 6) + in.getUnsignedShort(base + 8);
      for (int i = 0; i < skipped; i++) {
        pos = skipName(in, pos, end);
        if (pos < 0 || pos + 10 > end) {
          return null;
        }
        pos += 10 + in.getUnsignedShort(pos + 8);
        if (pos > end) {
          return null;
        }
      }
      int additional = in.getUnsignedShort(base + 10);
      for (int i = 0; i < additional; i++) {
        int nameStart = pos;
        pos = skipName(in, pos, end);
        if (pos < 0 || pos + 10 > end) {
          return null;
        }
        int type = in.getUnsignedShort(pos);
        int dataStart = pos + 10;
        int dataEnd = dataStart + in.getUnsignedShort(pos + 8);
        if (dataEnd > end) {
          return null;
        }
        if (type == TYPE_OPT) {
          // One OPT at most, owned by the root name (RFC 6891 section 6.1.1).
          if (q.hasOpt || pos != nameStart + 1 || in.getByte(nameStart) != 0) {
            return null;
          }
          q.hasOpt = true;
          q.payloadSize = in.getUnsignedShort(pos + 2);
          long ttl = in.getUnsignedInt(pos + 4);
          q.ednsVersion = (int) (ttl >>> 16) & 0xFF;
          q.doBit = (ttl & EDNS_DO_BIT) != 0;
          if (!q.readOptions(in, dataStart, dataEnd)) {
            return null;
          }
        }
        pos = dataEnd;
      }
      return q;
    }

    private boolean readOptions(ByteBuf in, int pos, int end) {
      while (pos < end) {
        if (pos + 4 > end) {
          return false;
        }
        int code = in.getUnsignedShort(pos);
        int length = in.getUnsignedShort(pos + 2);
        pos += 4;
        if (pos + length > end) {
          return false;
        }
        if (code == ClientSubnet.OPTION_CODE) {
          if (subnet != null) {
            return false;
          }
          subnet = ClientSubnet.parse(in, pos, length);
          if (subnet == null) {
            return false;
          }
        }
        pos += length;
      }
      return true;
    }

    /** The end of the name at {@code pos} (labels, then a zero byte or a pointer); -1 if cut. */
    private static int skipName(ByteBuf in, int pos, int end) {
      while (pos < end) {
        int len = in.getUnsignedByte(pos);
        if (len == 0) {
          return pos + 1;
        }
        if ((len & 0xC0) == 0xC0) {
          return pos + 2 <= end ? pos + 2 : -1;
        }
        if (len > 63) {
          return -1;
        }
        pos += 1 + len;
      }
      return -1;
    }

    /**
     * A host-name byte in lower case; any other byte, including a dot inside a label, becomes
     * {@code '?'}, which no configured name contains, so it can never match one.
     */
    private static char lowerHostChar(int b) {
      if (b >= 'A' && b <= 'Z') {
        return (char) (b + 32);
      }
      if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_') {
        return (char) b;
      }
      return '?';
    }
  }
}
