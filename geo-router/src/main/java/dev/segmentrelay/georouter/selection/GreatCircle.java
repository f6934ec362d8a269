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
    return 2 * EARTH_RADIUS_KM * asin(Math.min(1, Math.sqrt(chord2) * 0.5));
  }

  /**
   * Arc sine of {@code x} in [0, 1], within a few ulps of {@code StrictMath.asin}. On Java 17
   * {@code Math.asin} is a call into native fdlibm that costs more than the rest of a routing
   * decision; this is the same rational approximation in plain Java, which the JIT inlines. The
   * coefficients are fdlibm's ({@code e_asin.c}, Sun Microsystems, freely redistributable); the
   * last-ulp corrections fdlibm adds near 1 are left out, as km need no such precision.
   */
  static double asin(double x) {
    if (x < 0.5) {
      return x + x * asinRational(x * x);
    }
    double z = (1 - x) * 0.5;
    double s = Math.sqrt(z);
    return Math.PI / 2 - 2 * (s + s * asinRational(z));
  }

  /** (asin(sqrt(z)) - sqrt(z)) / sqrt(z) for z in [0, 0.25]: fdlibm's minimax rational R(z). */
  private static double asinRational(double z) {
    double p =
        z
            * (1.66666666666666657415e-01
                + z
                    * (-3.25565818622400915405e-01
                        + z
                            * (2.01212532134862925881e-01
                                + z
                                    * (-4.00555345006794114027e-02
                                        + z
                                            * (7.91534994289814532176e-04
                                                + z * 3.47933107596021167570e-05)))));
    double q =
        1
            + z
                * (-2.40339491173441421878e+00
                    + z
                        * (2.02094576023350569471e+00
                            + z * (-6.88283971605453293030e-01 + z * 7.70381505559019352791e-02)));
    return p / q;
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
