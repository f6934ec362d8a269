package dev.segmentrelay.georouter.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.georouter.dns.DnsMessages.Query;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random, truncated and mutated messages: the responder never throws, never answers a response, and
 * every answer has a well-formed header that echoes the id and fits the UDP limit.
 */
class DnsFuzzTest {
  private static final int ROUNDS = 20_000;

  private final DnsResponder responder =
      new DnsResponder(
          DnsSettings.of(
              "127.0.0.1",
              0,
              List.of("live.example.com"),
              Duration.ofSeconds(20),
              "ns1.example.com",
              "hostmaster.example.com"),
          (name, client, ipv6) -> List.of(ipv6 ? DnsResponderTest.address("2001:db8::1") : client),
          new DnsMetrics(new SimpleMeterRegistry()),
          1);

  @Test
  void randomBytesNeverBreakTheResponder() {
    Random random = new Random(42);
    for (int i = 0; i < ROUNDS; i++) {
      byte[] message = new byte[random.nextInt(64)];
      random.nextBytes(message);
      if (message.length > 2 && random.nextBoolean()) {
        message[2] &= 0x07; // a query with opcode 0, so parsing goes deeper
      }
      check(message);
    }
  }

  @Test
  void truncatedAndMutatedQueriesNeverBreakTheResponder() {
    Random random = new Random(7);
    byte[][] seeds = {
      new Query("live.example.com", 1).bytes(),
      new Query("a.live.example.com", 28)
          .option(DnsMessages.ecs(2, 48, 0, 0x20, 1, 0xd, 0xb8, 0, 1))
          .bytes(),
      new Query("live.example.com", 255).option(DnsMessages.ecs(1, 24, 0, 198, 51, 100)).bytes(),
      new Query("example.org", 6).edns(1232).bytes(),
    };
    for (int i = 0; i < ROUNDS; i++) {
      byte[] seed = seeds[random.nextInt(seeds.length)];
      byte[] message = Arrays.copyOf(seed, random.nextInt(seed.length + 1));
      int flips = random.nextInt(4);
      for (int f = 0; f < flips && message.length > 12; f++) {
        message[12 + random.nextInt(message.length - 12)] = (byte) random.nextInt(256);
      }
      if (message.length > 11 && random.nextInt(4) == 0) {
        message[5 + 2 * random.nextInt(4)] = (byte) random.nextInt(4); // counts
      }
      check(message);
    }
  }

  /**
   * Walks the response: counted question and records, names of labels ending in the root or a
   * pointer to an earlier offset, record data inside the message, nothing after the last record.
   * (Netty's decoder cannot be the judge here: it rejects the binary labels we echo verbatim.)
   */
  private static void assertWellFormed(ByteBuf out) {
    int end = out.readableBytes();
    int pos = 12;
    int questions = out.getUnsignedShort(4);
    int records = out.getUnsignedShort(6) + out.getUnsignedShort(8) + out.getUnsignedShort(10);
    assertThat(questions).isLessThanOrEqualTo(1);
    for (int i = 0; i < questions + records; i++) {
      while (true) {
        assertThat(pos).isLessThan(end);
        int len = out.getUnsignedByte(pos);
        if (len == 0) {
          pos++;
          break;
        }
        if ((len & 0xC0) == 0xC0) {
          assertThat(out.getUnsignedShort(pos) & 0x3FFF).as("pointer backwards").isLessThan(pos);
          pos += 2;
          break;
        }
        assertThat(len).isLessThanOrEqualTo(63);
        pos += 1 + len;
      }
      if (i < questions) {
        pos += 4;
      } else {
        assertThat(pos + 10).isLessThanOrEqualTo(end);
        pos += 10 + out.getUnsignedShort(pos + 8);
      }
      assertThat(pos).isLessThanOrEqualTo(end);
    }
    assertThat(pos).as("no bytes after the last record").isEqualTo(end);
  }

  private void check(byte[] message) {
    ByteBuf out = Unpooled.buffer();
    try {
      boolean answered =
          responder.respond(
              Unpooled.wrappedBuffer(message), InetAddress.getLoopbackAddress(), true, out);
      if (!answered) {
        assertThat(out.readableBytes()).isZero();
        assertThat(message.length < 12 || (message[2] & 0x80) != 0)
            .as("only runts and responses are dropped: %s", Arrays.toString(message))
            .isTrue();
        return;
      }
      assertThat(out.readableBytes()).isBetween(12, 1232);
      assertThat(out.getUnsignedShort(0)).isEqualTo(((message[0] & 0xFF) << 8) | message[1] & 0xFF);
      assertThat(out.getByte(2) & 0x80).as("QR").isNotZero();
      assertWellFormed(out);
    } finally {
      out.release();
    }
  }
}
