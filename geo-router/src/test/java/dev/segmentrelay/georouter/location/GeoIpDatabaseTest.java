package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static dev.segmentrelay.georouter.location.MmdbFiles.net;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoIpDatabaseTest {
  @TempDir Path dir;

  private Path city() throws Exception {
    return MmdbFiles.write(
        dir,
        "city.mmdb",
        MmdbFiles.city(
            net("192.0.2.0/24", "DE", "Frankfurt", 50.11, 8.68),
            net("198.51.100.0/24", "JP", "Tokyo", 35.68, 139.69),
            net("2001:db8:b::/48", "TH", "Bangkok", 13.75, 100.5),
            "{\"network\":\"203.0.113.0/24\",\"country\":\"BR\",\"city\":\"Nowhere\"}"));
  }

  @Test
  void cityDatabaseGivesCityCoordinatesForIpv4AndIpv6() throws Exception {
    try (GeoIpDatabase db = GeoIpDatabase.open(city())) {
      assertThat(db.kind()).isEqualTo(GeoIpDatabase.Kind.CITY);
      assertThat(db.databaseType()).isEqualTo("GeoIP2-City");
      Location fra = db.locate(ip("192.0.2.77")).orElseThrow();
      assertThat(fra.source()).isEqualTo(Location.Source.GEOIP);
      assertThat(fra.point()).isEqualTo(new GeoPoint(50.11, 8.68));
      assertThat(fra.country()).contains("DE");
      assertThat(fra.city()).contains("Frankfurt");
      assertThat(fra.site()).isEmpty();
      assertThat(db.locate(ip("198.51.100.1")).orElseThrow().city()).contains("Tokyo");
      Location bkk = db.locate(ip("2001:db8:b:1::5")).orElseThrow();
      assertThat(bkk.point()).isEqualTo(new GeoPoint(13.75, 100.5));
      assertThat(bkk.country()).contains("TH");
    }
  }

  @Test
  void cityRecordWithoutCoordinatesFallsBackToTheCountryCentre() throws Exception {
    try (GeoIpDatabase db = GeoIpDatabase.open(city())) {
      Location l = db.locate(ip("203.0.113.9")).orElseThrow();
      assertThat(l.country()).contains("BR");
      assertThat(l.point()).isEqualTo(CountryCentroids.get("BR").orElseThrow());
    }
  }

  @Test
  void unknownAddressIsEmpty() throws Exception {
    try (GeoIpDatabase db = GeoIpDatabase.open(city())) {
      assertThat(db.locate(ip("8.8.8.8"))).isEmpty();
      assertThat(db.locate(ip("2001:db8:c::1"))).isEmpty();
      assertThat(db.locate(ip("127.0.0.1"))).isEmpty();
    }
  }

  @Test
  void locateWithNetworkNamesTheMatchedNetwork() throws Exception {
    try (GeoIpDatabase db = GeoIpDatabase.open(city())) {
      assertThat(db.locateWithNetwork(ip("192.0.2.77")).orElseThrow().network())
          .contains("192.0.2.0/24");
      assertThat(db.locateWithNetwork(ip("2001:db8:b::1")).orElseThrow().network())
          .contains("2001:db8:b::/48");
      assertThat(db.locateWithNetwork(ip("8.8.8.8"))).isEmpty();
    }
  }

  @Test
  void countryDatabaseGivesTheCountryCentre() throws Exception {
    Path p =
        MmdbFiles.write(
            dir,
            "country.mmdb",
            MmdbFiles.spec(
                "GeoLite2-Country",
                net("192.0.2.0/24", "JP", "ignored", 1, 1),
                net("2001:db8:de::/48", "DE", "ignored", 1, 1)));
    try (GeoIpDatabase db = GeoIpDatabase.open(p)) {
      assertThat(db.kind()).isEqualTo(GeoIpDatabase.Kind.COUNTRY);
      Location jp = db.locate(ip("192.0.2.1")).orElseThrow();
      assertThat(jp.point()).isEqualTo(CountryCentroids.get("JP").orElseThrow());
      assertThat(jp.city()).isEmpty();
      assertThat(db.locate(ip("2001:db8:de::1")).orElseThrow().country()).contains("DE");
      assertThat(db.locate(ip("10.0.0.1"))).isEmpty();
    }
  }

  @Test
  void missingFileNamesThePathAndTheFix() {
    Path missing = dir.resolve("nope.mmdb");
    assertThatThrownBy(() -> GeoIpDatabase.open(missing))
        .isInstanceOf(GeoIpDatabaseException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist")
        .hasMessageContaining("City or Country");
  }

  @Test
  void directoryIsRefusedWithThePath() {
    assertThatThrownBy(() -> GeoIpDatabase.open(dir))
        .isInstanceOf(GeoIpDatabaseException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void corruptFileNamesThePathAndTheFix() throws Exception {
    Path garbage = Files.write(dir.resolve("garbage.mmdb"), "not a database".getBytes());
    assertThatThrownBy(() -> GeoIpDatabase.open(garbage))
        .isInstanceOf(GeoIpDatabaseException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("not a valid MaxMind DB")
        .hasMessageContaining("download it again");
    byte[] good = Files.readAllBytes(city());
    Path truncated =
        Files.write(dir.resolve("truncated.mmdb"), Arrays.copyOf(good, good.length / 2));
    assertThatThrownBy(() -> GeoIpDatabase.open(truncated))
        .isInstanceOf(GeoIpDatabaseException.class)
        .hasMessageContaining(truncated.toString());
  }

  @Test
  void treeCorruptedBehindIntactMetadataFailsVerification() throws Exception {
    byte[] bytes = Files.readAllBytes(city());
    for (int i = 0; i < 600 && i < bytes.length; i++) {
      bytes[i] = (byte) 0xff; // search tree nodes now point far outside the file
    }
    Path broken = Files.write(dir.resolve("broken.mmdb"), bytes);
    assertThatThrownBy(() -> GeoIpDatabase.open(broken))
        .isInstanceOf(GeoIpDatabaseException.class)
        .hasMessageContaining(broken.toString())
        .hasMessageContaining("not a valid MaxMind DB");
  }

  @Test
  void databaseWithoutLocationsIsRefused() throws Exception {
    Path asn =
        MmdbFiles.write(
            dir,
            "asn.mmdb",
            MmdbFiles.spec(
                "GeoLite2-ASN",
                "{\"network\":\"192.0.2.0/24\",\"record\":{\"autonomous_system_number\":64500}}"));
    assertThatThrownBy(() -> GeoIpDatabase.open(asn))
        .isInstanceOf(GeoIpDatabaseException.class)
        .hasMessageContaining(asn.toString())
        .hasMessageContaining("'GeoLite2-ASN'")
        .hasMessageContaining("GeoLite2-City");
  }

  @Test
  void centroidTableCoversEveryCountryCode() {
    assertThat(CountryCentroids.all()).hasSizeGreaterThanOrEqualTo(249);
    assertThat(CountryCentroids.get("de")).isPresent();
    assertThat(CountryCentroids.get("ZZ")).isEmpty();
  }
}
