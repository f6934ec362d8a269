package dev.segmentrelay.georouter.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real server on loopback, asked by the real {@code dig} (Debian {@code bind9-dnsutils}), with
 * a fake selector that maps the documentation subnets to fixed edges and records which client
 * address it saw.
 */
class DnsServerIT {
  private static final String NAME = "live.relay.test";
  private static final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private static DnsServer server;

  @BeforeAll
  static void start() {
    DnsTargetSelector selector =
        (name, client, ipv6) -> {
          String viewer = client.getHostAddress();
          seen.add(viewer);
          String edge;
          if (viewer.startsWith("198.51.100.")) {
            edge = ipv6 ? "2001:db8:5::100" : "192.0.2.100";
          } else if (viewer.startsWith("2001:db8:0:")) {
            edge = ipv6 ? "2001:db8:5::48" : "192.0.2.48";
          } else {
            edge = ipv6 ? "2001:db8:5::1" : "192.0.2.1";
          }
          return List.of(DnsResponderTest.address(edge));
        };
    server =
        DnsServer.start(
            DnsSettings.of(
                "127.0.0.1",
                0,
                List.of(NAME),
                Duration.ofSeconds(45),
                "ns1.relay.test",
                "hostmaster.relay.test"),
            selector,
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void clear() {
    seen.clear();
  }

  @Test
  void answersAAuthoritativelyWithTheTtl() {
    String out = dig(NAME, "A");
    assertThat(out).contains("status: NOERROR").containsPattern("flags: qr aa rd;");
    assertThat(out).containsPattern(NAME + "\\.\\s+45\\s+IN\\s+A\\s+192\\.0\\.2\\.1");
    assertThat(seen).containsExactly("127.0.0.1");
  }

  @Test
  void answersAaaa() {
    assertThat(dig(NAME, "AAAA", "+short").strip()).isEqualTo("2001:db8:5::1");
  }

  @Test
  void answersSoaAndNs() {
    assertThat(dig(NAME, "SOA", "+short"))
        .startsWith("ns1.relay.test. hostmaster.relay.test. ")
        .contains(" 3600 600 86400 45");
    assertThat(dig(NAME, "NS", "+short").strip()).isEqualTo("ns1.relay.test.");
  }

  @Test
  void nameBelowOursIsNxdomainWithTheSoa() {
    String out = dig("nothing." + NAME, "A");
    assertThat(out).contains("status: NXDOMAIN").contains("AUTHORITY: 1");
    assertThat(out).containsPattern(NAME + "\\.\\s+45\\s+IN\\s+SOA\\s+ns1\\.relay\\.test\\.");
  }

  @Test
  void foreignNameWithRecursionIsRefused() {
    assertThat(dig("www.example.com", "A", "+recurse")).contains("status: REFUSED");
    assertThat(seen).isEmpty();
  }

  @Test
  void ipv4ClientSubnetReachesTheSelectorAndIsEchoedWithAScope() {
    String out = dig(NAME, "A", "+subnet=198.51.100.77/24");
    assertThat(seen).containsExactly("198.51.100.0");
    assertThat(out).contains("CLIENT-SUBNET: 198.51.100.0/24/24");
    assertThat(out).containsPattern("IN\\s+A\\s+192\\.0\\.2\\.100");
  }

  @Test
  void ipv6ClientSubnetReachesTheSelectorAndIsEchoedWithAScope() {
    String out = dig(NAME, "AAAA", "+subnet=2001:db8::/48");
    assertThat(seen).containsExactly("2001:db8:0:0:0:0:0:0");
    assertThat(out).contains("CLIENT-SUBNET: 2001:db8::/48/48");
    assertThat(out).containsPattern("IN\\s+AAAA\\s+2001:db8:5::48");
  }

  @Test
  void answersOverTcp() {
    String out = dig(NAME, "A", "+tcp", "+subnet=198.51.100.0/24");
    assertThat(out).contains("status: NOERROR").contains("(TCP)");
    assertThat(out).containsPattern("IN\\s+A\\s+192\\.0\\.2\\.100");
  }

  @Test
  void keepsAnsweringAfterGarbagePackets() throws IOException {
    Random random = new Random(1);
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 200; i++) {
        byte[] junk = new byte[random.nextInt(600)];
        random.nextBytes(junk);
        socket.send(
            new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), server.port()));
      }
      // A header-only query with two questions: answered FORMERR.
      byte[] twoQuestions = {0x11, 0x22, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0};
      socket.send(
          new DatagramPacket(
              twoQuestions, twoQuestions.length, InetAddress.getLoopbackAddress(), server.port()));
      socket.setSoTimeout(5000);
      DatagramPacket reply = new DatagramPacket(new byte[512], 512);
      do {
        socket.receive(reply);
      } while (reply.getData()[0] != 0x11 || reply.getData()[1] != 0x22);
      assertThat(reply.getData()[3] & 0x0F).as("FORMERR").isEqualTo(1);
    }
    assertThat(dig(NAME, "A", "+short").strip()).isEqualTo("192.0.2.1");
  }

  private static String dig(String name, String type, String... options) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "dig",
            "@127.0.0.1",
            "-p",
            String.valueOf(server.port()),
            "+time=3",
            "+tries=1",
            name,
            type));
    command.addAll(List.of(options));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("dig did not finish: " + command);
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as("dig exit code, output:%n%s", out).isZero();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run dig (apt-get install bind9-dnsutils)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
