package dev.segmentrelay.georouter.selection;

/**
 * How the {@link EdgeSelector} weighs distance, load and stickiness. Validated once here; the
 * selector trusts it afterwards.
 *
 * @param loadPenaltyKm kilometres added to an edge's distance at 100 % load (default {@value
 *     #DEFAULT_LOAD_PENALTY_KM}): a loaded edge competes as if it stood that much farther away
 * @param loadPenaltyExponent how the penalty grows with the load fraction {@code f}: {@code
 *     loadPenaltyKm * f^exponent} (default {@value #DEFAULT_LOAD_PENALTY_EXPONENT}, quadratic: a
 *     half-loaded edge pays a quarter, so lightly loaded edges keep their viewers and only an edge
 *     nearing capacity sheds new ones); at least 1
 * @param egressHeadroom an edge whose egress reaches {@code capacityMbps * egressHeadroom} is
 *     excluded (default {@value #DEFAULT_EGRESS_HEADROOM}: keep room for the viewers it already
 *     has); in (0, 1]. Viewers are excluded at {@code capacityViewers} itself, a hard connection
 *     limit. A capacity of 0 means unknown and never excludes.
 * @param nearEqualKm absolute width of the near-equal band (default {@value
 *     #DEFAULT_NEAR_EQUAL_KM}): edges whose score is within this many km of the best one count as
 *     equal, and rendezvous hashing on the client address chooses among them
 * @param nearEqualFraction relative width of the band, as a fraction of the best score (default
 *     {@value #DEFAULT_NEAR_EQUAL_FRACTION}); the band is the larger of the two; in [0, 1]
 * @param preferCoverageSite when the viewer's location names a coverage-zone site with at least one
 *     eligible edge, rank that site's edges before all others (default true)
 */
public record SelectionPolicy(
    double loadPenaltyKm,
    double loadPenaltyExponent,
    double egressHeadroom,
    double nearEqualKm,
    double nearEqualFraction,
    boolean preferCoverageSite) {

  public static final double DEFAULT_LOAD_PENALTY_KM = 2000;
  public static final double DEFAULT_LOAD_PENALTY_EXPONENT = 2;
  public static final double DEFAULT_EGRESS_HEADROOM = 0.9;
  public static final double DEFAULT_NEAR_EQUAL_KM = 100;
  public static final double DEFAULT_NEAR_EQUAL_FRACTION = 0.05;

  /** The documented defaults. */
  public static final SelectionPolicy DEFAULTS =
      new SelectionPolicy(
          DEFAULT_LOAD_PENALTY_KM,
          DEFAULT_LOAD_PENALTY_EXPONENT,
          DEFAULT_EGRESS_HEADROOM,
          DEFAULT_NEAR_EQUAL_KM,
          DEFAULT_NEAR_EQUAL_FRACTION,
          true);

  public SelectionPolicy {
    requireArgument(
        loadPenaltyKm >= 0 && loadPenaltyKm <= 40_000,
        "load penalty must be 0..40000 km, got " + loadPenaltyKm);
    requireArgument(
        loadPenaltyExponent >= 1 && loadPenaltyExponent <= 16,
        "load penalty exponent must be 1..16, got " + loadPenaltyExponent);
    requireArgument(
        egressHeadroom > 0 && egressHeadroom <= 1,
        "egress headroom must be in (0, 1] (a fraction of capacityMbps), got " + egressHeadroom);
    requireArgument(
        nearEqualKm >= 0 && nearEqualKm <= 40_000,
        "near-equal band must be 0..40000 km, got " + nearEqualKm);
    requireArgument(
        nearEqualFraction >= 0 && nearEqualFraction <= 1,
        "near-equal fraction must be 0..1 (of the best score), got " + nearEqualFraction);
  }

  /** This policy with another load penalty at 100 % load, in km. */
  public SelectionPolicy withLoadPenaltyKm(double km) {
    return new SelectionPolicy(
        km,
        loadPenaltyExponent,
        egressHeadroom,
        nearEqualKm,
        nearEqualFraction,
        preferCoverageSite);
  }

  /** This policy with another near-equal band (absolute km and fraction of the best score). */
  public SelectionPolicy withNearEqual(double km, double fraction) {
    return new SelectionPolicy(
        loadPenaltyKm, loadPenaltyExponent, egressHeadroom, km, fraction, preferCoverageSite);
  }

  /** This policy with another egress headroom. */
  public SelectionPolicy withEgressHeadroom(double headroom) {
    return new SelectionPolicy(
        loadPenaltyKm,
        loadPenaltyExponent,
        headroom,
        nearEqualKm,
        nearEqualFraction,
        preferCoverageSite);
  }

  /** This policy with coverage-site preference on or off. */
  public SelectionPolicy withPreferCoverageSite(boolean prefer) {
    return new SelectionPolicy(
        loadPenaltyKm, loadPenaltyExponent, egressHeadroom, nearEqualKm, nearEqualFraction, prefer);
  }

  /** The km added to an edge's distance at load fraction {@code f} (0..1). */
  double penaltyKm(double f) {
    if (f <= 0) {
      return 0;
    }
    double g = Math.min(f, 1);
    if (loadPenaltyExponent == 2) {
      return loadPenaltyKm * g * g;
    }
    if (loadPenaltyExponent == 1) {
      return loadPenaltyKm * g;
    }
    return loadPenaltyKm * Math.pow(g, loadPenaltyExponent);
  }

  /** Scores up to this much above {@code best} are near-equal to it. */
  double bandKm(double best) {
    return Math.max(nearEqualKm, nearEqualFraction * best);
  }

  private static void requireArgument(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
