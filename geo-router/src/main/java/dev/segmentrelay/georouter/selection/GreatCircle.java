package dev.segmentrelay.georouter.selection;

/**
 * Great-circle distance on a spherical earth, in the form the selector needs: points as unit
 * vectors (precomputed once per snapshot), the squared chord between two of them as the cheap
 * monotone key, and kilometres from the chord only where a score needs them.
 *
 * <p>The chord form {@code 2R asin(|a - b| / 2)} is the haversine formula in vector clothing: it
 * stays accurate for points metres apart, where {@code acos(a . b)} loses precision.
 */
final class GreatCircle {
  /** Mean earth radius (IUGG), km. */
  static final double EARTH_RADIUS_KM = 6371.0088;

  private GreatCircle() {}

  /** Fills {@code out[0..2]} with the unit vector of a point given in degrees. */
  static void unitVector(double latitude, double longitude, double[] out) {
    double phi = Math.toRadians(latitude);
    double lambda = Math.toRadians(longitude);
    double cosPhi = Math.cos(phi);
    out[0] = cosPhi * Math.cos(lambda);
    out[1] = cosPhi * Math.sin(lambda);
    out[2] = Math.sin(phi);
  }

  /** Squared chord between two unit vectors: 0 (same point) .. 4 (antipodes). */
  static double chord2(double ax, double ay, double az, double bx, double by, double bz) {
    double dx = ax - bx;
    double dy = ay - by;
    double dz = az - bz;
    return dx * dx + dy * dy + dz * dz;
  }

  /** Great-circle km for a squared chord. */
  static double km(double chord2) {
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(chord2) * 0.5));
  }

  /**
   * The squared chord of a great-circle distance, slightly generous so that an edge exactly at
   * {@code km} is never pruned by rounding; {@code +Infinity} when {@code km} spans half the earth
   * or more.
   */
  static double chord2AtMost(double km) {
    double half = km / (2 * EARTH_RADIUS_KM);
    if (!(half < Math.PI / 2)) {
      return Double.POSITIVE_INFINITY;
    }
    double chord = 2 * Math.sin(half);
    return chord * chord * (1 + 1e-9) + 1e-12;
  }

  /** Great-circle km between two points given in degrees. */
  static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double[] a = new double[3];
    double[] b = new double[3];
    unitVector(lat1, lon1, a);
    unitVector(lat2, lon2, b);
    return km(chord2(a[0], a[1], a[2], b[0], b[1], b[2]));
  }
}
