package dev.segmentrelay.georouter.location;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coverage zones first (the operator knows best), then the GeoIP database when one is configured,
 * then the default location. Immutable apart from the database's own reloads; thread-safe and
 * allocation-light: a zone hit returns a prebuilt {@link Location}, a GeoIP hit returns the one
 * cached on the decoded record.
 *
 * <p>A GeoIP lookup that fails (a corrupt region of the file) is counted and answered with the
 * default location rather than failing the viewer's request.
 */
public final class DefaultLocator implements Locator {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultLocator.class);

  private final CoverageZones zones;
  private final ReloadingGeoIp geoip; // null when none is configured
  private final Location fallback;
  private final LongAdder geoIpErrors = new LongAdder();

  /**
   * @param zones the coverage zones ({@link CoverageZones#empty()} for none)
   * @param geoip the GeoIP database, if configured
   * @param fallback the answer for addresses nobody knows; its source must be {@code DEFAULT} (see
   *     {@link Location#fallback})
   */
  public DefaultLocator(CoverageZones zones, Optional<ReloadingGeoIp> geoip, Location fallback) {
    this.zones = Objects.requireNonNull(zones, "zones");
    this.geoip = geoip.orElse(null);
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    if (fallback.source() != Location.Source.DEFAULT) {
      throw new IllegalArgumentException(
          "the fallback location must have source DEFAULT, not " + fallback.source());
    }
  }

  @Override
  public Location locate(InetAddress client) {
    byte[] bytes = client.getAddress(); // a copy: read once, shared by both lookups
    Location zone = zones.locateOrNull(bytes);
    if (zone != null) {
      return zone;
    }
    if (geoip != null) {
      try {
        Location l = geoip.locateOrNull(client, bytes);
        if (l != null) {
          return l;
        }
      } catch (RuntimeException e) {
        geoIpErrors.increment();
        LOG.debug("GeoIP lookup of {} failed; using the default location", client, e);
      }
    }
    return fallback;
  }

  /** GeoIP lookups that threw and were answered with the default location. */
  public long geoIpErrors() {
    return geoIpErrors.sum();
  }

  public Location fallback() {
    return fallback;
  }

  public CoverageZones zones() {
    return zones;
  }

  public Optional<ReloadingGeoIp> geoip() {
    return Optional.ofNullable(geoip);
  }
}
