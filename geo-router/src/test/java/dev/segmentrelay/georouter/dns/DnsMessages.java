package dev.segmentrelay.georouter.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side DNS messages: queries built byte by byte (so tests can break them at will) and
 * responses read back with Netty's own response decoder, an implementation independent of ours.
 */
final class DnsMessages {
  private DnsMessages() {}

  /** A query under construction; defaults: id 0x1234, RD set, class IN, no OPT. */
  static final class Query {
    int id = 0x1234;
    int flags = 0x0100;
    int questions = 1;
    String name;
    int type;
    int qclass = 1;
    Integer payload;
    int ednsTtl;
    final List<byte[]> options = new ArrayList<>();
    final List<byte[]> extraAdditional = new ArrayList<>();

    Query(String name, int type) {
      this.name = name;
      this.type = type;
    }

    Query noRecursion() {
      flags &= ~0x0100;
      return this;
    }

    Query edns(int payloadSize) {
      payload = payloadSize;
      return this;
    }

    Query option(byte[] option) {
      if (payload == null) {
        payload = 4096;
      }
      options.add(option);
      return this;
    }

    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int additional = (payload == null ? 0 : 1) + extraAdditional.size();
      short16(out, id);
      short16(out, flags);
      short16(out, questions);
      short16(out, 0);
      short16(out, 0);
      short16(out, additional);
      for (int i = 0; i < questions; i++) {
        out.writeBytes(wireName(name));
        short16(out, type);
        short16(out, qclass);
      }
      if (payload != null) {
        out.write(0);
        short16(out, 41);
        short16(out, payload);
        short16(out, ednsTtl >>> 16);
        short16(out, ednsTtl & 0xFFFF);
        int length = options.stream().mapToInt(o -> o.length).sum();
        short16(out, length);
        options.forEach(out::writeBytes);
      }
      extraAdditional.forEach(out::writeBytes);
      return out.toByteArray();
    }
  }

  /** An ECS option (code 8) with the given fields, address bytes as given (not truncated). */
  static byte[] ecs(int family, int source, int scope, int... address) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    short16(out, 8);
    short16(out, 4 + address.length);
    short16(out, family);
    out.write(source);
    out.write(scope);
    for (int b : address) {
      out.write(b);
    }
    return out.toByteArray();
  }

  static byte[] wireName(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!name.isEmpty() && !name.equals(".")) {
      for (String label : name.split("\\.")) {
        byte[] bytes = label.getBytes(StandardCharsets.ISO_8859_1);
        out.write(bytes.length);
        out.writeBytes(bytes);
      }
    }
    out.write(0);
    return out.toByteArray();
  }

  static void short16(ByteArrayOutputStream out, int value) {
    out.write(value >>> 8);
    out.write(value);
  }

  /** Decodes a response with Netty's decoder; the buffer is released. */
  static DnsResponse decode(ByteBuf bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new DatagramDnsResponseDecoder());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 53);
    channel.writeInbound(new DatagramPacket(bytes, any, any));
    DnsResponse response = channel.readInbound();
    channel.finishAndReleaseAll();
    return response;
  }

  /** The record data of each record of {@code section}. */
  static List<byte[]> data(DnsResponse response, DnsSection section) {
    List<byte[]> all = new ArrayList<>();
    for (int i = 0; i < response.count(section); i++) {
      DnsRecord record = response.recordAt(section, i);
      all.add(ByteBufUtil.getBytes(((DnsRawRecord) record).content()));
    }
    return all;
  }

  /** The OPT record of a response, or null. */
  static DnsRawRecord opt(DnsResponse response) {
    for (int i = 0; i < response.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord record = response.recordAt(DnsSection.ADDITIONAL, i);
      if (record.type() == DnsRecordType.OPT) {
        return (DnsRawRecord) record;
      }
    }
    return null;
  }

  static ByteBuf buffer(byte[] bytes) {
    return Unpooled.wrappedBuffer(bytes);
  }
}
