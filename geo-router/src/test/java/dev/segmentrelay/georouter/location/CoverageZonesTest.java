package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CoverageZonesTest {
  private final CoverageZones zones =
      CoverageZones.parse(
          List.of("10.0.0.0/8=fra1", "10.1.0.0/16=tyo1", "2001:db8:b::/48 = bkk1"),
          List.of("fra1=50.11,8.68", "tyo1=35.68,139.69", " bkk1 = 13.75 , 100.50 "));

  @Test
  void mostSpecificZoneGivesItsSiteAndPoint() {
    Location l = zones.locate(ip("10.1.2.3")).orElseThrow();
    assertThat(l.source()).isEqualTo(Location.Source.COVERAGE_ZONE);
    assertThat(l.site()).contains("tyo1");
    assertThat(l.point()).isEqualTo(new GeoPoint(35.68, 139.69));
    assertThat(l.network()).contains("10.1.0.0/16");
    assertThat(zones.locate(ip("10.2.0.1")).orElseThrow().site()).contains("fra1");
    Location v6 = zones.locate(ip("2001:db8:b::77")).orElseThrow();
    assertThat(v6.site()).contains("bkk1");
    assertThat(v6.point()).isEqualTo(new GeoPoint(13.75, 100.5));
  }

  @Test
  void addressOutsideEveryZoneIsEmpty() {
    assertThat(zones.locate(ip("192.0.2.1"))).isEmpty();
    assertThat(CoverageZones.empty().locate(ip("10.0.0.1"))).isEmpty();
  }

  @Test
  void zoneWithoutSiteCoordinatesIsAnError() {
    assertThatThrownBy(() -> CoverageZones.parse(List.of("10.0.0.0/8=ams1"), List.of("fra1=50,8")))
        .hasMessageContaining("10.0.0.0/8=ams1")
        .hasMessageContaining("ams1=LAT,LON");
  }

  @Test
  void badEntriesAreNamed() {
    assertThatThrownBy(() -> CoverageZones.parseZone("10.0.0.0/8"))
        .hasMessageContaining("'10.0.0.0/8'")
        .hasMessageContaining("CIDR=SITE");
    assertThatThrownBy(() -> CoverageZones.parseZone("10.0.0.1/8=fra1"))
        .hasMessageContaining("'10.0.0.1/8=fra1'")
        .hasMessageContaining("10.0.0.0/8");
    assertThatThrownBy(() -> CoverageZones.parseZone("10.0.0.0/8=fra 1"))
        .hasMessageContaining("'fra 1'");
    assertThatThrownBy(() -> CoverageZones.parseSite("fra1=50.1"))
        .hasMessageContaining("'fra1=50.1'")
        .hasMessageContaining("SITE=LAT,LON");
    assertThatThrownBy(() -> CoverageZones.parseSite("fra1=north,8"))
        .hasMessageContaining("'fra1=north,8'");
    assertThatThrownBy(() -> CoverageZones.parseSite("fra1=95,8"))
        .hasMessageContaining("'fra1=95,8'")
        .hasMessageContaining("-90..90");
    assertThatThrownBy(() -> CoverageZones.parse(List.of(), List.of("fra1=50,8", "fra1=51,8")))
        .hasMessageContaining("fra1")
        .hasMessageContaining("twice");
  }

  @Test
  void buildsFromRecordsToo() {
    CoverageZones z =
        CoverageZones.of(
            List.of(new CoverageZones.Zone(Cidr.parse("192.0.2.0/24"), "x")),
            List.of(new CoverageZones.Site("x", new GeoPoint(1, 2))));
    assertThat(z.locate(ip("192.0.2.9")).map(Location::site)).contains(Optional.of("x"));
    assertThat(z.sites()).containsKey("x");
  }
}
