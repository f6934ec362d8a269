package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTableTest {
  private final CidrTable<String> table =
      CidrTable.<String>builder()
          .put(Cidr.parse("10.0.0.0/8"), "ten")
          .put(Cidr.parse("10.1.0.0/16"), "ten-one")
          .put(Cidr.parse("10.1.2.0/24"), "ten-one-two")
          .put(Cidr.parse("10.1.2.3"), "host")
          .put(Cidr.parse("2001:db8::/32"), "doc")
          .put(Cidr.parse("2001:db8:a::/48"), "doc-a")
          .build();

  @Test
  void longestPrefixWins() {
    assertThat(table.lookup(ip("10.9.9.9"))).contains("ten");
    assertThat(table.lookup(ip("10.1.9.9"))).contains("ten-one");
    assertThat(table.lookup(ip("10.1.2.9"))).contains("ten-one-two");
    assertThat(table.lookup(ip("10.1.2.3"))).contains("host");
    assertThat(table.lookup(ip("2001:db8:b::1"))).contains("doc");
    assertThat(table.lookup(ip("2001:db8:a:ffff::1"))).contains("doc-a");
    assertThat(table.longestMatch(ip("10.1.2.200")).orElseThrow().network())
        .isEqualTo(Cidr.parse("10.1.2.0/24"));
    assertThat(table.size()).isEqualTo(6);
  }

  @Test
  void addressesOutsideEveryNetworkMiss() {
    assertThat(table.lookup(ip("11.0.0.1"))).isEmpty();
    assertThat(table.lookup(ip("2001:db9::1"))).isEmpty();
    assertThat(table.lookup(ip("::1"))).isEmpty();
    assertThat(CidrTable.<String>empty().lookup(ip("10.0.0.1"))).isEmpty();
  }

  @Test
  void familiesDoNotMix() {
    CidrTable<String> t =
        CidrTable.<String>builder()
            .put(Cidr.parse("0.0.0.0/0"), "v4")
            .put(Cidr.parse("::/0"), "v6")
            .build();
    assertThat(t.lookup(ip("203.0.113.9"))).contains("v4");
    assertThat(t.lookup(ip("2001:db8::9"))).contains("v6");
    // ::a.b.c.d (IPv4-compatible, not mapped) is IPv6
    assertThat(t.lookup(ip("::203.0.113.9"))).contains("v6");
  }

  @Test
  void ipv4MappedIpv6AddressesAreLookedUpAsIpv4() throws Exception {
    byte[] mapped = IpLiterals.parse("::ffff:10.1.2.9");
    InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
    assertThat(v6).isInstanceOf(Inet6Address.class);
    assertThat(table.lookup(v6)).contains("ten-one-two");
  }

  @Test
  void sameNetworkTwiceWithAnotherValueIsAnError() {
    assertThatThrownBy(
            () ->
                CidrTable.<String>builder()
                    .put(Cidr.parse("10.0.0.0/8"), "a")
                    .put(Cidr.parse("10.0.0.0/8"), "b"))
        .hasMessageContaining("10.0.0.0/8")
        .hasMessageContaining("a")
        .hasMessageContaining("b");
  }
}
