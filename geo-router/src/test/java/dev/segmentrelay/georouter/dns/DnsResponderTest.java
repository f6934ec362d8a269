package dev.segmentrelay.georouter.dns;

import static dev.segmentrelay.georouter.dns.DnsMessages.decode;
import static dev.segmentrelay.georouter.dns.DnsMessages.ecs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.georouter.dns.DnsMessages.Query;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DnsResponderTest {
  private static final InetAddress SOURCE = address("127.0.0.9");
  private static final InetAddress EDGE_V4 = address("192.0.2.10");
  private static final InetAddress EDGE_V6 = address("2001:db8::10");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> calls = new ArrayList<>();
  private List<InetAddress> v4 = List.of(EDGE_V4);
  private List<InetAddress> v6 = List.of(EDGE_V6);
  private RuntimeException failure;
  private final DnsTargetSelector selector =
      (name, client, ipv6) -> {
        calls.add(name + " " + client.getHostAddress() + (ipv6 ? " v6" : " v4"));
        if (failure != null) {
          throw failure;
        }
        return ipv6 ? v6 : v4;
      };
  private final DnsResponder responder =
      new DnsResponder(
          DnsSettings.of(
              "127.0.0.1",
              0,
              List.of("live.example.com", "cdn.example.net."),
              Duration.ofSeconds(20),
              "ns1.example.com",
              "hostmaster@example.com"),
          selector,
          new DnsMetrics(registry),
          1_700_000_000L);
  private final List<ByteBuf> outputs = new ArrayList<>();

  @AfterEach
  void release() {
    outputs.forEach(ByteBuf::release);
  }

  /** The raw response bytes, or null when dropped. */
  private ByteBuf raw(byte[] query, boolean udp) {
    ByteBuf out = Unpooled.buffer();
    outputs.add(out);
    ByteBuf in = Unpooled.wrappedBuffer(query);
    int before = in.readerIndex();
    boolean answered = responder.respond(in, SOURCE, udp, out);
    assertThat(in.readerIndex()).as("query left unread").isEqualTo(before);
    return answered ? out : null;
  }

  private DnsResponse ask(Query query) {
    return ask(query.bytes(), true);
  }

  private DnsResponse ask(byte[] query, boolean udp) {
    ByteBuf out = raw(query, udp);
    assertThat(out).as("answered").isNotNull();
    return decode(out.retainedDuplicate());
  }

  @Test
  void answersTheSelectedIpv4EdgeAuthoritativelyWithTheConfiguredTtl() {
    DnsResponse response = ask(new Query("live.example.com", 1));
    assertThat(response.code()).isEqualTo(DnsResponseCode.NOERROR);
    assertThat(response.id()).isEqualTo(0x1234);
    assertThat(response.isAuthoritativeAnswer()).isTrue();
    assertThat(response.isRecursionDesired()).as("RD copied").isTrue();
    assertThat(response.isRecursionAvailable()).isFalse();
    assertThat(response.count(DnsSection.ANSWER)).isEqualTo(1);
    DnsRecord answer = response.recordAt(DnsSection.ANSWER, 0);
    assertThat(answer.name()).isEqualTo("live.example.com.");
    assertThat(answer.type()).isEqualTo(DnsRecordType.A);
    assertThat(answer.timeToLive()).isEqualTo(20);
    assertThat(DnsMessages.data(response, DnsSection.ANSWER)).containsExactly(EDGE_V4.getAddress());
    assertThat(calls).containsExactly("live.example.com 127.0.0.9 v4");
    assertThat(DnsMessages.opt(response)).as("no OPT without one in the query").isNull();
  }

  @Test
  void answersAaaaAndIgnoresAddressesOfTheOtherFamily() {
    v6 = List.of(EDGE_V4, EDGE_V6);
    DnsResponse response = ask(new Query("live.example.com", 28));
    assertThat(response.recordAt(DnsSection.ANSWER, 0).type()).isEqualTo(DnsRecordType.AAAA);
    assertThat(DnsMessages.data(response, DnsSection.ANSWER)).containsExactly(EDGE_V6.getAddress());
    assertThat(calls).containsExactly("live.example.com 127.0.0.9 v6");
  }

  @Test
  void matchesNamesCaseInsensitivelyAndEchoesTheQuestionAsSent() {
    byte[] query = new Query("LiVe.ExAmple.COM", 1).bytes();
    ByteBuf out = raw(query, true);
    int questionLength = DnsMessages.wireName("LiVe.ExAmple.COM").length + 4;
    assertThat(ByteBufUtil.getBytes(out, 12, questionLength))
        .isEqualTo(Arrays.copyOfRange(query, 12, 12 + questionLength));
    DnsResponse response = decode(out.retainedDuplicate());
    assertThat(response.count(DnsSection.ANSWER)).isEqualTo(1);
    assertThat(calls).containsExactly("live.example.com 127.0.0.9 v4");
  }

  @Test
  void normalisedTrailingDotNameIsServed() {
    DnsResponse response = ask(new Query("cdn.example.net", 1));
    assertThat(response.count(DnsSection.ANSWER)).isEqualTo(1);
    assertThat(calls).containsExactly("cdn.example.net 127.0.0.9 v4");
  }

  @Test
  void answersSoaWithPrimaryNsHostmasterAndTtlAsMinimum() {
    DnsResponse response = ask(new Query("live.example.com", 6));
    assertThat(response.isAuthoritativeAnswer()).isTrue();
    assertThat(response.recordAt(DnsSection.ANSWER, 0).type()).isEqualTo(DnsRecordType.SOA);
    byte[] soa = DnsMessages.data(response, DnsSection.ANSWER).get(0);
    byte[] mname = DnsMessages.wireName("ns1.example.com");
    byte[] rname = DnsMessages.wireName("hostmaster.example.com");
    assertThat(Arrays.copyOfRange(soa, 0, mname.length)).isEqualTo(mname);
    assertThat(Arrays.copyOfRange(soa, mname.length, mname.length + rname.length)).isEqualTo(rname);
    ByteBuf numbers = Unpooled.wrappedBuffer(soa, mname.length + rname.length, 20);
    assertThat(numbers.readUnsignedInt()).as("serial").isEqualTo(1_700_000_000L);
    numbers.skipBytes(12);
    assertThat(numbers.readUnsignedInt()).as("minimum").isEqualTo(20);
    assertThat(calls).isEmpty();
  }

  @Test
  void answersNsWithThePrimaryNameServer() {
    DnsResponse response = ask(new Query("live.example.com", 2));
    assertThat(response.recordAt(DnsSection.ANSWER, 0).type()).isEqualTo(DnsRecordType.NS);
    assertThat(DnsMessages.data(response, DnsSection.ANSWER))
        .containsExactly(DnsMessages.wireName("ns1.example.com"));
  }

  @Test
  void answersAnyWithBothAddressFamilies() {
    DnsResponse response = ask(new Query("live.example.com", 255));
    assertThat(response.count(DnsSection.ANSWER)).isEqualTo(2);
    assertThat(DnsMessages.data(response, DnsSection.ANSWER))
        .containsExactly(EDGE_V4.getAddress(), EDGE_V6.getAddress());
  }

  @Test
  void noAddressOfTheFamilyIsNodataWithTheSoa() {
    v6 = List.of();
    DnsResponse response = ask(new Query("live.example.com", 28));
    assertNodata(response);
  }

  @Test
  void otherTypesOfAConfiguredNameAreNodata() {
    assertNodata(ask(new Query("live.example.com", 16)));
    assertThat(calls).isEmpty();
  }

  private static void assertNodata(DnsResponse response) {
    assertThat(response.code()).isEqualTo(DnsResponseCode.NOERROR);
    assertThat(response.isAuthoritativeAnswer()).isTrue();
    assertThat(response.count(DnsSection.ANSWER)).isZero();
    assertThat(response.count(DnsSection.AUTHORITY)).isEqualTo(1);
    DnsRecord soa = response.recordAt(DnsSection.AUTHORITY, 0);
    assertThat(soa.type()).isEqualTo(DnsRecordType.SOA);
    assertThat(soa.name()).isEqualTo("live.example.com.");
    assertThat(soa.timeToLive()).isEqualTo(20);
  }

  @Test
  void namesBelowAConfiguredNameAreNxdomainWithTheZoneSoa() {
    DnsResponse response = ask(new Query("a.b.Live.example.com", 1));
    assertThat(response.code()).isEqualTo(DnsResponseCode.NXDOMAIN);
    assertThat(response.isAuthoritativeAnswer()).isTrue();
    DnsRecord soa = response.recordAt(DnsSection.AUTHORITY, 0);
    assertThat(soa.type()).isEqualTo(DnsRecordType.SOA);
    assertThat(soa.name()).isEqualTo("Live.example.com.");
    assertThat(calls).isEmpty();
  }

  @Test
  void foreignNamesAreRefusedWithOrWithoutRecursion() {
    for (Query query :
        List.of(
            new Query("example.com", 1),
            new Query("com", 1),
            new Query("xlive.example.com", 1),
            new Query("", 2),
            new Query("other.org", 1).noRecursion())) {
      DnsResponse response = ask(query);
      assertThat(response.code()).as(query.name).isEqualTo(DnsResponseCode.REFUSED);
      assertThat(response.isAuthoritativeAnswer()).isFalse();
      assertThat(response.isRecursionAvailable()).isFalse();
      assertThat(response.count(DnsSection.ANSWER)).isZero();
    }
    assertThat(calls).isEmpty();
  }

  @Test
  void aDotInsideALabelNeverMatchesAConfiguredName() {
    // One label "live.example.com" is not the three-label name.
    byte[] label = "live.example.com".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] query = new Query("x", 1).bytes();
    byte[] forged = new byte[12 + 1 + label.length + 1 + 4];
    System.arraycopy(query, 0, forged, 0, 12);
    forged[12] = (byte) label.length;
    System.arraycopy(label, 0, forged, 13, label.length);
    forged[forged.length - 3] = 1;
    forged[forged.length - 1] = 1;
    assertThat(ask(forged, true).code()).isEqualTo(DnsResponseCode.REFUSED);
  }

  @Test
  void classesOtherThanInAreRefused() {
    Query chaos = new Query("live.example.com", 16);
    chaos.qclass = 3;
    assertThat(ask(chaos).code()).isEqualTo(DnsResponseCode.REFUSED);
  }

  @Test
  void zoneTransfersAreRefused() {
    assertThat(ask(new Query("live.example.com", 252)).code()).isEqualTo(DnsResponseCode.REFUSED);
  }

  @Test
  void ecsIpv4SubnetIsTheViewerAndIsEchoedWithItsSourcePrefixAsScope() {
    DnsResponse response =
        ask(new Query("live.example.com", 1).option(ecs(1, 24, 0, 198, 51, 100)));
    assertThat(calls).containsExactly("live.example.com 198.51.100.0 v4");
    assertThat(echoedEcs(response)).containsExactly(0, 1, 24, 24, 198, 51, 100);
  }

  @Test
  void ecsIpv6SubnetIsTheViewerAndIsEchoed() {
    DnsResponse response =
        ask(new Query("live.example.com", 28).option(ecs(2, 48, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 7)));
    assertThat(calls).containsExactly("live.example.com 2001:db8:7:0:0:0:0:0 v6");
    assertThat(echoedEcs(response)).containsExactly(0, 2, 48, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 7);
  }

  @Test
  void ecsBitsBeyondTheSourcePrefixAreMaskedOff() {
    ask(new Query("live.example.com", 1).option(ecs(1, 20, 0, 198, 51, 0xff)));
    assertThat(calls).containsExactly("live.example.com 198.51.240.0 v4");
  }

  @Test
  void ecsWithZeroSourcePrefixLeavesTheSourceAddressAsViewer() {
    DnsResponse response = ask(new Query("live.example.com", 1).option(ecs(1, 0, 0)));
    assertThat(calls).containsExactly("live.example.com 127.0.0.9 v4");
    assertThat(echoedEcs(response)).containsExactly(0, 1, 0, 0);
  }

  @Test
  void ecsScopeIsZeroWhereTheAnswerDoesNotDependOnTheClient() {
    assertThat(echoedEcs(ask(new Query("live.example.com", 6).option(ecs(1, 24, 0, 1, 2, 3)))))
        .containsExactly(0, 1, 24, 0, 1, 2, 3);
    assertThat(echoedEcs(ask(new Query("x.live.example.com", 1).option(ecs(1, 24, 0, 1, 2, 3)))))
        .containsExactly(0, 1, 24, 0, 1, 2, 3);
  }

  @Test
  void ecsAgreesWithNettysOwnEncoder() {
    io.netty.channel.embedded.EmbeddedChannel encoder =
        new io.netty.channel.embedded.EmbeddedChannel(
            new io.netty.handler.codec.dns.DatagramDnsQueryEncoder());
    java.net.InetSocketAddress any = new java.net.InetSocketAddress("127.0.0.1", 53);
    io.netty.handler.codec.dns.DatagramDnsQuery query =
        new io.netty.handler.codec.dns.DatagramDnsQuery(any, any, 7);
    query.setRecord(
        DnsSection.QUESTION,
        new io.netty.handler.codec.dns.DefaultDnsQuestion("live.example.com.", DnsRecordType.A));
    query.addRecord(
        DnsSection.ADDITIONAL,
        new io.netty.handler.codec.dns.DefaultDnsOptEcsRecord(
            1232, 56, address("2001:db8:aa:bb::1").getAddress()));
    encoder.writeOutbound(query);
    io.netty.channel.socket.DatagramPacket packet = encoder.readOutbound();
    byte[] bytes = ByteBufUtil.getBytes(packet.content());
    packet.release();
    encoder.finishAndReleaseAll();
    DnsResponse response = ask(bytes, true);
    assertThat(response.code()).isEqualTo(DnsResponseCode.NOERROR);
    assertThat(calls).containsExactly("live.example.com 2001:db8:aa:0:0:0:0:0 v4");
  }

  @Test
  void malformedEcsOptionsAreFormerr() {
    List<byte[]> bad =
        List.of(
            ecs(3, 8, 0, 1),
            ecs(1, 33, 0, 1, 2, 3, 4, 5),
            ecs(1, 24, 0, 1, 2),
            ecs(1, 24, 0, 1, 2, 3, 4),
            ecs(1, 24, 8, 1, 2, 3),
            ecs(2, 129, 0, new int[17]),
            new byte[] {0, 8, 0, 2, 0, 1});
    for (byte[] option : bad) {
      DnsResponse response = ask(new Query("live.example.com", 1).option(option));
      assertThat(response.code()).as(Arrays.toString(option)).isEqualTo(DnsResponseCode.FORMERR);
      assertThat(response.id()).isEqualTo(0x1234);
    }
    Query twice =
        new Query("live.example.com", 1)
            .option(ecs(1, 24, 0, 1, 2, 3))
            .option(ecs(1, 24, 0, 1, 2, 3));
    assertThat(ask(twice).code()).isEqualTo(DnsResponseCode.FORMERR);
    assertThat(calls).isEmpty();
  }

  @Test
  void optionLengthPastTheOptDataIsFormerr() {
    Query query = new Query("live.example.com", 1).option(new byte[] {0, 10, 0, 9, 1, 2});
    assertThat(ask(query).code()).isEqualTo(DnsResponseCode.FORMERR);
  }

  @Test
  void unknownOptionsAreIgnored() {
    Query query = new Query("live.example.com", 1).option(new byte[] {0, 10, 0, 2, 1, 2});
    assertThat(ask(query).code()).isEqualTo(DnsResponseCode.NOERROR);
  }

  @Test
  void optIsEchoedWithOurPayloadSizeAndTheDoBit() {
    Query query = new Query("live.example.com", 1).edns(4096);
    query.ednsTtl = 0x8000;
    DnsRawRecord opt = DnsMessages.opt(ask(query));
    assertThat(opt).isNotNull();
    assertThat(opt.dnsClass()).isEqualTo(1232);
    assertThat(opt.timeToLive()).isEqualTo(0x8000);
  }

  @Test
  void ednsVersionOtherThanZeroIsBadvers() {
    Query query = new Query("live.example.com", 1).edns(1232);
    query.ednsTtl = 1 << 16;
    DnsResponse response = ask(query);
    assertThat(response.code().intValue()).as("low 4 bits in the header").isZero();
    assertThat(DnsMessages.opt(response).timeToLive() >>> 24).as("extended rcode 16").isEqualTo(1);
    assertThat(response.count(DnsSection.ANSWER)).isZero();
    assertThat(counter("OTHER", "BADVERS") + counter("A", "BADVERS")).isEqualTo(1);
  }

  @Test
  void twoOptRecordsAreFormerr() {
    Query query = new Query("live.example.com", 1).edns(1232);
    query.extraAdditional.add(new byte[] {0, 0, 41, 4, (byte) 0xd0, 0, 0, 0, 0, 0, 0});
    assertThat(ask(query).code()).isEqualTo(DnsResponseCode.FORMERR);
  }

  @Test
  void optWithANonRootOwnerIsFormerr() {
    Query query = new Query("live.example.com", 1);
    query.extraAdditional.add(new byte[] {1, 'x', 0, 0, 41, 4, (byte) 0xd0, 0, 0, 0, 0, 0, 0});
    assertThat(ask(query).code()).isEqualTo(DnsResponseCode.FORMERR);
  }

  @Test
  void questionCountOtherThanOneIsFormerrWithTheIdEchoed() {
    for (int count : new int[] {0, 2}) {
      Query query = new Query("live.example.com", 1);
      query.questions = count;
      query.id = 0xBEEF;
      DnsResponse response = ask(query);
      assertThat(response.code()).isEqualTo(DnsResponseCode.FORMERR);
      assertThat(response.id()).isEqualTo(0xBEEF);
    }
    assertThat(counter("NONE", "FORMERR")).isEqualTo(2);
  }

  @Test
  void opcodesOtherThanQueryAreNotimp() {
    for (int opcode : new int[] {1, 2, 4, 5}) {
      Query query = new Query("live.example.com", 1);
      query.flags |= opcode << 11;
      DnsResponse response = ask(query);
      assertThat(response.code()).isEqualTo(DnsResponseCode.NOTIMP);
      assertThat(response.opCode().byteValue()).isEqualTo((byte) opcode);
    }
    assertThat(counter("NONE", "NOTIMP")).isEqualTo(4);
  }

  @Test
  void responsesAndRuntMessagesAreDroppedAndCounted() {
    Query response = new Query("live.example.com", 1);
    response.flags |= 0x8000;
    assertThat(raw(response.bytes(), true)).isNull();
    assertThat(raw(new byte[11], true)).isNull();
    assertThat(raw(new byte[0], false)).isNull();
    assertThat(registry.get("relay_router_dns_dropped").tag("reason", "response").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("relay_router_dns_dropped").tag("reason", "short").counter().count())
        .isEqualTo(2);
  }

  @Test
  void compressionPointersAndOverlongNamesInTheQuestionAreFormerr() {
    byte[] pointer = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
    assertThat(ask(pointer, true).code()).isEqualTo(DnsResponseCode.FORMERR);
    String longName = String.join(".", java.util.Collections.nCopies(64, "abc"));
    assertThat(ask(new Query(longName, 1)).code()).isEqualTo(DnsResponseCode.FORMERR);
    byte[] cut = Arrays.copyOf(new Query("live.example.com", 1).bytes(), 20);
    assertThat(ask(cut, true).code()).isEqualTo(DnsResponseCode.FORMERR);
  }

  @Test
  void udpAnswersTooLargeForTheClientAreTruncatedWithTc() {
    v4 = manyV4(40);
    DnsResponse plain = ask(new Query("live.example.com", 1));
    assertThat(plain.isTruncated()).as("40 A records exceed 512 bytes").isTrue();
    assertThat(plain.count(DnsSection.ANSWER)).isZero();
    assertThat(plain.count(DnsSection.QUESTION)).isEqualTo(1);

    DnsResponse edns = ask(new Query("live.example.com", 1).edns(4096));
    assertThat(edns.isTruncated()).as("fits 1232 bytes").isFalse();
    assertThat(edns.count(DnsSection.ANSWER)).isEqualTo(40);

    v4 = manyV4(100);
    ByteBuf out = raw(new Query("live.example.com", 1).edns(4096).bytes(), true);
    assertThat(out.readableBytes()).isLessThanOrEqualTo(1232);
    DnsResponse cut = decode(out.retainedDuplicate());
    assertThat(cut.isTruncated()).isTrue();
    assertThat(DnsMessages.opt(cut)).as("OPT kept").isNotNull();

    DnsResponse small = ask(new Query("live.example.com", 1).edns(100));
    assertThat(small.isTruncated()).as("payload below 512 counts as 512").isTrue();
  }

  @Test
  void tcpAnswersAreNotTruncated() {
    v4 = manyV4(100);
    DnsResponse response = ask(new Query("live.example.com", 1).bytes(), false);
    assertThat(response.isTruncated()).isFalse();
    assertThat(response.count(DnsSection.ANSWER)).isEqualTo(100);
  }

  @Test
  void aFailingSelectorIsServfail() {
    failure = new IllegalStateException("snapshot missing");
    DnsResponse response = ask(new Query("live.example.com", 1).option(ecs(1, 24, 0, 1, 2, 3)));
    assertThat(response.code()).isEqualTo(DnsResponseCode.SERVFAIL);
    assertThat(response.count(DnsSection.ANSWER)).isZero();
    assertThat(counter("A", "SERVFAIL")).isEqualTo(1);
  }

  @Test
  void countsAnswersByQtypeAndRcode() {
    ask(new Query("live.example.com", 1));
    ask(new Query("live.example.com", 1));
    ask(new Query("live.example.com", 28));
    ask(new Query("nope.live.example.com", 99));
    ask(new Query("example.org", 1));
    assertThat(counter("A", "NOERROR")).isEqualTo(2);
    assertThat(counter("AAAA", "NOERROR")).isEqualTo(1);
    assertThat(counter("OTHER", "NXDOMAIN")).isEqualTo(1);
    assertThat(counter("A", "REFUSED")).isEqualTo(1);
  }

  private double counter(String qtype, String rcode) {
    var counter =
        registry.find("relay_router_dns_queries").tag("qtype", qtype).tag("rcode", rcode).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The ECS option data echoed in the response's OPT, as unsigned bytes after family. */
  private static List<Integer> echoedEcs(DnsResponse response) {
    DnsRawRecord opt = DnsMessages.opt(response);
    assertThat(opt).as("OPT echoed").isNotNull();
    ByteBuf data = opt.content().duplicate();
    assertThat(data.readUnsignedShort()).as("option code").isEqualTo(8);
    int length = data.readUnsignedShort();
    assertThat(data.readableBytes()).isEqualTo(length);
    List<Integer> bytes = new ArrayList<>();
    while (data.isReadable()) {
      bytes.add(data.readUnsignedByte() & 0xFF);
    }
    return bytes;
  }

  private static List<InetAddress> manyV4(int count) {
    List<InetAddress> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(address("192.0.2." + (i + 1)));
    }
    return all;
  }

  static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
