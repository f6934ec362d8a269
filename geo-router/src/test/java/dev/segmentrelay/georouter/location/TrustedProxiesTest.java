package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private final TrustedProxies proxies =
      TrustedProxies.parse(List.of("127.0.0.0/8", "10.0.0.0/8", "::1", "fd00::/8"));

  @Test
  void untrustedPeerIsTheClientAndItsForwardedForIsIgnored() {
    assertThat(proxies.clientAddress(ip("198.51.100.7"), List.of("192.0.2.1")))
        .isEqualTo(ip("198.51.100.7"));
    assertThat(proxies.clientAddress("198.51.100.7", List.of("192.0.2.1")))
        .isEqualTo(ip("198.51.100.7"));
    assertThat(TrustedProxies.none().clientAddress("127.0.0.1", List.of("192.0.2.1")))
        .isEqualTo(ip("127.0.0.1"));
  }

  @Test
  void trustedPeerWithoutHeaderIsTheClient() {
    assertThat(proxies.clientAddress("127.0.0.1", List.of())).isEqualTo(ip("127.0.0.1"));
  }

  @Test
  void trustedPeerForwardsTheRightmostUntrustedAddress() {
    assertThat(proxies.clientAddress("127.0.0.1", List.of("192.0.2.1"))).isEqualTo(ip("192.0.2.1"));
    // the viewer wrote a fake first entry; the nearest proxy appended the real one
    assertThat(proxies.clientAddress("127.0.0.1", List.of("203.0.113.66, 192.0.2.1")))
        .isEqualTo(ip("192.0.2.1"));
  }

  @Test
  void chainsOfTrustedProxiesAreSkipped() {
    assertThat(proxies.clientAddress("127.0.0.1", List.of("203.0.113.66, 192.0.2.1, 10.0.0.5")))
        .isEqualTo(ip("192.0.2.1"));
    // several headers are one list, in order
    assertThat(
            proxies.clientAddress(ip("10.0.0.9"), List.of("203.0.113.66, 192.0.2.1", "10.1.1.1")))
        .isEqualTo(ip("192.0.2.1"));
    // only proxies: the leftmost one is the client
    assertThat(proxies.clientAddress("127.0.0.1", List.of("10.0.0.1, 10.0.0.2")))
        .isEqualTo(ip("10.0.0.1"));
  }

  @Test
  void malformedEntryStopsTheWalkAtTheLastGoodAddress() {
    assertThat(proxies.clientAddress("127.0.0.1", List.of("192.0.2.1, unknown, 10.0.0.5")))
        .isEqualTo(ip("10.0.0.5"));
    assertThat(proxies.clientAddress("127.0.0.1", List.of("garbage"))).isEqualTo(ip("127.0.0.1"));
    assertThat(proxies.clientAddress("127.0.0.1", List.of("192.0.2.1,,10.0.0.5")))
        .isEqualTo(ip("10.0.0.5"));
    assertThat(proxies.clientAddress("127.0.0.1", List.of(""))).isEqualTo(ip("127.0.0.1"));
    // a host name is never resolved
    assertThat(proxies.clientAddress("127.0.0.1", List.of("localhost"))).isEqualTo(ip("127.0.0.1"));
  }

  @Test
  void entriesMayCarryPortsAndBrackets() {
    assertThat(proxies.clientAddress("127.0.0.1", List.of("192.0.2.1:5678")))
        .isEqualTo(ip("192.0.2.1"));
    assertThat(proxies.clientAddress("127.0.0.1", List.of("[2001:db8::7]:443")))
        .isEqualTo(ip("2001:db8::7"));
    assertThat(proxies.clientAddress("127.0.0.1", List.of("[2001:db8::7]")))
        .isEqualTo(ip("2001:db8::7"));
    assertThat(proxies.clientAddress("127.0.0.1", List.of("[2001:db8::7")))
        .isEqualTo(ip("127.0.0.1"));
  }

  @Test
  void ipv6PeersAndEntries() {
    assertThat(proxies.clientAddress("0:0:0:0:0:0:0:1", List.of("2001:db8:a::5")))
        .isEqualTo(ip("2001:db8:a::5"));
    assertThat(proxies.clientAddress("::1", List.of("2001:db8:a::5, fd00::9")))
        .isEqualTo(ip("2001:db8:a::5"));
    assertThat(proxies.clientAddress("fe80::1%eth0", List.of("2001:db8:a::5")))
        .isEqualTo(ip("fe80::1"));
    assertThat(proxies.clientAddress("2001:db8::1", List.of("192.0.2.1")))
        .isEqualTo(ip("2001:db8::1"));
    // an IPv4 client behind an IPv6 proxy
    assertThat(proxies.clientAddress("::1", List.of("192.0.2.1"))).isEqualTo(ip("192.0.2.1"));
  }

  @Test
  void peerThatIsNotALiteralIsRefused() {
    assertThatThrownBy(() -> proxies.clientAddress("localhost", List.of()))
        .hasMessageContaining("'localhost'");
  }

  @Test
  void badTrustedProxyIsNamed() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/8", "proxy.example")))
        .hasMessageContaining("trusted proxy")
        .hasMessageContaining("'proxy.example'");
  }
}
