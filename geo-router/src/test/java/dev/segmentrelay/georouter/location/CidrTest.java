package dev.segmentrelay.georouter.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
  static InetAddress ip(String literal) {
    InetAddress a = IpLiterals.toInetAddress(literal);
    assertThat(a).as(literal).isNotNull();
    return a;
  }

  @Test
  void parsesIpv4NetworksAndBareAddresses() {
    Cidr c = Cidr.parse("10.0.0.0/8");
    assertThat(c.isIpv4()).isTrue();
    assertThat(c.prefixLength()).isEqualTo(8);
    assertThat(c).hasToString("10.0.0.0/8");
    assertThat(Cidr.parse("192.0.2.7")).hasToString("192.0.2.7/32");
    assertThat(Cidr.parse(" 0.0.0.0/0 ")).hasToString("0.0.0.0/0");
    assertThat(c.contains(ip("10.255.1.2"))).isTrue();
    assertThat(c.contains(ip("11.0.0.0"))).isFalse();
    assertThat(c.contains(ip("2001:db8::1"))).isFalse();
  }

  @Test
  void parsesIpv6NetworksInAnyTextForm() {
    Cidr c = Cidr.parse("2001:db8::/32");
    assertThat(c.isIpv4()).isFalse();
    assertThat(c).hasToString("2001:db8::/32");
    assertThat(Cidr.parse("2001:0DB8:0000:0000:0000:0000:0000:0000/32")).isEqualTo(c);
    assertThat(Cidr.parse("::1")).hasToString("::1/128");
    assertThat(Cidr.parse("::/0")).hasToString("::/0");
    assertThat(Cidr.parse("2001:db8:0:1::/64")).hasToString("2001:db8:0:1::/64");
    assertThat(Cidr.parse("fe80::/10").contains(ip("fe80::1"))).isTrue();
    assertThat(c.contains(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(c.contains(ip("2001:db9::1"))).isFalse();
    assertThat(c.contains(ip("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("::ffff:0:0/96").isIpv4()).isTrue();
  }

  @Test
  void ipv4MappedIpv6NetworkIsTheIpv4Network() {
    Cidr c = Cidr.parse("::ffff:10.0.0.0/104");
    assertThat(c).isEqualTo(Cidr.parse("10.0.0.0/8"));
    assertThat(c.contains(ip("10.1.2.3"))).isTrue();
  }

  @Test
  void literalParserAcceptsValidAndRejectsInvalidForms() {
    assertThat(IpLiterals.parse("1.2.3.4")).containsExactly(1, 2, 3, 4);
    assertThat(IpLiterals.parse("::ffff:1.2.3.4")).hasSize(16);
    assertThat(IpLiterals.parse("1::")).hasSize(16);
    assertThat(IpLiterals.parse("1:2:3:4:5:6:7:8")).hasSize(16);
    assertThat(IpLiterals.parse("1:2:3:4:5:6:1.2.3.4")).hasSize(16);
    for (String bad :
        new String[] {
          "",
          "1.2.3",
          "1.2.3.4.5",
          "256.1.1.1",
          "01.2.3.4",
          "1.2.3.4 ",
          "a.b.c.d",
          ":::",
          "1::2::3",
          "1:2:3:4:5:6:7:8:9",
          "12345::",
          ":1::",
          "1:",
          "1:2:3:4:5:6:7::8:9",
          "g::",
          "localhost",
          "1.2.3.4::",
          "::1.2.3"
        }) {
      assertThat(IpLiterals.parse(bad)).as("'%s'", bad).isNull();
    }
  }

  @Test
  void formatsIpv6TheRfc5952Way() {
    assertThat(IpLiterals.format(IpLiterals.parse("2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(IpLiterals.format(IpLiterals.parse("2001:db8:0:1:1:1:1:1")))
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(IpLiterals.format(IpLiterals.parse("::"))).isEqualTo("::");
    assertThat(IpLiterals.format(IpLiterals.parse("1::"))).isEqualTo("1::");
  }

  @Test
  void errorsNameTheValueAndTheExpectedForm() {
    assertThatThrownBy(() -> Cidr.parse("example.com/24"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'example.com/24'")
        .hasMessageContaining("10.0.0.0/8")
        .hasMessageContaining("host names are not accepted");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .hasMessageContaining("'10.0.0.0/33'")
        .hasMessageContaining("0 to 32");
    assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).hasMessageContaining("0 to 128");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("'x'");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/")).hasMessageContaining("'10.0.0.0/'");
    assertThatThrownBy(() -> Cidr.parse(null)).hasMessageContaining("ADDRESS/PREFIX");
  }

  @Test
  void hostBitsSetIsAnErrorNamingTheNetwork() {
    assertThatThrownBy(() -> Cidr.parse("10.1.2.3/8"))
        .hasMessageContaining("'10.1.2.3/8'")
        .hasMessageContaining("10.0.0.0/8");
    assertThatThrownBy(() -> Cidr.parse("2001:db8::1/32")).hasMessageContaining("2001:db8::/32");
  }

  @Test
  void ofMasksAnAddress() {
    assertThat(Cidr.of(ip("192.0.2.77"), 24)).hasToString("192.0.2.0/24");
    assertThat(Cidr.of(ip("2001:db8:a:b::1"), 48)).hasToString("2001:db8:a::/48");
  }
}
