package dev.segmentrelay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionMixTest {
  private static Map<String, String> mix(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @Test
  void everyPrefixOfTheViewersHasTheMix() {
    RegionMix regions = RegionMix.parse(mix("jp", "20", "th", "10", "de", "70"), List.of());
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      counts.merge(regions.next().region(), 1, Integer::sum);
    }
    assertThat(counts).containsEntry("jp", 2).containsEntry("th", 1).containsEntry("de", 7);
    for (int i = 10; i < 1000; i++) {
      counts.merge(regions.next().region(), 1, Integer::sum);
    }
    assertThat(counts).containsEntry("jp", 200).containsEntry("th", 100).containsEntry("de", 700);
  }

  @Test
  void addressesComeFromTheDemoNetworksOfTheRegion() {
    RegionMix regions = RegionMix.parse(mix("jp", "50", "th", "50"), List.of());
    RegionMix.Placement first = regions.next();
    RegionMix.Placement second = regions.next();
    RegionMix.Placement third = regions.next();
    assertThat(first.region()).isEqualTo("jp");
    assertThat(first.clientAddress()).contains("198.51.100.1");
    assertThat(second.clientAddress()).contains("203.0.113.1");
    assertThat(third.clientAddress()).contains("198.51.100.2");
  }

  @Test
  void aRegionWithSeveralNetworksAlternatesBetweenThem() {
    RegionMix us = RegionMix.parse(mix("us", "100"), List.of());
    assertThat(us.next().clientAddress()).contains("198.18.0.1");
    assertThat(us.next().clientAddress()).contains("198.19.192.1");
  }

  @Test
  void regionCidrsDefineNewRegionsAndIpv6Works() {
    RegionMix custom = RegionMix.parse(mix("kr", "100"), List.of("kr=2001:db8:c::/48"));
    assertThat(custom.next().clientAddress()).contains("2001:db8:c:0:0:0:0:0");
    assertThat(custom.next().clientAddress()).contains("2001:db8:c:0:0:0:0:1");
  }

  @Test
  void withoutRegionsViewersHaveNoAddress() {
    RegionMix none = RegionMix.parse(Map.of(), List.of());
    RegionMix.Placement p = none.next();
    assertThat(p.region()).isEqualTo(RegionMix.DEFAULT_REGION);
    assertThat(p.clientAddress()).isEmpty();
  }

  @Test
  void mistakesNameTheOption() {
    assertThatThrownBy(() -> RegionMix.parse(mix("jp", "20", "de", "70"), List.of()))
        .hasMessageStartingWith("--region:")
        .hasMessageContaining("90, not 100");
    assertThatThrownBy(() -> RegionMix.parse(mix("jp", "lots"), List.of()))
        .hasMessageStartingWith("--region:");
    assertThatThrownBy(() -> RegionMix.parse(mix("jp", "100"), List.of("jp=300.1.0.0/16")))
        .hasMessageStartingWith("--region-cidr:");
    assertThatThrownBy(() -> RegionMix.parse(mix("jp", "100"), List.of("kr=10.0.0.0/8")))
        .hasMessageStartingWith("--region-cidr:")
        .hasMessageContaining("kr");
  }

  @Test
  void smallNetworksWrapAround() {
    AddressRange r = AddressRange.parse("10.0.0.0/30");
    assertThat(r.address(0)).isEqualTo("10.0.0.1");
    assertThat(r.address(1)).isEqualTo("10.0.0.2");
    assertThat(r.address(2)).isEqualTo("10.0.0.1");
  }
}
