package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo database committed for {@code relay demo} answers the ranges infra/geoip documents. */
class DemoGeoIpDatabaseTest {
  private static final Path DEMO =
      MmdbFiles.repoRoot()
          .resolve("dist/src/main/resources/dev/segmentrelay/dist/demo/demo-geoip.mmdb");

  private static void assertCity(
      GeoIpDatabase db, String address, String cc, double lat, double lon) {
    Location l = db.locate(ip(address)).orElseThrow(() -> new AssertionError(address + " unknown"));
    assertThat(l.country()).as(address).contains(cc);
    assertThat(l.point()).as(address).isEqualTo(new GeoPoint(lat, lon));
  }

  @Test
  void demoDatabaseAnswersTheDocumentedRanges() {
    try (GeoIpDatabase db = GeoIpDatabase.open(DEMO)) {
      assertThat(db.kind()).isEqualTo(GeoIpDatabase.Kind.CITY);
      assertCity(db, "192.0.2.10", "DE", 50.11, 8.68);
      assertCity(db, "198.51.100.10", "JP", 35.68, 139.69);
      assertCity(db, "203.0.113.10", "TH", 13.75, 100.50);
      assertCity(db, "2001:db8:de::10", "DE", 50.11, 8.68);
      assertCity(db, "2001:db8:a::10", "JP", 35.68, 139.69);
      assertCity(db, "2001:db8:b::10", "TH", 13.75, 100.50);
      assertCity(db, "198.18.0.10", "US", 40.71, -74.01);
      assertCity(db, "198.18.64.10", "BR", -23.55, -46.63);
      assertCity(db, "198.18.128.10", "AU", -33.87, 151.21);
      assertCity(db, "198.18.192.10", "GB", 51.51, -0.13);
      assertCity(db, "198.19.0.10", "SG", 1.29, 103.85);
      assertCity(db, "198.19.64.10", "IN", 19.08, 72.88);
      assertCity(db, "198.19.128.10", "ZA", -26.20, 28.05);
      assertCity(db, "198.19.192.10", "US", 34.05, -118.24);
      assertCity(db, "2001:db8:3::1", "AU", -33.87, 151.21);
      assertThat(db.locate(ip("127.0.0.1"))).isEmpty();
      assertThat(db.locate(ip("8.8.8.8"))).isEmpty();
    }
  }
}
