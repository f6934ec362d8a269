package dev.segmentrelay.georouter.selection;

import java.util.List;
import java.util.Objects;

/**
 * Why the selector ranked the edges as it did, for {@code GET /api/v1/route}: records of strings,
 * numbers and booleans only, so any JSON mapper writes them as they are.
 *
 * @param preferredSite the coverage-zone site whose edges were ranked first, or empty when the
 *     location named no site, the policy ignores sites, or the site had no eligible edge
 * @param policy the policy the decision used
 * @param candidates every eligible edge in ranking order; the first is the redirect target
 * @param excluded every other edge, in id order, with the reason it was left out
 */
public record Explanation(
    String preferredSite,
    SelectionPolicy policy,
    List<Candidate> candidates,
    List<Excluded> excluded) {
  public Explanation {
    Objects.requireNonNull(preferredSite, "preferredSite");
    Objects.requireNonNull(policy, "policy");
    candidates = List.copyOf(candidates);
    excluded = List.copyOf(excluded);
  }

  /**
   * One eligible edge.
   *
   * @param rank 1 for the redirect target, then 2, 3... (the content-steering order)
   * @param id edge id
   * @param site edge site
   * @param publicUrl edge base URL
   * @param distanceKm great-circle distance from the viewer's location
   * @param loadFraction the larger of egress / capacityMbps and viewers / capacityViewers (0 when
   *     capacity is unknown)
   * @param loadPenaltyKm km added for that load
   * @param scoreKm distance plus penalty: lower is better
   * @param preferredSite whether the edge is in the preferred coverage-zone site
   * @param sticky whether the score is within the near-equal band of its group's best, so that the
   *     client address (rendezvous hashing), not the score, orders it among the other sticky edges
   */
  public record Candidate(
      int rank,
      String id,
      String site,
      String publicUrl,
      double distanceKm,
      double loadFraction,
      double loadPenaltyKm,
      double scoreKm,
      boolean preferredSite,
      boolean sticky) {}

  /**
   * One edge left out.
   *
   * @param id edge id
   * @param site edge site
   * @param reason {@code unhealthy: <why>}, {@code starting}, {@code draining}, {@code over egress
   *     capacity E/C Mbit/s ...} or {@code over viewer capacity V/C viewers}
   */
  public record Excluded(String id, String site, String reason) {}
}
