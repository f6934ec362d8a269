package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static dev.segmentrelay.georouter.location.MmdbFiles.net;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultLocatorTest {
  @TempDir Path dir;

  private final Location fallback =
      Location.fallback(new GeoPoint(50.11, 8.68), Optional.of("fra1"));
  private final CoverageZones zones =
      CoverageZones.parse(List.of("192.0.2.128/25=bkk1"), List.of("bkk1=13.75,100.5"));

  private ReloadingGeoIp geoip() throws Exception {
    return ReloadingGeoIp.open(
        MmdbFiles.write(
            dir,
            "city.mmdb",
            MmdbFiles.city(
                net("192.0.2.0/24", "JP", "Tokyo", 35.68, 139.69),
                net("2001:db8:a::/48", "JP", "Osaka", 34.69, 135.5))));
  }

  @Test
  void coverageZoneBeatsTheDatabase() throws Exception {
    try (ReloadingGeoIp g = geoip()) {
      Locator locator = new DefaultLocator(zones, Optional.of(g), fallback);
      Location l = locator.locate(ip("192.0.2.200"));
      assertThat(l.source()).isEqualTo(Location.Source.COVERAGE_ZONE);
      assertThat(l.site()).contains("bkk1");
    }
  }

  @Test
  void databaseAnswersOutsideTheZones() throws Exception {
    try (ReloadingGeoIp g = geoip()) {
      Locator locator = new DefaultLocator(zones, Optional.of(g), fallback);
      Location l = locator.locate(ip("192.0.2.5"));
      assertThat(l.source()).isEqualTo(Location.Source.GEOIP);
      assertThat(l.city()).contains("Tokyo");
      assertThat(locator.locate(ip("2001:db8:a::1")).source()).isEqualTo(Location.Source.GEOIP);
    }
  }

  @Test
  void addressInNoDatabaseGetsTheDefault() throws Exception {
    try (ReloadingGeoIp g = geoip()) {
      Locator locator = new DefaultLocator(zones, Optional.of(g), fallback);
      assertThat(locator.locate(ip("8.8.8.8"))).isSameAs(fallback);
      assertThat(locator.locate(ip("2001:db8:ff::1"))).isSameAs(fallback);
      assertThat(locator.locate(ip("127.0.0.1")).site()).contains("fra1");
    }
  }

  @Test
  void withoutDatabaseZonesThenDefault() {
    Locator locator = new DefaultLocator(zones, Optional.empty(), fallback);
    assertThat(locator.locate(ip("192.0.2.200")).site()).contains("bkk1");
    assertThat(locator.locate(ip("192.0.2.5"))).isSameAs(fallback);
    Locator bare = new DefaultLocator(CoverageZones.empty(), Optional.empty(), fallback);
    assertThat(bare.locate(ip("::1"))).isSameAs(fallback);
  }

  @Test
  void closedDatabaseFailureFallsBackToTheDefaultAndIsCounted() throws Exception {
    ReloadingGeoIp g = geoip();
    g.close();
    DefaultLocator locator = new DefaultLocator(zones, Optional.of(g), fallback);
    // a record never looked up before must be decoded, which the closed reader refuses
    assertThat(locator.locate(ip("2001:db8:a::1"))).isSameAs(fallback);
    assertThat(locator.geoIpErrors()).isEqualTo(1);
  }

  @Test
  void fallbackMustBeADefaultLocation() {
    Location zone = zones.locate(ip("192.0.2.200")).orElseThrow();
    assertThatThrownBy(() -> new DefaultLocator(zones, Optional.empty(), zone))
        .hasMessageContaining("DEFAULT");
  }
}
