package dev.segmentrelay.georouter.selection;

/**
 * One full ranking: the score of every eligible edge, its group (preferred site first), whether it
 * is in its group's near-equal band, and the order these imply. Used for ranked lists and
 * explanations; {@link EdgeSelector#best} reaches the same first edge with less work. Confined to
 * the thread that built it.
 */
final class Ranking {
  static final byte EXCLUDED = -1;
  static final byte PREFERRED = 0;
  static final byte OTHER = 1;

  final RoutingSnapshot s;
  final byte[] group;
  final double[] km;
  final double[] penalty;
  final double[] score;
  final boolean[] sticky;
  final long[] weight;
  final int eligible;
  final boolean preferredUsed;

  Ranking(
      EdgeSelector selector,
      RoutingSnapshot s,
      double vx,
      double vy,
      double vz,
      long client,
      int preferred) {
    this.s = s;
    int n = s.size;
    SelectionPolicy policy = selector.policy();
    group = new byte[n];
    km = new double[n];
    penalty = new double[n];
    score = new double[n];
    sticky = new boolean[n];
    weight = new long[n];
    int count = 0;
    boolean anyPreferred = false;
    double[] best = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
    for (int i = 0; i < n; i++) {
      if (!selector.eligible(s, i)) {
        group[i] = EXCLUDED;
        continue;
      }
      count++;
      boolean inPreferred = preferred >= 0 && s.siteId[i] == preferred;
      anyPreferred |= inPreferred;
      group[i] = inPreferred ? PREFERRED : OTHER;
      km[i] = GreatCircle.km(GreatCircle.chord2(vx, vy, vz, s.x[i], s.y[i], s.z[i]));
      penalty[i] = policy.penaltyKm(s.loadFraction[i]);
      score[i] = km[i] + penalty[i];
      best[group[i]] = Math.min(best[group[i]], score[i]);
    }
    for (int i = 0; i < n; i++) {
      if (group[i] != EXCLUDED) {
        double b = best[group[i]];
        sticky[i] = score[i] <= b + policy.bandKm(b);
        weight[i] = Rendezvous.weight(client, s.idHash[i]);
      }
    }
    this.eligible = count;
    this.preferredUsed = anyPreferred;
  }

  /** The first {@code limit} eligible edges' indices in ranking order (fewer if fewer eligible). */
  int[] top(int limit) {
    int[] out = new int[Math.min(limit, eligible)];
    int count = 0;
    for (int i = 0; i < s.size && out.length > 0; i++) {
      if (group[i] == EXCLUDED) {
        continue;
      }
      int pos;
      if (count < out.length) {
        pos = count++;
      } else if (before(i, out[count - 1])) {
        pos = count - 1;
      } else {
        continue;
      }
      while (pos > 0 && before(i, out[pos - 1])) {
        out[pos] = out[pos - 1];
        pos--;
      }
      out[pos] = i;
    }
    return out;
  }

  /**
   * The ranking order: preferred site first; within a group the near-equal band first, ordered by
   * rendezvous weight (highest first), then the rest by score; exact ties by id (index order).
   */
  boolean before(int i, int j) {
    if (group[i] != group[j]) {
      return group[i] < group[j];
    }
    if (sticky[i] != sticky[j]) {
      return sticky[i];
    }
    if (sticky[i]) {
      if (weight[i] != weight[j]) {
        return weight[i] > weight[j];
      }
    } else if (score[i] != score[j]) {
      return score[i] < score[j];
    }
    return i < j;
  }
}
