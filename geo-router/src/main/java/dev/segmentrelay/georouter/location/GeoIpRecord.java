package dev.segmentrelay.georouter.location;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import java.util.Map;

/**
 * The slice of a GeoIP2 City or Country record the router needs, decoded by maxmind-db (only on a
 * {@link GeoIpDatabase} cache miss). Public only because maxmind-db instantiates it reflectively.
 */
public final class GeoIpRecord {
  final String country;
  final String registeredCountry;
  final String city;
  final Double latitude;
  final Double longitude;

  /** Called by maxmind-db. */
  @MaxMindDbConstructor
  public GeoIpRecord(
      @MaxMindDbParameter(name = "country") Named country,
      @MaxMindDbParameter(name = "registered_country") Named registeredCountry,
      @MaxMindDbParameter(name = "city") Named city,
      @MaxMindDbParameter(name = "location") Coordinates location) {
    this.country = country == null ? null : country.isoCode;
    this.registeredCountry = registeredCountry == null ? null : registeredCountry.isoCode;
    this.city = city == null ? null : city.name;
    this.latitude = location == null ? null : location.latitude;
    this.longitude = location == null ? null : location.longitude;
  }

  /** A country or city map: ISO code and English name. */
  public static final class Named {
    final String isoCode;
    final String name;

    /** Called by maxmind-db. */
    @MaxMindDbConstructor
    public Named(
        @MaxMindDbParameter(name = "iso_code") String isoCode,
        @MaxMindDbParameter(name = "names") Map<String, String> names) {
      this.isoCode = isoCode;
      this.name = names == null ? null : names.get("en");
    }
  }

  /** The location map. */
  public static final class Coordinates {
    final Double latitude;
    final Double longitude;

    /** Called by maxmind-db. */
    @MaxMindDbConstructor
    public Coordinates(
        @MaxMindDbParameter(name = "latitude") Double latitude,
        @MaxMindDbParameter(name = "longitude") Double longitude) {
      this.latitude = latitude;
      this.longitude = longitude;
    }
  }
}
