package dev.segmentrelay.georouter.location;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Approximate centre of each country (ISO 3166-1 alpha-2), from the bundled {@code
 * country-centroids.tsv}. Rough points, good for ranking edges continents apart.
 */
public final class CountryCentroids {
  private static final String RESOURCE = "country-centroids.tsv";
  private static final Map<String, GeoPoint> POINTS = load();

  private CountryCentroids() {}

  /** The centre of a country by ISO code (case-insensitive), if known. */
  public static Optional<GeoPoint> get(String isoCode) {
    GeoPoint p = POINTS.get(isoCode);
    if (p == null && isoCode != null) {
      p = POINTS.get(isoCode.toUpperCase(Locale.ROOT));
    }
    return Optional.ofNullable(p);
  }

  /** Every code in the table. */
  public static Map<String, GeoPoint> all() {
    return POINTS;
  }

  private static Map<String, GeoPoint> load() {
    Map<String, GeoPoint> out = new HashMap<>();
    try (InputStream in = CountryCentroids.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        out.put(f[0], new GeoPoint(Double.parseDouble(f[1]), Double.parseDouble(f[2])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return Map.copyOf(out);
  }
}
